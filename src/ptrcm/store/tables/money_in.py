"""Money in, beyond the 835 tables of ``finance``: versioned contract fee schedules,
underpayment details, acknowledgment files (999/277CA, posted once each) and the link
from a won appeal to the payment that a later 835 brought."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, UniqueConstraint

from ptrcm.store.tables.base import Json, ref, tenant_table
from ptrcm.store.types import MoneyType, UTCDateTime

# One imported contract fee schedule of one payer; a new import is a new version.
fee_schedules = tenant_table(
    "fee_schedules",
    ref("payer_id", nullable=False),
    Column("name", String(120), nullable=False),
    Column("version", Integer, nullable=False),
    Column("effective_from", Date),
    Column("source_file", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("parameters", Json),  # mppr, assistant_reduction, sequestration_rate, ...
    UniqueConstraint("org_id", "payer_id", "version"),
    refs={"payer_id": "payers"},
)

fee_schedule_rates = tenant_table(
    "fee_schedule_rates",
    ref("schedule_id", nullable=False),
    Column("code", String(5), nullable=False),
    Column("allowed", MoneyType(), nullable=False),
    UniqueConstraint("schedule_id", "code"),
    refs={"schedule_id": "fee_schedules"},
    cascade=frozenset({"schedule_id"}),
)

# One underpaid remittance line: what was allowed, what the contract says, and why.
underpayments = tenant_table(
    "underpayments",
    ref("work_item_id", nullable=False),
    ref("claim_id", nullable=False),
    ref("line_payment_id", nullable=False),
    ref("schedule_id"),
    Column("code", String(5), nullable=False),
    Column("expected_allowed", MoneyType(), nullable=False),
    Column("actual_allowed", MoneyType(), nullable=False),
    Column("variance", MoneyType(), nullable=False),
    Column("schedule_name", String(120), nullable=False),
    Column("schedule_version", Integer),
    Column("steps", Json),
    UniqueConstraint("org_id", "line_payment_id"),
    Index("ix_underpayments_org_claim", "org_id", "claim_id"),
    refs={
        "work_item_id": "work_items",
        "claim_id": "claims",
        "line_payment_id": "line_payments",
        "schedule_id": "fee_schedules",
    },
)

ack_files = tenant_table(
    "ack_files",
    Column("kind", String(5), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),  # posting the same file twice is a no-op
    Column("received_at", UTCDateTime(), nullable=False),
    UniqueConstraint("org_id", "sha256"),
)

appeal_payments = tenant_table(
    "appeal_payments",
    ref("appeal_id", nullable=False),
    ref("claim_payment_id", nullable=False),
    UniqueConstraint("appeal_id", "claim_payment_id"),
    refs={"appeal_id": "appeals", "claim_payment_id": "claim_payments"},
)
