"""claim lines by version: ``claim_lines (org_id, claim_version_id)``

Loading claims reads their current lines with ``org_id = ? AND claim_version_id IN
(...)``. With only ``(claim_version_id, line_number)`` and ``(org_id, charge_id)`` to
choose from, SQLite took the second and walked every claim line of the organization for
each load (2 ms a load at the demo's default size, growing with the organization; 2,100
loads a demo run). This index matches the condition. Plain CREATE INDEX, so SQLite's
append-only triggers stay in place.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 19:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_claim_lines_org_version", "claim_lines", ["org_id", "claim_version_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_lines_org_version", table_name="claim_lines")
