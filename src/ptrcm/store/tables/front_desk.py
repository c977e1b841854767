"""The front end of the cycle: dated benefits snapshots per coverage, authorization terms
(units and covered codes), plan-of-care events (signatures, progress reports,
re-evaluations, discharge), patient estimates, and statement issues (a corrected
statement names the one it replaces; the old one is kept)."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, Date, Index, Integer, Numeric, String, Text

from ptrcm.store.tables.base import Json, ref, tenant_table
from ptrcm.store.types import MoneyType

# One verification of one coverage on one day: from a 271 response or entered by hand.
benefit_snapshots = tenant_table(
    "benefit_snapshots",
    ref("coverage_id", nullable=False),
    ref("patient_id", nullable=False),
    Column("verified_on", Date, nullable=False),
    Column("source", String(8), nullable=False),
    Column("source_file", String(255)),
    Column("trace", String(50)),
    Column("active", Boolean),
    Column("plan_start", Date),
    Column("plan_end", Date),
    Column("plan_year_start", Date),
    Column("copay", MoneyType()),
    Column("coinsurance_rate", Numeric(5, 4)),
    Column("deductible", MoneyType()),
    Column("deductible_remaining", MoneyType()),
    Column("oop_max", MoneyType()),
    Column("oop_remaining", MoneyType()),
    Column("visit_limit", Integer),
    Column("visits_used", Integer),
    Column("authorization_required", Boolean),
    Column("rejections", Json),  # [{"level", "reason", "follow_up", "meaning"}]
    CheckConstraint("source IN ('271', 'manual')", name="source"),
    Index("ix_benefit_snapshots_org_coverage", "org_id", "coverage_id", "verified_on"),
    refs={"coverage_id": "coverages", "patient_id": "patients"},
)

# What the authorizations table does not say: units, covered codes.
authorization_terms = tenant_table(
    "authorization_terms",
    ref("authorization_id", nullable=False),
    Column("units_authorized", Integer),
    Column("codes", Json),  # list of CPT/HCPCS codes, or null for any code
    Index("ix_authorization_terms_org_auth", "org_id", "authorization_id", unique=True),
    refs={"authorization_id": "authorizations"},
    cascade=frozenset({"authorization_id"}),
)

plan_of_care_events = tenant_table(
    "plan_of_care_events",
    ref("plan_of_care_id", nullable=False),
    Column("kind", String(16), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("note", Text),
    CheckConstraint(
        "kind IN ('signed', 'progress_report', 're_evaluation', 'discharge')", name="kind"
    ),
    Index("ix_plan_of_care_events_org_plan", "org_id", "plan_of_care_id"),
    refs={"plan_of_care_id": "plans_of_care"},
    cascade=frozenset({"plan_of_care_id"}),
)

patient_estimates = tenant_table(
    "patient_estimates",
    ref("patient_id", nullable=False),
    ref("coverage_id"),
    ref("snapshot_id"),
    Column("date_of_service", Date, nullable=False),
    Column("codes", Json, nullable=False),  # {"97110": 2, ...}
    Column("visits", Integer, nullable=False),
    Column("allowed", MoneyType(), nullable=False),
    # The patient's cost: NULL when the benefits were not verified (no number to give).
    Column("status", String(24), nullable=False),
    Column("visit_estimate", MoneyType()),
    Column("plan_low", MoneyType()),
    Column("plan_high", MoneyType()),
    Column("explanation", Json),
    CheckConstraint("status IN ('estimated', 'benefits_not_verified')", name="status"),
    CheckConstraint(
        "status = 'benefits_not_verified' OR (visit_estimate IS NOT NULL"
        " AND plan_low IS NOT NULL AND plan_high IS NOT NULL)",
        name="cost_given",
    ),
    Index("ix_patient_estimates_org_patient", "org_id", "patient_id", "date_of_service"),
    refs={
        "patient_id": "patients",
        "coverage_id": "coverages",
        "snapshot_id": "benefit_snapshots",
    },
)

statement_issues = tenant_table(
    "statement_issues",
    ref("statement_id", nullable=False),
    ref("replaces_statement_id"),
    Column("reason", Text),
    Column("lines", Json, nullable=False),  # what the statement showed, line by line
    Column("html_file", String(255)),
    Column("pdf_file", String(255)),
    Index("ix_statement_issues_org_statement", "org_id", "statement_id"),
    refs={"statement_id": "statements", "replaces_statement_id": "statements"},
)
