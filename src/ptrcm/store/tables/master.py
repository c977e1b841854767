"""Tenancy and master data: organizations, locations, providers, payers, patients, coverages,
plans of care and authorizations. (Users and memberships: ``identity``.)"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

from ptrcm.store.tables.base import created_at, id_column, metadata, ref, tenant_table

organizations = Table(
    "organizations",
    metadata,
    id_column(),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("npi", String(10)),
    Column("tin", String(9)),
    Column("taxonomy", String(10)),
    Column("timezone", String(64), nullable=False, server_default="America/Chicago"),
    created_at(),
)

locations = tenant_table(
    "locations",
    Column("external_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("npi", String(10)),
    Column("place_of_service", String(2)),
    Column("line1", String(120)),
    Column("city", String(80)),
    Column("state", String(2)),
    Column("zip", String(10)),
    Column("timezone", String(64)),
    UniqueConstraint("org_id", "external_id"),
)

providers = tenant_table(
    "providers",
    Column("external_id", String(64), nullable=False),
    Column("npi", String(10)),
    Column("name", String(200)),
    Column("credential", String(8), nullable=False),
    Column("discipline", String(3)),
    Column("active", Boolean, nullable=False, server_default=true()),
    # The EMR's own staff id (``T-001``): appointments name their therapist by it.
    Column("staff_id", String(64)),
    UniqueConstraint("org_id", "external_id"),
    Index("ix_providers_org_npi", "org_id", "npi"),
    Index("ix_providers_org_staff", "org_id", "staff_id"),
)

payers = tenant_table(
    "payers",
    Column("external_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("payer_class", String(32)),
    Column("payer_code", String(80)),
    Column("claim_type", String(4)),
    UniqueConstraint("org_id", "external_id"),
)

payer_plans = tenant_table(
    "payer_plans",
    ref("payer_id", nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("plan_type", String(32)),
    UniqueConstraint("org_id", "payer_id", "external_id"),
    refs={"payer_id": "payers"},
)

patients = tenant_table(
    "patients",
    Column("external_id", String(64), nullable=False),
    Column("first_name", String(80)),
    Column("last_name", String(80)),
    Column("birth_date", Date),
    Column("sex", String(1), nullable=False, server_default="U"),
    Column("line1", String(120)),
    Column("line2", String(120)),
    Column("city", String(80)),
    Column("state", String(2)),
    Column("zip", String(10)),
    # The names folded for search (``ptrcm.domain.patient_search.name_key``), kept by the
    # store on every write of a name (``ptrcm.store.visits.ExternalIds``).
    Column("first_key", String(80)),
    Column("last_key", String(80)),
    UniqueConstraint("org_id", "external_id"),
    Index("ix_patients_org_name", "org_id", "last_name", "first_name"),
    Index("ix_patients_org_birth", "org_id", "birth_date"),
)

coverages = tenant_table(
    "coverages",
    ref("patient_id", nullable=False),
    ref("payer_id", nullable=False),
    ref("plan_id"),
    Column("external_id", String(64)),
    Column("rank", String(9), nullable=False),
    Column("member_id", String(80)),
    Column("group_number", String(80)),
    Column("relationship", String(8), nullable=False, server_default="self"),
    Column("subscriber_first_name", String(80)),
    Column("subscriber_last_name", String(80)),
    Column("subscriber_birth_date", Date),
    Column("start_date", Date),
    Column("end_date", Date),
    CheckConstraint("rank IN ('primary', 'secondary', 'tertiary')", name="rank"),
    Index("ix_coverages_org_patient", "org_id", "patient_id"),
    Index("ix_coverages_org_member", "org_id", "member_id"),
    UniqueConstraint("org_id", "external_id"),
    refs={"patient_id": "patients", "payer_id": "payers", "plan_id": "payer_plans"},
)

plans_of_care = tenant_table(
    "plans_of_care",
    ref("patient_id", nullable=False),
    ref("provider_id"),
    Column("external_id", String(64)),
    Column("discipline", String(3), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("certified_on", Date),
    Column("through", Date),
    Column("visits_planned", Integer),
    Column("diagnoses", Text),
    Index("ix_plans_of_care_org_patient", "org_id", "patient_id"),
    UniqueConstraint("org_id", "external_id"),
    refs={"patient_id": "patients", "provider_id": "providers"},
)

authorizations = tenant_table(
    "authorizations",
    ref("patient_id", nullable=False),
    ref("payer_id"),
    Column("external_id", String(64)),
    Column("number", String(80)),
    Column("discipline", String(3)),
    Column("visits_authorized", Integer),
    Column("visits_used", Integer),
    Column("start_date", Date),
    Column("end_date", Date),
    Index("ix_authorizations_org_patient", "org_id", "patient_id"),
    UniqueConstraint("org_id", "external_id"),
    refs={"patient_id": "patients", "payer_id": "payers"},
)
