"""Append-only guards used by migrations: triggers that refuse UPDATE and DELETE.

PostgreSQL: one trigger function raising an exception, attached BEFORE UPDATE OR DELETE
(per row) and BEFORE TRUNCATE (per statement). SQLite: BEFORE UPDATE / BEFORE DELETE
triggers that ``RAISE(ABORT)``. A later SQLite batch migration that rebuilds one of these
tables drops its triggers with the old table, so it must call ``add_append_only_guard``
again. Frozen like the migrations that call it: change behaviour in a new function.
"""

from __future__ import annotations

from alembic import op

FUNCTION = "ptrcm_refuse_change"


def add_append_only_guard(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ptrcm: % is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END $$"""
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN"
            f" SELECT RAISE(ABORT, 'ptrcm: {table} is append-only ({verb} refused)'); END"
        )


def drop_append_only_guard(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def drop_guard_function() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
