"""Money after the claim: remittances (835), the append-only ledger, work queues, appeals,
patient payments and statements, and the append-only audit log."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)

from ptrcm.store.tables.base import Json, ref, tenant_table
from ptrcm.store.types import MoneyType, UTCDateTime

remittance_files = tenant_table(
    "remittance_files",
    ref("payer_id"),
    Column("file_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),  # posting the same file twice is a no-op
    Column("received_at", UTCDateTime(), nullable=False),
    UniqueConstraint("org_id", "sha256"),
    refs={"payer_id": "payers"},
)

remittance_transactions = tenant_table(
    "remittance_transactions",
    ref("remittance_file_id", nullable=False),
    ref("payer_id"),
    Column("st_control", String(9)),
    Column("trace_number", String(50)),  # TRN02: check or EFT number
    Column("payment_method", String(3)),
    Column("payment_amount", MoneyType(), nullable=False),
    Column("payment_date", Date),
    # Who paid (TRN03, else the N1*PR id or name): with TRN02, BPR02 and BPR16 the
    # payment's identity; the same payment is posted once, whatever the file's bytes.
    Column("payer_key", String(80)),
    Index("ix_remittance_transactions_org_trace", "org_id", "trace_number"),
    Index(
        "ux_remittance_transactions_payment",
        "org_id",
        "payer_key",
        "trace_number",
        "payment_amount",
        "payment_date",
        unique=True,
    ),
    refs={"remittance_file_id": "remittance_files", "payer_id": "payers"},
)

claim_payments = tenant_table(
    "claim_payments",
    ref("transaction_id", nullable=False),
    ref("claim_id"),  # null until matched to one of our claims
    Column("pcn", String(38), nullable=False),
    Column("payer_claim_number", String(50)),
    Column("status_code", String(2), nullable=False),
    Column("charge_amount", MoneyType(), nullable=False),
    Column("paid_amount", MoneyType(), nullable=False),
    Column("patient_responsibility", MoneyType()),
    Column("segment_ref", String(40)),
    Index("ix_claim_payments_org_pcn", "org_id", "pcn"),
    Index("ix_claim_payments_org_claim", "org_id", "claim_id"),
    refs={"transaction_id": "remittance_transactions", "claim_id": "claims"},
)

line_payments = tenant_table(
    "line_payments",
    ref("claim_payment_id", nullable=False),
    ref("claim_line_id"),
    Column("code", String(5), nullable=False),
    Column("modifiers", String(40)),
    Column("charge_amount", MoneyType(), nullable=False),
    Column("paid_amount", MoneyType(), nullable=False),
    Column("units_paid", Integer),
    Column("date_of_service", Date),
    Column("segment_ref", String(40)),
    Index("ix_line_payments_org_claim_payment", "org_id", "claim_payment_id"),
    refs={"claim_payment_id": "claim_payments", "claim_line_id": "claim_lines"},
)

adjustments = tenant_table(
    "adjustments",
    ref("claim_payment_id", nullable=False),
    ref("line_payment_id"),
    Column("group_code", String(2), nullable=False),
    Column("carc", String(5), nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("quantity", Numeric(15, 2)),
    CheckConstraint("group_code IN ('CO', 'PR', 'OA', 'PI', 'CR')", name="group_code"),
    Index("ix_adjustments_org_carc", "org_id", "carc"),
    refs={"claim_payment_id": "claim_payments", "line_payment_id": "line_payments"},
)

remark_codes = tenant_table(
    "remark_codes",
    ref("claim_payment_id", nullable=False),
    ref("line_payment_id"),
    Column("rarc", String(6), nullable=False),
    refs={"claim_payment_id": "claim_payments", "line_payment_id": "line_payments"},
)

# Append-only (guarded by triggers): a reversal is a new entry that names the one it reverses.
ledger_entries = tenant_table(
    "ledger_entries",
    Column("account", String(32), nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("effective_date", Date, nullable=False),
    ref("patient_id"),
    ref("payer_id"),
    ref("claim_id"),
    ref("claim_line_id"),
    ref("remittance_file_id"),
    ref("reverses_entry_id"),
    Column("source", String(255)),  # file name or command that produced the entry
    Column("segment_ref", String(40)),  # e.g. "CLP@1234" inside the source file
    Column("memo", Text),
    Index("ix_ledger_entries_org_claim", "org_id", "claim_id"),
    Index("ix_ledger_entries_org_patient", "org_id", "patient_id"),
    Index("ix_ledger_entries_org_date", "org_id", "effective_date"),
    Index("ix_ledger_entries_org_claim_line", "org_id", "claim_line_id"),  # its FK (0014)
    refs={
        "patient_id": "patients",
        "payer_id": "payers",
        "claim_id": "claims",
        "claim_line_id": "claim_lines",
        "remittance_file_id": "remittance_files",
        "reverses_entry_id": "ledger_entries",
    },
)

work_items = tenant_table(
    "work_items",
    ref("claim_id"),
    ref("assigned_membership_id"),
    Column("kind", String(24), nullable=False),
    Column("state", String(12), nullable=False, server_default="open"),
    Column("amount", MoneyType()),
    Column("due_date", Date),
    Column("reason", Text),
    Column("carc", String(5)),
    Column("updated_at", UTCDateTime()),
    Column("resolved_at", UTCDateTime()),
    # Optimistic concurrency: every change raises it; a change naming an older one is
    # refused (two billers cannot overwrite each other). 0020.
    Column("version", Integer, nullable=False, server_default="1"),
    Column("follow_up_on", Date),  # when the assignee means to look again (0020)
    CheckConstraint("state IN ('open', 'in_progress', 'done', 'dismissed')", name="state"),
    Index("ix_work_items_org_state_due", "org_id", "state", "due_date"),
    Index("ix_work_items_org_claim", "org_id", "claim_id"),
    refs={"claim_id": "claims", "assigned_membership_id": "memberships"},
)

appeals = tenant_table(
    "appeals",
    ref("claim_id", nullable=False),
    ref("work_item_id"),
    Column("level", Integer, nullable=False, server_default="1"),
    Column("deadline", Date, nullable=False),
    Column("submitted_on", Date),
    Column("sent_method", String(12)),  # mail, fax, portal, edi (0020)
    Column("letter", Text),
    Column("outcome", String(12), nullable=False, server_default="pending"),
    Column("recovered_amount", MoneyType()),
    Column("decided_on", Date),
    CheckConstraint(
        "outcome IN ('pending', 'overturned', 'partial', 'upheld', 'withdrawn')", name="outcome"
    ),
    Index("ix_appeals_org_deadline", "org_id", "deadline"),
    refs={"claim_id": "claims", "work_item_id": "work_items"},
)

statements = tenant_table(
    "statements",
    ref("patient_id", nullable=False),
    Column("statement_date", Date, nullable=False),
    Column("due_date", Date),
    Column("balance", MoneyType(), nullable=False),
    Column("file_name", String(255)),
    Column("state", String(12), nullable=False, server_default="draft"),
    Column("sent_at", UTCDateTime()),
    Index("ix_statements_org_patient", "org_id", "patient_id"),
    refs={"patient_id": "patients"},
)

patient_payments = tenant_table(
    "patient_payments",
    ref("patient_id", nullable=False),
    ref("statement_id"),
    ref("claim_id"),
    Column("amount", MoneyType(), nullable=False),
    Column("method", String(10), nullable=False),
    Column("reference", String(80)),
    Column("received_at", UTCDateTime(), nullable=False),
    Index("ix_patient_payments_org_patient", "org_id", "patient_id"),
    refs={"patient_id": "patients", "statement_id": "statements", "claim_id": "claims"},
)

# Append-only (guarded by triggers): who read or changed which record, and when (§8).
audit_log = tenant_table(
    "audit_log",
    ref("membership_id"),  # the member who acted (None: the command line or a job)
    ref("patient_id"),
    Column("actor", String(120), nullable=False),
    Column("action", String(12), nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("record_id", String(64)),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("detail", Json),  # ids and counts only, never PHI
    Column("client_address", String(64)),  # where a web request came from
    CheckConstraint(
        "action IN ('read', 'create', 'update', 'delete', 'import', 'export')", name="action"
    ),
    Index("ix_audit_log_org_time", "org_id", "occurred_at"),
    Index("ix_audit_log_org_patient", "org_id", "patient_id"),
    refs={"membership_id": "memberships", "patient_id": "patients"},
)
# Rows are written without RETURNING: on PostgreSQL an account operation (no organization
# chosen yet) may append to any organization's trail but may not read it back (0018).
audit_log.implicit_returning = False

# Append-only (guarded by triggers, REPLACE included): money received and what it was for,
# the ledger, claim transitions and the audit log. A correction is a new row.
APPEND_ONLY_TABLES = (
    "ledger_entries",
    "claim_transitions",
    "audit_log",
    "remittance_files",
    "remittance_transactions",
    "claim_payments",
    "line_payments",
    "adjustments",
    "remark_codes",
    "patient_payments",
    "work_item_events",
)
