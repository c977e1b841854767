"""270/271 eligibility benefit inquiry and response (005010X279A1)."""
