"""visits per day (``visit_rollup``): visits counted by organization, date of service,
payer and location (0 for none), for the dashboard's visit counts

Filled here, set-based, from ``visits``; afterwards the visit writer keeps it in the
transaction that writes visits (``ptrcm.store.visit_rollup``). Tenant table: row-level
security as for every other. (h-dash: numbered after 0034; renumber at merge if another
branch took 0035.)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptrcm.store.migrations.policies import add_tenant_policy, drop_tenant_policy

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
KEY = ["org_id", "date_of_service", "payer_id", "location_id"]
NO_LOCATION = 0

_visits = sa.table(
    "visits",
    sa.column("org_id"),
    sa.column("date_of_service", sa.Date()),
    sa.column("payer_id"),
    sa.column("location_id"),
)


def upgrade() -> None:
    op.create_table(
        "visit_rollup",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("date_of_service", sa.Date(), nullable=False),
        sa.Column("payer_id", ID, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_visit_rollup")),
    )
    v = _visits
    keys = [v.c.org_id, v.c.date_of_service, v.c.payer_id, sa.func.coalesce(v.c.location_id, 0)]
    counts = sa.select(*keys, sa.func.count()).where(sa.true()).group_by(*keys)
    op.get_bind().execute(
        sa.table("visit_rollup", *(sa.column(c) for c in [*KEY, "visits"]))
        .insert()
        .from_select([*KEY, "visits"], counts)
    )
    add_tenant_policy("visit_rollup")


def downgrade() -> None:
    drop_tenant_policy("visit_rollup")
    op.drop_table("visit_rollup")
