"""dashboard indexes: claim payments by transaction, open claims by day, visits by patient

Claim payments are reached from the remittances dated in a period (first adjudication,
denials, cash); visits are matched to claims by patient, payer and date of service (net
revenue per visit); open claims are found by state and first date of service (A/R).
Plain CREATE INDEX, so SQLite's append-only triggers stay in place.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index(
        "ix_claim_payments_org_transaction", "claim_payments", ["org_id", "transaction_id"]
    )
    op.create_index(
        "ix_claims_org_state_dos", "claims", ["org_id", "state", "first_date_of_service"]
    )
    op.create_index(
        "ix_visits_org_patient_dos", "visits", ["org_id", "patient_id", "date_of_service"]
    )


def downgrade() -> None:
    op.drop_index("ix_visits_org_patient_dos", table_name="visits")
    op.drop_index("ix_claims_org_state_dos", table_name="claims")
    op.drop_index("ix_claim_payments_org_transaction", table_name="claim_payments")
