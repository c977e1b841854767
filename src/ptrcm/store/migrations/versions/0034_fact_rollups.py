"""daily rollups of the claim facts: A/R (``ar_rollup_charges``, ``ar_rollup_reductions``),
net revenue (``revenue_rollup``) and charge and submission lag (``lag_rollup``)

A/R: claim facts summed by payer, payer class, first DOS and the day a claim leaves A/R
(``ar_rollup_charges``: charges of the claims not voided or replaced;
``ar_rollup_reductions``: every claim's dated reductions by remittance date).

``gone_on`` is 9999-12-31 while a claim is open (submitted, accepted, partially paid,
denied, appealed), the UTC day of its last move to paid or closed when it is settled, and
its first DOS otherwise. The aging of a day and the charges and reductions behind days in
A/R read these instead of the facts of every candidate claim. Existing rows are filled
here, set-based, from ``claim_facts`` and ``claim_fact_payments``; afterwards
``ptrcm.store.fact_rollups`` keeps them with the facts (``ptrcm db refresh-facts`` rebuilds
them). Revenue: the payer and patient payments (times the visits on the first DOS) of the
claims not voided or replaced whose first-DOS visits are at one location, by payer,
location and first DOS; an index finds the claims at several locations. Lags: claims per
UTC day built (charge lag, from the first DOS) or first submitted (submission lag, from
the day built), payer and lag in days. Tenant tables: row-level security as for every
other.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 15:30:00
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

from ptrcm.store.day_sql import day_diff, utc_day
from ptrcm.store.migrations.policies import add_tenant_policy, drop_tenant_policy
from ptrcm.store.types import MoneyType, UTCDateTime

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPEN = date(9999, 12, 31)
OPEN_AR = ("accepted", "appealed", "denied", "partially_paid", "submitted")
SETTLED = ("paid", "closed")
KEY = ["org_id", "payer_id", "payer_class", "first_dos", "gone_on"]
INDEXES = {  # as in ptrcm.store.tables.facts when this migration was written
    "ix_ar_rollup_charges_org_gone": (
        "ar_rollup_charges",
        ["org_id", "gone_on", "first_dos", "payer_class", "payer_id", "charge"],
    ),
    "ix_ar_rollup_charges_org_dos": (
        "ar_rollup_charges",
        ["org_id", "first_dos", "payer_id", "charge"],
    ),
    "ix_ar_rollup_reductions_org_gone": (
        "ar_rollup_reductions",
        ["org_id", "gone_on", "first_dos", "payment_date", "payer_class", "payer_id", "reductions"],
    ),
    "ix_ar_rollup_reductions_org_date": (
        "ar_rollup_reductions",
        ["org_id", "payment_date", "payer_id", "reductions"],
    ),
}
TABLES = ("ar_rollup_charges", "ar_rollup_reductions", "revenue_rollup", "lag_rollup")
MIXED_INDEX = ["org_id", "location_id", "first_dos"]  # on claim_facts

_cf = sa.table(
    "claim_facts",
    sa.column("org_id"),
    sa.column("claim_id"),
    sa.column("payer_id"),
    sa.column("payer_class"),
    sa.column("location_id"),
    sa.column("revenue_visits"),
    sa.column("state"),
    sa.column("first_dos", sa.Date()),
    sa.column("built_at", UTCDateTime()),
    sa.column("first_submitted_at", UTCDateTime()),
    sa.column("settled_at", UTCDateTime()),
    sa.column("charge", MoneyType()),
    sa.column("payer_paid", MoneyType()),
    sa.column("patient_paid", MoneyType()),
)
_fp = sa.table(
    "claim_fact_payments",
    sa.column("org_id"),
    sa.column("claim_id"),
    sa.column("payment_date", sa.Date()),
    sa.column("reductions", MoneyType()),
)


def _keys() -> list[sa.ColumnElement[object]]:
    gone = sa.case(
        (_cf.c.state.in_(OPEN_AR), sa.literal(OPEN, sa.Date())),
        (sa.and_(_cf.c.state.in_(SETTLED), _cf.c.settled_at.is_not(None)),
         utc_day(_cf.c.settled_at)),
        else_=_cf.c.first_dos,
    )  # fmt: skip
    return [
        _cf.c.org_id,
        _cf.c.payer_id,
        sa.func.coalesce(_cf.c.payer_class, "unknown"),
        _cf.c.first_dos,
        gone,
    ]


def _fill() -> None:
    bind = op.get_bind()
    keys = _keys()
    charges = (
        sa.select(*keys, sa.func.count(), sa.func.sum(_cf.c.charge))
        .where(_cf.c.state.not_in(("voided", "corrected")))
        .group_by(*keys)
    )
    bind.execute(
        sa.table("ar_rollup_charges", *(sa.column(c) for c in [*KEY, "claims", "charge"]))
        .insert()
        .from_select([*KEY, "claims", "charge"], charges)
    )
    dated = [*keys, _fp.c.payment_date]
    reductions = (
        sa.select(*dated, sa.func.count(), sa.func.sum(_fp.c.reductions))
        .select_from(
            _fp.join(_cf, sa.and_(_cf.c.org_id == _fp.c.org_id, _cf.c.claim_id == _fp.c.claim_id))
        )
        .where(_fp.c.payment_date.is_not(None))
        .group_by(*dated)
    )
    columns = [*KEY, "payment_date", "payments", "reductions"]
    bind.execute(
        sa.table("ar_rollup_reductions", *(sa.column(c) for c in columns))
        .insert()
        .from_select(columns, reductions)
    )
    where = [
        _cf.c.state.not_in(("voided", "corrected")),
        _cf.c.revenue_visits > 0,
        _cf.c.location_id.is_not(None),
    ]
    places = [_cf.c.org_id, _cf.c.payer_id, _cf.c.location_id, _cf.c.first_dos]
    paid = (_cf.c.payer_paid + _cf.c.patient_paid) * _cf.c.revenue_visits
    revenue = sa.select(*places, sa.func.count(), sa.func.sum(paid)).where(*where).group_by(*places)
    columns = ["org_id", "payer_id", "location_id", "first_dos", "claims", "revenue"]
    bind.execute(
        sa.table("revenue_rollup", *(sa.column(c) for c in columns))
        .insert()
        .from_select(columns, revenue)
    )
    columns = ["org_id", "measure", "day", "payer_id", "lag", "claims"]
    built, sent = utc_day(_cf.c.built_at), utc_day(_cf.c.first_submitted_at)
    measures: list[tuple[str, Any, Any, list[Any]]] = [
        ("charge", built, day_diff(built, _cf.c.first_dos), []),
        ("submission", sent, day_diff(sent, built), [_cf.c.first_submitted_at.is_not(None)]),
    ]
    for measure, day, lag, dated in measures:
        by: list[Any] = [_cf.c.org_id, sa.literal(measure), day, _cf.c.payer_id, lag]
        lags = sa.select(*by, sa.func.count()).where(*dated).group_by(*by)
        bind.execute(
            sa.table("lag_rollup", *(sa.column(c) for c in columns))
            .insert()
            .from_select(columns, lags)
        )


def _key_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("org_id", ID, nullable=False),
        sa.Column("payer_id", ID, nullable=False),
        sa.Column("payer_class", sa.String(32), nullable=False),
        sa.Column("first_dos", sa.Date(), nullable=False),
        sa.Column("gone_on", sa.Date(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "ar_rollup_charges",
        *_key_columns(),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("charge", MoneyType(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_ar_rollup_charges")),
    )
    op.create_table(
        "ar_rollup_reductions",
        *_key_columns(),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("reductions", MoneyType(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "payment_date", name=op.f("pk_ar_rollup_reductions")),
    )
    op.create_table(
        "revenue_rollup",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("payer_id", ID, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("first_dos", sa.Date(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("revenue", MoneyType(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "first_dos", "payer_id", "location_id", name=op.f("pk_revenue_rollup")
        ),
    )
    op.create_table(
        "lag_rollup",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("measure", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("payer_id", ID, nullable=False),
        sa.Column("lag", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "measure", "day", "payer_id", "lag", name=op.f("pk_lag_rollup")
        ),
    )
    _fill()
    for name, (table, cols) in INDEXES.items():
        op.create_index(name, table, cols)
    op.create_index("ix_claim_facts_org_mixed", "claim_facts", MIXED_INDEX)
    for table in TABLES:
        add_tenant_policy(table)


def downgrade() -> None:
    op.drop_index("ix_claim_facts_org_mixed", table_name="claim_facts")
    for table in reversed(TABLES):
        drop_tenant_policy(table)
        op.drop_table(table)
