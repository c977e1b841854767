"""Payer profiles for the simulator (TOML data)."""
