"""Clinical activity: appointments, visits with their services, charges, import quarantine."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ptrcm.store.tables.base import Id, Json, metadata, ref, tenant_table
from ptrcm.store.types import MoneyType, UTCDateTime

appointments = tenant_table(
    "appointments",
    Column("external_id", String(64), nullable=False),
    ref("patient_id", nullable=False),
    ref("provider_id"),
    ref("location_id"),
    ref("visit_id"),
    Column("scheduled_start", UTCDateTime(), nullable=False),
    Column("duration_minutes", Integer),
    Column("discipline", String(3)),
    Column("status", String(12), nullable=False),
    Column("status_changed_at", UTCDateTime()),
    Column("reason", Text),
    CheckConstraint(
        "status IN ('scheduled', 'kept', 'no_show', 'late_cancel', 'cancelled')", name="status"
    ),
    UniqueConstraint("org_id", "external_id"),
    Index("ix_appointments_org_start", "org_id", "scheduled_start"),
    Index("ix_appointments_org_patient", "org_id", "patient_id"),
    refs={
        "patient_id": "patients",
        "provider_id": "providers",
        "location_id": "locations",
        "visit_id": "visits",
    },
)

visits = tenant_table(
    "visits",
    Column("external_id", String(64), nullable=False),
    ref("patient_id", nullable=False),
    ref("payer_id", nullable=False),
    ref("provider_id"),
    ref("location_id"),
    Column("date_of_service", Date, nullable=False),
    Column("discipline", String(3), nullable=False),
    Column("member_id", String(80)),
    Column("place_of_service", String(2)),
    Column("diagnoses", Json, nullable=False),
    Column("total_timed_minutes", Integer),
    Column("total_treatment_minutes", Integer),
    Column("episode_visit_number", Integer),
    # The whole interchange record, so a stored visit reads back exactly as imported.
    Column("record", Json, nullable=False),
    Column("source_file", String(255)),
    Column("source_line", Integer),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("org_id", "external_id"),
    Index("ix_visits_org_dos", "org_id", "date_of_service"),
    Index("ix_visits_org_patient", "org_id", "patient_id"),
    Index("ix_visits_org_payer", "org_id", "payer_id"),
    Index("ix_visits_org_member", "org_id", "member_id"),
    refs={
        "patient_id": "patients",
        "payer_id": "payers",
        "provider_id": "providers",
        "location_id": "locations",
    },
)

# Visits per date of service, payer and location (migration 0035,
# ``ptrcm.store.visit_rollup``): what the dashboard counts (visits, net revenue per visit)
# without reading every visit of the period. Kept by the visit writer in the transaction
# that writes the visits; ``location_id`` is NO_LOCATION (0) for a visit with none.
NO_LOCATION = 0
visit_rollup = Table(
    "visit_rollup",
    metadata,
    Column("org_id", Id, nullable=False),
    Column("date_of_service", Date, nullable=False),
    Column("payer_id", Id, nullable=False),
    Column("location_id", Id, nullable=False),
    Column("visits", Integer, nullable=False),
    PrimaryKeyConstraint("org_id", "date_of_service", "payer_id", "location_id"),
)

visit_services = tenant_table(
    "visit_services",
    ref("visit_id", nullable=False),
    Column("line_number", Integer, nullable=False),
    Column("code", String(5), nullable=False),
    Column("minutes", Integer),
    Column("assistant_minutes", Integer, nullable=False, server_default="0"),
    Column("billed_units", Integer),
    Column("modifiers", String(40)),
    Column("dx_pointers", String(20)),
    UniqueConstraint("visit_id", "line_number"),
    Index("ix_visit_services_org_code", "org_id", "code"),
    refs={"visit_id": "visits"},
    cascade=frozenset({"visit_id"}),
)

charges = tenant_table(
    "charges",
    ref("visit_id", nullable=False),
    ref("visit_service_id"),
    ref("payer_id"),
    Column("date_of_service", Date, nullable=False),
    Column("code", String(5), nullable=False),
    Column("modifiers", String(40)),
    Column("units", Integer, nullable=False),
    Column("expected_units", Integer),
    Column("unit_charge", MoneyType(), nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("dx_pointers", String(20)),
    Column("state", String(10), nullable=False, server_default="open"),
    CheckConstraint("state IN ('open', 'billed', 'held', 'void')", name="state"),
    Index("ix_charges_org_visit", "org_id", "visit_id"),
    refs={"visit_id": "visits", "visit_service_id": "visit_services", "payer_id": "payers"},
)

import_quarantine = tenant_table(
    "import_quarantine",
    Column("kind", String(20), nullable=False),
    Column("source_file", String(255), nullable=False),
    Column("line", Integer),
    Column("record_id", String(64)),
    Column("record_text", Text, nullable=False),
    Column("problems", Json, nullable=False),
    Column("resolved_at", UTCDateTime()),
    Index("ix_import_quarantine_org_kind", "org_id", "kind"),
)
