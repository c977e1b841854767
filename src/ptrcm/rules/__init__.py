"""Claim scrubbing: a rule engine over visits/claims, payer policy as versioned TOML packs."""
