"""Alembic migrations of the ptrcm schema, run in code by ``ptrcm.store.db.upgrade``."""
