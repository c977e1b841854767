"""first adjudications per day (``adjudication_rollup``): the claims first adjudicated on
a day, by payer, with the sums the first-pass, initial denial and net collection rates take

Filled here, set-based, from ``claim_facts``; afterwards ``refresh_claim_facts`` keeps it
with the facts (``ptrcm.store.adjudication_rollup``; ``ptrcm db refresh-facts`` rebuilds
it). Tenant table: row-level security as for every other. (h-dash: numbered after its
0035; renumber at merge if another branch took these numbers.)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptrcm.store.migrations.policies import add_tenant_policy, drop_tenant_policy
from ptrcm.store.types import MoneyType

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
KEY = ["org_id", "first_adjudicated_on", "payer_id"]
COUNTS = ["claims", "first_pass", "denied"]
MONEY = ["first_adj_charge", "first_adj_denied_amount", "collected", "charge", "contractual"]

_cf = sa.table(
    "claim_facts",
    sa.column("org_id"),
    sa.column("payer_id"),
    sa.column("first_adjudicated_on", sa.Date()),
    sa.column("first_pass", sa.Boolean()),
    sa.column("first_adj_denied", sa.Boolean()),
    sa.column("first_adj_charge", MoneyType()),
    sa.column("first_adj_denied_amount", MoneyType()),
    sa.column("payer_paid_adjudicated", MoneyType()),
    sa.column("patient_paid", MoneyType()),
    sa.column("charge", MoneyType()),
    sa.column("contractual", MoneyType()),
)


def _fill() -> None:
    cf = _cf
    keys = [cf.c.org_id, cf.c.first_adjudicated_on, cf.c.payer_id]

    def count_if(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[object]:
        return sa.func.sum(sa.case((cond, 1), else_=0))

    rows = (
        sa.select(
            *keys,
            sa.func.count(),
            count_if(cf.c.first_pass.is_(True)),
            count_if(cf.c.first_adj_denied.is_(True)),
            sa.func.coalesce(sa.func.sum(cf.c.first_adj_charge), 0),
            sa.func.coalesce(sa.func.sum(cf.c.first_adj_denied_amount), 0),
            sa.func.sum(cf.c.payer_paid_adjudicated + cf.c.patient_paid),
            sa.func.sum(cf.c.charge),
            sa.func.sum(cf.c.contractual),
        )
        .where(cf.c.first_adjudicated_on.is_not(None))
        .group_by(*keys)
    )
    columns = [*KEY, *COUNTS, *MONEY]
    op.get_bind().execute(
        sa.table("adjudication_rollup", *(sa.column(c) for c in columns))
        .insert()
        .from_select(columns, rows)
    )


def upgrade() -> None:
    op.create_table(
        "adjudication_rollup",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("first_adjudicated_on", sa.Date(), nullable=False),
        sa.Column("payer_id", ID, nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        *(sa.Column(name, MoneyType(), nullable=False) for name in MONEY),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_adjudication_rollup")),
    )
    _fill()
    add_tenant_policy("adjudication_rollup")


def downgrade() -> None:
    drop_tenant_policy("adjudication_rollup")
    op.drop_table("adjudication_rollup")
