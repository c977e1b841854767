"""Indexes the KPI engine (``ptrcm.analytics``) reads through, kept beside each other.

They are declared here, on the tables other modules own, so the reporting needs are in one
place; migrations 0007, 0009, 0011 and 0033 create them. Each one serves a date-range or
join the dashboard runs on every request (see docs/kpis.md and docs/benchmarks.md).
"""

from __future__ import annotations

from sqlalchemy import Index

from ptrcm.store.tables.claims import claim_lines, claim_transitions, claim_versions, claims
from ptrcm.store.tables.clinical import appointments, visit_services, visits
from ptrcm.store.tables.finance import (
    adjustments,
    appeals,
    claim_payments,
    line_payments,
    patient_payments,
    remittance_transactions,
)

REPORTING_INDEXES = (
    Index(
        "ix_remittance_transactions_org_payment_date",
        remittance_transactions.c.org_id,
        remittance_transactions.c.payment_date,
    ),
    Index("ix_adjustments_org_claim_payment", adjustments.c.org_id, adjustments.c.claim_payment_id),
    Index(
        "ix_claim_transitions_org_to_state_time",
        claim_transitions.c.org_id,
        claim_transitions.c.to_state,
        claim_transitions.c.occurred_at,
    ),
    Index("ix_claims_org_created", claims.c.org_id, claims.c.created_at),
    Index(
        "ix_claim_versions_org_submitted", claim_versions.c.org_id, claim_versions.c.submitted_at
    ),
    Index("ix_claim_lines_org_charge", claim_lines.c.org_id, claim_lines.c.charge_id),
    Index("ix_line_payments_org_claim_line", line_payments.c.org_id, line_payments.c.claim_line_id),
    Index("ix_appeals_org_claim", appeals.c.org_id, appeals.c.claim_id),
    Index("ix_appeals_org_decided", appeals.c.org_id, appeals.c.decided_on),
    Index("ix_patient_payments_org_claim", patient_payments.c.org_id, patient_payments.c.claim_id),
    Index(
        "ix_claim_payments_org_transaction",
        claim_payments.c.org_id,
        claim_payments.c.transaction_id,
    ),
    Index(
        "ix_claims_org_state_dos", claims.c.org_id, claims.c.state, claims.c.first_date_of_service
    ),
    Index(
        "ix_visits_org_patient_dos",
        visits.c.org_id,
        visits.c.patient_id,
        visits.c.date_of_service,
    ),
    Index(  # visits per day by payer and location, read from the index alone (0011)
        "ix_visits_org_dos_payer_location",
        visits.c.org_id,
        visits.c.date_of_service,
        visits.c.payer_id,
        visits.c.location_id,
    ),
    Index(  # attendance: appointments due in a period, from the index alone (0033)
        "ix_appointments_org_start_status",
        appointments.c.org_id,
        appointments.c.scheduled_start,
        appointments.c.status,
        appointments.c.location_id,
        appointments.c.provider_id,
    ),
    Index(  # eval mix: evaluation codes and their visits (0033)
        "ix_visit_services_org_code_visit",
        visit_services.c.org_id,
        visit_services.c.code,
        visit_services.c.visit_id,
    ),
    Index(  # eval mix: the period's visits with their therapist, from the index alone (0033)
        "ix_visits_org_dos_provider",
        visits.c.org_id,
        visits.c.date_of_service,
        visits.c.provider_id,
        visits.c.discipline,
        visits.c.id,
    ),
)
