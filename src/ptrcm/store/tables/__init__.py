"""The schema (SQLAlchemy Core). Migrations in ``ptrcm.store.migrations`` create it."""

from ptrcm.store.tables.alerts import patient_inquiries, systemic_events
from ptrcm.store.tables.base import metadata
from ptrcm.store.tables.chart_audit import (
    chart_audit_results,
    chart_audits,
    records_requests,
    recoupments,
)
from ptrcm.store.tables.claims import (
    acknowledgments,
    claim_lines,
    claim_transitions,
    claim_versions,
    claims,
    control_counters,
    data_versions,
    edi_batches,
)
from ptrcm.store.tables.clearinghouse import clearinghouse_files, clearinghouse_status
from ptrcm.store.tables.clinical import (
    appointments,
    charges,
    import_quarantine,
    visit_services,
    visits,
)
from ptrcm.store.tables.facts import claim_fact_denials, claim_fact_payments, claim_facts
from ptrcm.store.tables.finance import (
    APPEND_ONLY_TABLES,
    adjustments,
    appeals,
    audit_log,
    claim_payments,
    ledger_entries,
    line_payments,
    patient_payments,
    remark_codes,
    remittance_files,
    remittance_transactions,
    statements,
    work_items,
)
from ptrcm.store.tables.identity import (
    GLOBAL_TABLES,
    IDENTITY_TABLES,
    api_tokens,
    login_attempts,
    memberships,
    sessions,
    users,
)
from ptrcm.store.tables.master import (
    authorizations,
    coverages,
    locations,
    organizations,
    patients,
    payer_plans,
    payers,
    plans_of_care,
    providers,
)
from ptrcm.store.tables.money_in import (
    ack_files,
    appeal_payments,
    fee_schedule_rates,
    fee_schedules,
    underpayments,
)
from ptrcm.store.tables.reporting import REPORTING_INDEXES
from ptrcm.store.tables.scrub import scrub_findings, scrub_runs
from ptrcm.store.tables.worklog import work_item_events, write_offs

__all__ = [
    "APPEND_ONLY_TABLES",
    "GLOBAL_TABLES",
    "IDENTITY_TABLES",
    "REPORTING_INDEXES",
    "ack_files",
    "acknowledgments",
    "adjustments",
    "api_tokens",
    "appeal_payments",
    "appeals",
    "appointments",
    "audit_log",
    "authorizations",
    "charges",
    "chart_audit_results",
    "chart_audits",
    "claim_fact_denials",
    "claim_fact_payments",
    "claim_facts",
    "claim_lines",
    "claim_payments",
    "claim_transitions",
    "claim_versions",
    "claims",
    "clearinghouse_files",
    "clearinghouse_status",
    "control_counters",
    "coverages",
    "data_versions",
    "edi_batches",
    "fee_schedule_rates",
    "fee_schedules",
    "import_quarantine",
    "ledger_entries",
    "line_payments",
    "locations",
    "login_attempts",
    "memberships",
    "metadata",
    "organizations",
    "patient_inquiries",
    "patient_payments",
    "patients",
    "payer_plans",
    "payers",
    "plans_of_care",
    "providers",
    "records_requests",
    "recoupments",
    "remark_codes",
    "remittance_files",
    "remittance_transactions",
    "scrub_findings",
    "scrub_runs",
    "sessions",
    "statements",
    "systemic_events",
    "underpayments",
    "users",
    "visit_services",
    "visits",
    "work_item_events",
    "work_items",
    "write_offs",
]

# Front-desk tables (issue 7) register on the same metadata when imported.
from ptrcm.store.tables import front_desk as front_desk
