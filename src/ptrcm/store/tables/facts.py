"""Per-claim facts the dashboard reads instead of scanning claims, payments and adjustments.

``claim_facts`` holds one row per claim: its dates (first DOS, built, first scrubbed, first
submitted, first adjudicated, settled), payer and payer class, the visit matched on the
first date of service, its money to date and the outcome of its first adjudication.
It also holds the first denial and its first follow-up (denial follow-up SLA).
``claim_fact_denials`` holds its denial adjustments by remittance date and CARC, and
``claim_fact_payments`` what its payments paid and took off A/R per remittance date. The A/R
rollup (``ar_rollup_charges``, ``ar_rollup_reductions``, migration 0034) sums the facts by
payer, first DOS and the day each claim leaves A/R (``ptrcm.store.fact_rollups``). All are
derived data: ``ptrcm.store.claim_facts.refresh_claim_facts`` rewrites a claim's rows in
the transaction that changed the claim, and ``ptrcm db refresh-facts`` rebuilds them all.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, Integer, PrimaryKeyConstraint, String, Table

from ptrcm.store.tables.base import Id, metadata
from ptrcm.store.types import MoneyType, UTCDateTime

# Each index carries the columns its dashboard query reads, so the query is answered from
# the index alone (SQLite covering index, PostgreSQL index-only scan).
_ADJUDICATED = ("first_adj_status", "first_adj_charge", "first_adj_denied_amount",
                "first_adj_denied", "first_pass", "current_version", "charge", "contractual",
                "payer_paid_adjudicated", "patient_paid", "claim_id", "payer_id")  # fmt: skip
_AR = ("payer_class", "charge", "reductions", "first_reduction_on", "last_reduction_on",
       "claim_id", "payer_id")  # fmt: skip
FACT_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_claim_facts_org_adjudicated": ("org_id", "first_adjudicated_on", *_ADJUDICATED),
    "ix_claim_facts_org_scrubbed": ("org_id", "first_scrubbed_at", "first_scrub_clean"),
    "ix_claim_facts_org_dos": ("org_id", "first_dos", "state", "charge", "revenue_visits",
                               "location_id", "payer_id", "payer_paid", "patient_paid"),
    "ix_claim_facts_org_state_dos": ("org_id", "state", "first_dos", "settled_at", *_AR),
    "ix_claim_facts_org_state_settled": ("org_id", "state", "settled_at", "first_dos", *_AR),
    "ix_claim_facts_org_class_dos": ("org_id", "payer_class", "first_dos"),
    "ix_claim_facts_org_patient": ("org_id", "patient_id", "first_dos"),
    "ix_claim_facts_org_reduced": ("org_id", "last_reduction_on", "first_reduction_on",
                                   "state", "settled_at", "first_dos", "payer_class",
                                   "claim_id", "payer_id"),
    # The turnaround SLAs (migration 0033): charge lag, submission lag, denial follow-up.
    "ix_claim_facts_org_built": ("org_id", "built_at", "first_dos", "payer_id"),
    "ix_claim_facts_org_submitted": ("org_id", "first_submitted_at", "built_at", "payer_id"),
    "ix_claim_facts_org_denied": ("org_id", "first_denied_on", "followed_up_on", "payer_id"),
    # Net revenue per visit (migration 0034): the few claims at several locations.
    "ix_claim_facts_org_mixed": ("org_id", "location_id", "first_dos"),
}  # fmt: skip

claim_facts = Table(
    "claim_facts",
    metadata,
    Column("org_id", Id, nullable=False),
    Column("claim_id", Id, nullable=False),
    Column("patient_id", Id, nullable=False),
    Column("payer_id", Id, nullable=False),
    Column("payer_class", String(32)),
    Column("location_id", Id),  # of the visit(s) on the first DOS, when they agree
    Column("provider_id", Id),
    Column("revenue_visits", Integer, nullable=False),  # visits matched on the first DOS
    Column("state", String(20), nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("first_dos", Date, nullable=False),
    Column("last_dos", Date, nullable=False),
    Column("built_at", UTCDateTime(), nullable=False),
    Column("first_scrubbed_at", UTCDateTime()),
    Column("first_scrub_clean", Boolean),
    Column("first_submitted_at", UTCDateTime()),
    Column("first_adjudicated_on", Date),
    Column("first_adj_status", String(2)),
    Column("first_adj_charge", MoneyType()),
    Column("first_adj_denied_amount", MoneyType()),
    Column("first_adj_denied", Boolean),
    Column("ever_rejected", Boolean, nullable=False),
    Column("first_pass", Boolean),
    Column("settled_at", UTCDateTime()),  # last move to paid or closed
    Column("closed_at", UTCDateTime()),
    Column("charge", MoneyType(), nullable=False),
    Column("payer_paid", MoneyType(), nullable=False),  # every claim payment
    Column("payer_paid_adjudicated", MoneyType(), nullable=False),  # statuses 1-4 and 22
    Column("patient_paid", MoneyType(), nullable=False),
    Column("patient_responsibility", MoneyType(), nullable=False),  # PR adjustments
    Column("contractual", MoneyType(), nullable=False),
    Column("denied_total", MoneyType(), nullable=False),
    Column("reductions", MoneyType(), nullable=False),  # paid + non-denial adjustments, dated
    Column("first_reduction_on", Date),
    Column("last_reduction_on", Date),
    Column("balance", MoneyType(), nullable=False),  # charge - reductions
    # The first denial: remittance date of the claim's first claim payment (by id) with
    # status 4 or a denial adjustment; and its follow-up: the earlier of the first appeal
    # sent and the first move to appealed, corrected or voided (UTC day).
    Column("first_denied_on", Date),
    Column("followed_up_on", Date),
    PrimaryKeyConstraint("org_id", "claim_id"),
    *(Index(name, *columns) for name, columns in FACT_INDEXES.items()),
)

claim_fact_denials = Table(
    "claim_fact_denials",
    metadata,
    Column("org_id", Id, nullable=False),
    Column("claim_id", Id, nullable=False),
    Column("payment_date", Date),
    Column("carc", String(5), nullable=False),
    Column("adjustments", Integer, nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Index("ix_claim_fact_denials_org_claim", "org_id", "claim_id"),
    Index(  # a refresh's denial rollup rows of its claims, from the index alone (0036)
        "ix_claim_fact_denials_org_claim_date",
        "org_id",
        "claim_id",
        "payment_date",
        "carc",
        "adjustments",
        "amount",
    ),
    Index(
        "ix_claim_fact_denials_org_date",
        "org_id",
        "payment_date",
        "carc",
        "adjustments",
        "amount",
        "claim_id",
    ),
)

claim_fact_payments = Table(
    "claim_fact_payments",
    metadata,
    Column("org_id", Id, nullable=False),
    Column("claim_id", Id, nullable=False),
    Column("payment_date", Date),
    Column("paid", MoneyType(), nullable=False),  # payer payments of the claim that day
    Column("reductions", MoneyType(), nullable=False),  # paid + non-denial adjustments
    Index("ix_claim_fact_payments_org_claim", "org_id", "claim_id", "payment_date", "reductions"),
    Index("ix_claim_fact_payments_org_date", "org_id", "payment_date", "paid", "reductions"),
)

# The A/R rollup (migration 0034, ``ptrcm.store.fact_rollups``): the facts summed by payer,
# payer class ("unknown" when none), first DOS and ``gone_on``, the first day the claim is
# not in A/R (the UTC day it settled; 9999-12-31 while open; its first DOS when it never
# is). A/R on day D is the charges with first DOS <= D < gone_on less their reductions
# dated on or before D; the buckets are the first DOS's age on D.
_AR_KEY = ("org_id", "payer_id", "payer_class", "first_dos", "gone_on")
ROLLUP_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_ar_rollup_charges_org_gone": ("org_id", "gone_on", "first_dos", "payer_class",
                                      "payer_id", "charge"),
    "ix_ar_rollup_charges_org_dos": ("org_id", "first_dos", "payer_id", "charge"),
    "ix_ar_rollup_reductions_org_gone": ("org_id", "gone_on", "first_dos", "payment_date",
                                         "payer_class", "payer_id", "reductions"),
    "ix_ar_rollup_reductions_org_date": ("org_id", "payment_date", "payer_id", "reductions"),
}  # fmt: skip
ar_rollup_charges = Table(  # claims not voided or replaced
    "ar_rollup_charges",
    metadata,
    Column("org_id", Id, nullable=False),
    Column("payer_id", Id, nullable=False),
    Column("payer_class", String(32), nullable=False),
    Column("first_dos", Date, nullable=False),
    Column("gone_on", Date, nullable=False),
    Column("claims", Integer, nullable=False),
    Column("charge", MoneyType(), nullable=False),
    PrimaryKeyConstraint(*_AR_KEY),
    *(Index(n, *c) for n, c in ROLLUP_INDEXES.items() if n.startswith("ix_ar_rollup_charges")),
)
ar_rollup_reductions = Table(  # every claim's dated reductions (claim_fact_payments)
    "ar_rollup_reductions",
    metadata,
    Column("org_id", Id, nullable=False),
    Column("payer_id", Id, nullable=False),
    Column("payer_class", String(32), nullable=False),
    Column("first_dos", Date, nullable=False),
    Column("gone_on", Date, nullable=False),
    Column("payment_date", Date, nullable=False),
    Column("payments", Integer, nullable=False),  # claim_fact_payments rows summed
    Column("reductions", MoneyType(), nullable=False),
    PrimaryKeyConstraint(*_AR_KEY, "payment_date"),
    *(Index(n, *c) for n, c in ROLLUP_INDEXES.items() if n.startswith("ix_ar_rollup_reduc")),
)

# Revenue and turnaround rollups (migration 0034, ``ptrcm.store.fact_rollups``): the payer and
# patient payments of the claims with one location on their first DOS (net revenue per
# visit; claims whose first-DOS visits are at several locations are read from the facts),
# and the claims built / first submitted per UTC day and lag in days (charge lag,
# submission lag).
revenue_rollup = Table(  # claims not voided or replaced with visits on their first DOS
    "revenue_rollup",
    metadata,
    Column("org_id", Id, nullable=False),
    Column("payer_id", Id, nullable=False),
    Column("location_id", Id, nullable=False),
    Column("first_dos", Date, nullable=False),
    Column("claims", Integer, nullable=False),
    Column("revenue", MoneyType(), nullable=False),  # (payer + patient paid) x visits
    PrimaryKeyConstraint("org_id", "first_dos", "payer_id", "location_id"),
)
lag_rollup = Table(
    "lag_rollup",
    metadata,
    Column("org_id", Id, nullable=False),
    Column("measure", String(16), nullable=False),  # "charge": built; "submission": first sent
    Column("day", Date, nullable=False),  # UTC day built / first submitted
    Column("payer_id", Id, nullable=False),
    Column("lag", Integer, nullable=False),  # days
    Column("claims", Integer, nullable=False),
    PrimaryKeyConstraint("org_id", "measure", "day", "payer_id", "lag"),
)

# First adjudications per day (migration 0036, ``ptrcm.store.adjudication_rollup``): the
# claims first adjudicated on a day, by payer, with what the first-pass, initial denial and
# net collection rates sum of them (``claims_kpis.first_adjudication_days``).
adjudication_rollup = Table(
    "adjudication_rollup",
    metadata,
    Column("org_id", Id, nullable=False),
    Column("first_adjudicated_on", Date, nullable=False),
    Column("payer_id", Id, nullable=False),
    Column("claims", Integer, nullable=False),
    Column("first_pass", Integer, nullable=False),
    Column("denied", Integer, nullable=False),
    Column("first_adj_charge", MoneyType(), nullable=False),
    Column("first_adj_denied_amount", MoneyType(), nullable=False),
    Column("collected", MoneyType(), nullable=False),  # payer paid (adjudicated) + patient paid
    Column("charge", MoneyType(), nullable=False),
    Column("contractual", MoneyType(), nullable=False),
    PrimaryKeyConstraint("org_id", "first_adjudicated_on", "payer_id"),
)

# Denial adjustments per remittance day (migration 0036, ``ptrcm.store.adjudication_rollup``):
# ``claim_fact_denials`` summed by payer, CARC and whether the claim is now closed (denial
# reasons, with how much of each sits on closed claims).
denial_rollup = Table(
    "denial_rollup",
    metadata,
    Column("org_id", Id, nullable=False),
    Column("payment_date", Date, nullable=False),
    Column("payer_id", Id, nullable=False),
    Column("carc", String(5), nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("rows", Integer, nullable=False),  # claim_fact_denials rows summed
    Column("adjustments", Integer, nullable=False),
    Column("amount", MoneyType(), nullable=False),
    PrimaryKeyConstraint("org_id", "payment_date", "payer_id", "carc", "closed"),
)
