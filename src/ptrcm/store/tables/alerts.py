"""Systemic-denial events (issue 16) and the patient-inquiry log the service level reads.

``systemic_events``: one event a detector raised (``domain.alerts.detect``): kind, payer,
reason, the day, severity, a summary of figures (never patient data), the claim PCNs
behind it, the escalation (owner, due time), status and where it was sent.
``patient_inquiries``: a patient's billing question, opened and answered (no free text:
channel and topic codes), for the patient-inquiry service level.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, Index, String, UniqueConstraint

from ptrcm.store.tables.base import Json, ref, tenant_table
from ptrcm.store.types import UTCDateTime

systemic_events = tenant_table(
    "systemic_events",
    Column("kind", String(20), nullable=False),
    Column("payer", String(80), nullable=False),
    Column("reason", String(12), nullable=False, server_default=""),
    Column("detected_on", Date, nullable=False),
    Column("severity", String(8), nullable=False),
    Column("summary", String(400), nullable=False),
    Column("p_value", String(24)),
    Column("evidence", Json, nullable=False),  # claim PCNs
    Column("owner", String(120), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("status", String(12), nullable=False),
    Column("notified", Json, nullable=False),  # channels it was sent on
    Column("closed_at", UTCDateTime()),
    CheckConstraint("kind IN ('reason_spike', 'payer_silent', 'first_pass_drop')", name="kind"),
    CheckConstraint("status IN ('open', 'acknowledged', 'closed')", name="status"),
    CheckConstraint("severity IN ('high', 'medium')", name="severity"),
    UniqueConstraint(
        "org_id", "kind", "payer", "reason", "detected_on", name="uq_systemic_events_one_per_day"
    ),
    Index("ix_systemic_events_org_status", "org_id", "status"),
)

patient_inquiries = tenant_table(
    "patient_inquiries",
    ref("patient_id"),
    Column("channel", String(12), nullable=False),
    Column("topic", String(20), nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("answered_at", UTCDateTime()),
    Column("answered_by", String(120)),
    CheckConstraint("channel IN ('phone', 'portal', 'email', 'mail', 'in_person')", name="channel"),
    CheckConstraint(
        "topic IN ('balance', 'statement', 'insurance', 'payment_plan', 'estimate', 'other')",
        name="topic",
    ),
    Index("ix_patient_inquiries_org_opened", "org_id", "opened_at"),
    refs={"patient_id": "patients"},
)
