"""claim lines by date of service: ``claim_lines (org_id, date_of_service)``

Posting an 835 looks up, for each chunk of claims, the other current lines of the same
patients on the same days (the multiple-procedure payment reduction is checked across
claims). Without this index the lookup went through ``claims (org_id, patient_id)`` and read
every claim a patient ever had, so the cost of a chunk grew with the practice's history
(and a large file's posting with the square of its size when its claims are the history).
By day, it reads the lines of those days. Plain CREATE INDEX.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-08 00:30:00
"""

from __future__ import annotations

from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_claim_lines_org_day", "claim_lines", ["org_id", "date_of_service"])


def downgrade() -> None:
    op.drop_index("ix_claim_lines_org_day", table_name="claim_lines")
