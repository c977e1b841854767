"""job queue: procrastinate's tables, types and functions (issue 14), on PostgreSQL only.

Background jobs (imports, scrubbing, posting, clearinghouse polls, nightly re-scrubs) are
procrastinate jobs in these tables; ``ptrcm worker`` runs them on any number of machines.
The schema is procrastinate's own (``procrastinate.schema.SchemaManager``), applied once
here so that ``ptrcm db migrate`` sets up everything. Jobs are not tenant rows: a job's
arguments name its organization (a slug) and files, never patient data. On SQLite, the
embedded default, there is no queue: the same tasks run in the process that asks for them.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 07:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # The driver reads "%" as a placeholder mark, as procrastinate's own apply_schema does.
    bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


# procrastinate's objects in the schema, by catalog: (what to drop, the query naming them).
_OBJECTS = (
    ("TABLE", "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = :s"
              " AND tablename LIKE 'procrastinate%'"),
    ("FUNCTION", "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n"
                 " ON n.oid = p.pronamespace WHERE n.nspname = :s"
                 " AND p.proname LIKE 'procrastinate%'"),
    ("TYPE", "SELECT quote_ident(t.typname) FROM pg_type t JOIN pg_namespace n"
             " ON n.oid = t.typnamespace WHERE n.nspname = :s"
             " AND t.typname LIKE 'procrastinate%' AND t.typtype IN ('e', 'c')"),
)  # fmt: skip


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    for kind, query in _OBJECTS:  # tables first: their row types go with them
        for name in list(bind.execute(sa.text(query), {"s": schema}).scalars()):
            bind.exec_driver_sql(f"DROP {kind} IF EXISTS {name} CASCADE")
