"""Scenario tables run on every implementation of a port: the in-memory fake (no
database), SQLite and PostgreSQL, asserting the same results to the cent."""
