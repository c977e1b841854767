"""first adjudications per day (``adjudication_rollup``): the claims first adjudicated on
a day, by payer, with the sums the first-pass, initial denial and net collection rates
take; denial adjustments per remittance day (``denial_rollup``) by payer, CARC and whether
the claim is closed, for denial reasons

Filled here, set-based, from ``claim_facts`` and ``claim_fact_denials``; afterwards
``refresh_claim_facts`` keeps them with the facts (``ptrcm.store.adjudication_rollup``;
``ptrcm db refresh-facts`` rebuilds them). Tenant tables: row-level security as for every
other. (h-dash: numbered after its 0035; renumber at merge if another branch took these
numbers.)

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
TABLES = ("adjudication_rollup", "denial_rollup")
# A refresh reads its claims' denial rows for the rollup from this index alone.
DENIALS_INDEX = ["org_id", "claim_id", "payment_date", "carc", "adjustments", "amount"]
MONEY = ["first_adj_charge", "first_adj_denied_amount", "collected", "charge", "contractual"]

_d = sa.table(
    "claim_fact_denials",
    sa.column("org_id"),
    sa.column("claim_id"),
    sa.column("payment_date", sa.Date()),
    sa.column("carc"),
    sa.column("adjustments"),
    sa.column("amount", MoneyType()),
)
_cf = sa.table(
    "claim_facts",
    sa.column("org_id"),
    sa.column("claim_id"),
    sa.column("state"),
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
    d = _d
    closed = sa.case((cf.c.state == "closed", True), else_=False)
    dkeys: list[sa.ColumnElement[object]] = [
        d.c.org_id, d.c.payment_date, cf.c.payer_id, d.c.carc, closed,
    ]  # fmt: skip
    denials = (
        sa.select(*dkeys, sa.func.count(), sa.func.sum(d.c.adjustments), sa.func.sum(d.c.amount))
        .select_from(d.join(cf, sa.and_(cf.c.org_id == d.c.org_id, cf.c.claim_id == d.c.claim_id)))
        .where(d.c.payment_date.is_not(None))
        .group_by(*dkeys)
    )
    columns = ["org_id", "payment_date", "payer_id", "carc", "closed", "rows", "adjustments",
               "amount"]  # fmt: skip
    op.get_bind().execute(
        sa.table("denial_rollup", *(sa.column(c) for c in columns))
        .insert()
        .from_select(columns, denials)
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
    op.create_table(
        "denial_rollup",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("payer_id", ID, nullable=False),
        sa.Column("carc", sa.String(5), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("adjustments", sa.Integer(), nullable=False),
        sa.Column("amount", MoneyType(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "payment_date", "payer_id", "carc", "closed", name=op.f("pk_denial_rollup")
        ),
    )
    _fill()
    op.create_index("ix_claim_fact_denials_org_claim_date", "claim_fact_denials", DENIALS_INDEX)
    for table in TABLES:
        add_tenant_policy(table)


def downgrade() -> None:
    op.drop_index("ix_claim_fact_denials_org_claim_date", table_name="claim_fact_denials")
    for table in reversed(TABLES):
        drop_tenant_policy(table)
        op.drop_table(table)
