"""row-level security on every tenant table (PostgreSQL; nothing on SQLite)

A second wall behind the repositories' ``WHERE org_id``: a role that is not the tables'
owner sees and writes only the rows of the organization its transaction names
(``ptrcm.org_id``, set by ``ptrcm.store.tenancy``), and none when it names none. The
tables are listed here as they are at this revision; ``organizations`` and ``users`` are
read before an organization is known and stay outside (``ptrcm.store.tenancy.RLS_EXEMPT``).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00.000000
"""

from __future__ import annotations

from ptrcm.store.migrations.policies import add_tenant_policy, drop_tenant_policy

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | None = None
depends_on: str | None = None

TENANT_TABLES = (
    "ack_files", "acknowledgments", "adjustments", "appeal_payments", "appeals",
    "appointments", "audit_log", "authorization_terms", "authorizations", "benefit_snapshots",
    "charges", "claim_fact_denials", "claim_fact_payments", "claim_facts", "claim_lines",
    "claim_payments", "claim_transitions", "claim_versions", "claims", "control_counters",
    "coverages", "edi_batches", "fee_schedule_rates", "fee_schedules", "import_quarantine",
    "ledger_entries", "line_payments", "locations", "patient_estimates", "patient_payments",
    "patients", "payer_plans", "payers", "plan_of_care_events", "plans_of_care", "providers",
    "remark_codes", "remittance_files", "remittance_transactions", "scrub_findings",
    "scrub_runs", "statement_issues", "statements", "underpayments", "visit_services",
    "visits", "work_items",
)  # fmt: skip


def upgrade() -> None:
    for table in TENANT_TABLES:
        add_tenant_policy(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        drop_tenant_policy(table)
