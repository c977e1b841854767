"""claim facts: one row per claim (dates, payer class, money, first adjudication), its
denial adjustments by date and CARC and its payments by date, for the dashboard; visits
by day, payer and location

The tables are derived data, filled by ``ptrcm db refresh-facts`` after this migration and
kept current by ``ptrcm.store.claim_facts.refresh_claim_facts`` in every claim write.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 08:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptrcm.store.types import MoneyType, UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ADJUDICATED = ["first_adj_status", "first_adj_charge", "first_adj_denied_amount",
                "first_adj_denied", "first_pass", "current_version", "charge", "contractual",
                "payer_paid_adjudicated", "patient_paid", "claim_id", "payer_id"]  # fmt: skip
_AR = ["payer_class", "charge", "reductions", "first_reduction_on", "last_reduction_on",
       "claim_id", "payer_id"]  # fmt: skip
FACT_INDEXES = {  # as in ptrcm.store.tables.facts when this migration was written
    "ix_claim_facts_org_adjudicated": ["org_id", "first_adjudicated_on", *_ADJUDICATED],
    "ix_claim_facts_org_scrubbed": ["org_id", "first_scrubbed_at", "first_scrub_clean"],
    "ix_claim_facts_org_dos": ["org_id", "first_dos", "state", "charge", "revenue_visits",
                               "location_id", "payer_id", "payer_paid", "patient_paid"],
    "ix_claim_facts_org_state_dos": ["org_id", "state", "first_dos", "settled_at", *_AR],
    "ix_claim_facts_org_state_settled": ["org_id", "state", "settled_at", "first_dos", *_AR],
    "ix_claim_facts_org_class_dos": ["org_id", "payer_class", "first_dos"],
    "ix_claim_facts_org_reduced": ["org_id", "last_reduction_on", "first_reduction_on",
                                   "state", "settled_at", "first_dos", "payer_class",
                                   "claim_id", "payer_id"],
}  # fmt: skip


def _money(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, MoneyType(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "claim_facts",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("claim_id", ID, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("payer_id", ID, nullable=False),
        sa.Column("payer_class", sa.String(32), nullable=True),
        sa.Column("location_id", ID, nullable=True),
        sa.Column("provider_id", ID, nullable=True),
        sa.Column("revenue_visits", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("first_dos", sa.Date(), nullable=False),
        sa.Column("last_dos", sa.Date(), nullable=False),
        sa.Column("built_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_scrubbed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_scrub_clean", sa.Boolean(), nullable=True),
        sa.Column("first_submitted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_adjudicated_on", sa.Date(), nullable=True),
        sa.Column("first_adj_status", sa.String(2), nullable=True),
        _money("first_adj_charge", True),
        _money("first_adj_denied_amount", True),
        sa.Column("first_adj_denied", sa.Boolean(), nullable=True),
        sa.Column("ever_rejected", sa.Boolean(), nullable=False),
        sa.Column("first_pass", sa.Boolean(), nullable=True),
        sa.Column("settled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        _money("charge"),
        _money("payer_paid"),
        _money("payer_paid_adjudicated"),
        _money("patient_paid"),
        _money("patient_responsibility"),
        _money("contractual"),
        _money("denied_total"),
        _money("reductions"),
        sa.Column("first_reduction_on", sa.Date(), nullable=True),
        sa.Column("last_reduction_on", sa.Date(), nullable=True),
        _money("balance"),
        sa.PrimaryKeyConstraint("org_id", "claim_id", name=op.f("pk_claim_facts")),
    )
    for name, cols in FACT_INDEXES.items():
        op.create_index(name, "claim_facts", cols)
    op.create_table(
        "claim_fact_denials",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("claim_id", ID, nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("carc", sa.String(5), nullable=False),
        sa.Column("adjustments", sa.Integer(), nullable=False),
        _money("amount"),
    )
    op.create_index("ix_claim_fact_denials_org_claim", "claim_fact_denials", ["org_id", "claim_id"])
    op.create_index(
        "ix_claim_fact_denials_org_date",
        "claim_fact_denials",
        ["org_id", "payment_date", "carc", "adjustments", "amount", "claim_id"],
    )
    op.create_table(
        "claim_fact_payments",
        sa.Column("org_id", ID, nullable=False),
        sa.Column("claim_id", ID, nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        _money("paid"),
        _money("reductions"),
    )
    op.create_index(
        "ix_claim_fact_payments_org_claim",
        "claim_fact_payments",
        ["org_id", "claim_id", "payment_date", "reductions"],
    )
    op.create_index(
        "ix_claim_fact_payments_org_date",
        "claim_fact_payments",
        ["org_id", "payment_date", "paid", "reductions"],
    )
    op.create_index(
        "ix_visits_org_dos_payer_location",
        "visits",
        ["org_id", "date_of_service", "payer_id", "location_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_visits_org_dos_payer_location", table_name="visits")
    op.drop_table("claim_fact_payments")
    op.drop_table("claim_fact_denials")
    op.drop_table("claim_facts")
