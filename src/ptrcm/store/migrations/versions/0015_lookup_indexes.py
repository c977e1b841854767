"""lookup indexes: claim versions by claim, ledger entries by claim line

``claim_versions (org_id, claim_id)`` lets the claim-facts refresh find the first version
of the claims it rewrites by index (SQLite otherwise walked every version of the
organization through ``(org_id, submitted_at)`` on each refresh). ``ledger_entries
(org_id, claim_line_id)`` backs the foreign key from ledger entries to claim lines, so
replacing a claim's lines (after safe fixes) no longer scans the ledger for each line.
Plain CREATE INDEX, so SQLite's append-only triggers stay in place.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 15:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_claim_versions_org_claim", "claim_versions", ["org_id", "claim_id"])
    op.create_index(
        "ix_ledger_entries_org_claim_line", "ledger_entries", ["org_id", "claim_line_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_entries_org_claim_line", table_name="ledger_entries")
    op.drop_index("ix_claim_versions_org_claim", table_name="claim_versions")
