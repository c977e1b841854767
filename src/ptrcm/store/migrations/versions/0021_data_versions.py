"""data_versions: one counter per organization that every committed write bumps

The web app caches what the dashboard and the work queues read, per organization and scope,
in each worker process; before it serves an entry it reads this counter (one indexed row),
so a write committed by any process (another worker, the CLI) is seen by every reader's
next request. A tenant table under row-level security like the others (PostgreSQL).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ptrcm.store.types
from ptrcm.store.migrations.policies import add_tenant_policy, drop_tenant_policy

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = ptrcm.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "data_versions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_data_versions_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_versions")),
        sa.UniqueConstraint("org_id", name=op.f("uq_data_versions_org_id")),
        sa.UniqueConstraint("org_id", "id", name=op.f("uq_data_versions_org_id_id")),
    )
    add_tenant_policy("data_versions")


def downgrade() -> None:
    drop_tenant_policy("data_versions")
    op.drop_table("data_versions")
