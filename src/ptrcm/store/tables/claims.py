"""Claims and their versions, lines and state history; 837 batches, control numbers and
acknowledgments (999 / 277CA)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from ptrcm.store.tables.base import Json, ref, tenant_table
from ptrcm.store.types import MoneyType, UTCDateTime

claims = tenant_table(
    "claims",
    Column("pcn", String(38), nullable=False),  # patient control number, CLM01
    ref("patient_id", nullable=False),
    ref("payer_id", nullable=False),
    ref("coverage_id"),
    Column("rank", String(9), nullable=False, server_default="primary"),
    Column("claim_type", String(4), nullable=False, server_default="837P"),
    Column("discipline", String(3)),
    Column("state", String(20), nullable=False),
    Column("total_charge", MoneyType(), nullable=False),
    Column("first_date_of_service", Date, nullable=False),
    Column("last_date_of_service", Date, nullable=False),
    Column("current_version", Integer, nullable=False, server_default="1"),
    Column("updated_at", UTCDateTime()),
    UniqueConstraint("org_id", "pcn"),
    Index("ix_claims_org_payer", "org_id", "payer_id"),
    Index("ix_claims_org_patient", "org_id", "patient_id"),
    Index("ix_claims_org_state", "org_id", "state"),
    Index("ix_claims_org_dos", "org_id", "first_date_of_service"),
    refs={"patient_id": "patients", "payer_id": "payers", "coverage_id": "coverages"},
)

edi_batches = tenant_table(
    "edi_batches",
    Column("kind", String(5), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("isa_control", BigInteger, nullable=False),
    Column("gs_control", BigInteger, nullable=False),
    Column("st_control_first", BigInteger),
    Column("st_control_last", BigInteger),
    Column("claim_count", Integer, nullable=False, server_default="0"),
    Column("total_charge", MoneyType(), nullable=False),
    Column("state", String(12), nullable=False, server_default="written"),
    Column("sent_at", UTCDateTime()),
    UniqueConstraint("org_id", "isa_control"),
    UniqueConstraint("org_id", "file_name"),
)

claim_versions = tenant_table(
    "claim_versions",
    ref("claim_id", nullable=False),
    ref("batch_id"),
    Column("version_number", Integer, nullable=False),
    Column("frequency_code", String(1), nullable=False),
    Column("payer_claim_number", String(50)),
    Column("state", String(20), nullable=False),
    Column("total_charge", MoneyType(), nullable=False),
    Column("submitted_at", UTCDateTime()),
    Column("document", Json),
    CheckConstraint("frequency_code IN ('1', '7', '8')", name="frequency_code"),
    UniqueConstraint("claim_id", "version_number"),
    Index("ix_claim_versions_org_payer_claim_number", "org_id", "payer_claim_number"),
    Index("ix_claim_versions_org_claim", "org_id", "claim_id"),  # claim facts refresh (0014)
    refs={"claim_id": "claims", "batch_id": "edi_batches"},
)

claim_lines = tenant_table(
    "claim_lines",
    ref("claim_version_id", nullable=False),
    ref("charge_id"),
    ref("rendering_provider_id"),
    Column("line_number", Integer, nullable=False),
    Column("date_of_service", Date, nullable=False),
    Column("code", String(5), nullable=False),
    Column("modifiers", String(40)),
    Column("units", Integer, nullable=False),
    Column("charge_amount", MoneyType(), nullable=False),
    Column("dx_pointers", String(20)),
    UniqueConstraint("claim_version_id", "line_number"),
    Index("ix_claim_lines_org_version", "org_id", "claim_version_id"),  # lines by version (0019)
    Index("ix_claim_lines_org_day", "org_id", "date_of_service"),  # same-day lines (0037)
    refs={
        "claim_version_id": "claim_versions",
        "charge_id": "charges",
        "rendering_provider_id": "providers",
    },
)

# Append-only (guarded by triggers): every state change of a claim, who, when and why.
claim_transitions = tenant_table(
    "claim_transitions",
    ref("claim_id", nullable=False),
    ref("claim_version_id"),
    ref("membership_id"),
    Column("actor", String(120), nullable=False),
    Column("from_state", String(20)),
    Column("to_state", String(20), nullable=False),
    Column("reason", Text),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Index("ix_claim_transitions_org_claim", "org_id", "claim_id"),
    refs={
        "claim_id": "claims",
        "claim_version_id": "claim_versions",
        "membership_id": "memberships",
    },
)

control_counters = tenant_table(
    "control_counters",
    Column("counter", String(3), nullable=False),
    Column("last_value", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("counter IN ('ISA', 'GS', 'ST')", name="counter"),
    UniqueConstraint("org_id", "counter"),
)

# One row per organization: bumped by every committed unit of work (``ptrcm.store.
# data_version``), read by the web's read cache to know its entries are still current.
data_versions = tenant_table(
    "data_versions",
    Column("version", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("org_id"),
)

acknowledgments = tenant_table(
    "acknowledgments",
    ref("batch_id"),
    ref("claim_id"),
    Column("kind", String(5), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("control_number", String(20)),
    Column("status", String(20), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("detail", Json),
    CheckConstraint("kind IN ('999', '277CA', '277')", name="kind"),
    Index("ix_acknowledgments_org_claim", "org_id", "claim_id"),
    refs={"batch_id": "edi_batches", "claim_id": "claims"},
)
