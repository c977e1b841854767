"""posting identity and append-only money tables

A remittance transaction records who paid (``payer_key``); with the check/EFT trace,
amount and date it is the payment's identity, unique per organization, so the same
payment is posted once whatever the file's bytes. Every table that records money
received, and what it was for, becomes append-only like the ledger: UPDATE and DELETE
are refused. (SQLite's ``INSERT OR REPLACE`` deletes the row it collides with; ptrcm's
connections turn ``recursive_triggers`` on, so that delete fires the DELETE guard and the
REPLACE is refused: ``ptrcm.store.db``. A BEFORE INSERT trigger per table would hold for
other clients too, but costs every posted row a lookup.)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 06:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptrcm.store.migrations.guards import add_append_only_guard, drop_append_only_guard

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

NEWLY_GUARDED = (
    "remittance_files",
    "remittance_transactions",
    "claim_payments",
    "line_payments",
    "adjustments",
    "remark_codes",
    "patient_payments",
)
PAYMENT_KEY = ["org_id", "payer_key", "trace_number", "payment_amount", "payment_date"]


def upgrade() -> None:
    # Plain ALTER TABLE / CREATE INDEX (no batch rebuild), so existing triggers stay.
    op.add_column("remittance_transactions", sa.Column("payer_key", sa.String(80)))
    op.create_index(
        "ux_remittance_transactions_payment", "remittance_transactions", PAYMENT_KEY, unique=True
    )
    for table in NEWLY_GUARDED:
        add_append_only_guard(table)


def downgrade() -> None:
    for table in NEWLY_GUARDED:
        drop_append_only_guard(table)
    op.drop_index("ux_remittance_transactions_payment", table_name="remittance_transactions")
    # SQLite 3.35+ drops a column in place (no table rebuild, so no trigger is lost).
    op.drop_column("remittance_transactions", "payer_key")
