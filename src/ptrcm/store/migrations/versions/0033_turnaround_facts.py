"""turnaround facts: each claim's first denial and first follow-up in ``claim_facts``, and
covering indexes for charge lag, submission lag, denial follow-up, attendance and eval mix

``first_denied_on`` is the remittance date of the claim's first claim payment (by id) with
status 4 or a denial adjustment; ``followed_up_on`` the earlier of its first appeal sent
and its first move to appealed, corrected or voided (UTC day). Existing rows are filled
here, set-based, from the same rows ``ptrcm.store.claim_facts`` reads (``ptrcm db
refresh-facts`` rebuilds them too).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptrcm.domain.adjustment_codes import non_denial_carcs
from ptrcm.store.day_sql import least, utc_day
from ptrcm.store.types import UTCDateTime

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | None = None
depends_on: str | None = None

FACT_INDEXES = {  # as in ptrcm.store.tables.facts when this migration was written
    "ix_claim_facts_org_built": ["org_id", "built_at", "first_dos", "payer_id"],
    "ix_claim_facts_org_submitted": ["org_id", "first_submitted_at", "built_at", "payer_id"],
    "ix_claim_facts_org_denied": ["org_id", "first_denied_on", "followed_up_on", "payer_id"],
}
FOLLOW_UP_STATES = ("appealed", "corrected", "voided")
BASE_INDEXES: dict[str, tuple[str, list[str]]] = {  # as in ptrcm.store.tables.reporting
    "ix_appointments_org_start_status": (
        "appointments",
        ["org_id", "scheduled_start", "status", "location_id", "provider_id"],
    ),
    "ix_visit_services_org_code_visit": ("visit_services", ["org_id", "code", "visit_id"]),
    "ix_visits_org_dos_provider": (
        "visits",
        ["org_id", "date_of_service", "provider_id", "discipline", "id"],
    ),
}

_facts = sa.table(
    "claim_facts",
    sa.column("org_id"),
    sa.column("claim_id"),
    sa.column("first_denied_on", sa.Date()),
    sa.column("followed_up_on", sa.Date()),
)
_cp = sa.table(
    "claim_payments",
    sa.column("id"),
    sa.column("org_id"),
    sa.column("claim_id"),
    sa.column("transaction_id"),
    sa.column("status_code"),
)
_t = sa.table("remittance_transactions", sa.column("id"), sa.column("payment_date", sa.Date()))
_adj = sa.table(
    "adjustments",
    sa.column("org_id"),
    sa.column("claim_payment_id"),
    sa.column("group_code"),
    sa.column("carc"),
)
_appeals = sa.table(
    "appeals", sa.column("org_id"), sa.column("claim_id"), sa.column("submitted_on", sa.Date())
)
_moves = sa.table(
    "claim_transitions",
    sa.column("org_id"),
    sa.column("claim_id"),
    sa.column("to_state"),
    sa.column("occurred_at", UTCDateTime()),
)


def _fill() -> None:
    """Both columns of the existing rows, one correlated statement (run once)."""
    denied = sa.or_(
        _cp.c.status_code == "4",
        sa.exists().where(
            _adj.c.org_id == _cp.c.org_id,
            _adj.c.claim_payment_id == _cp.c.id,
            _adj.c.group_code != "CR",
            _adj.c.carc.not_in(sorted(non_denial_carcs())),
        ),
    )
    first_denied = (
        sa.select(_t.c.payment_date)
        .select_from(_cp.join(_t, _t.c.id == _cp.c.transaction_id))
        .where(_cp.c.org_id == _facts.c.org_id, _cp.c.claim_id == _facts.c.claim_id, denied)
        .order_by(_cp.c.id)
        .limit(1)
        .scalar_subquery()
    )
    sent = (
        sa.select(sa.func.min(_appeals.c.submitted_on))
        .where(_appeals.c.org_id == _facts.c.org_id, _appeals.c.claim_id == _facts.c.claim_id)
        .scalar_subquery()
    )
    moved = (
        sa.select(sa.func.min(utc_day(_moves.c.occurred_at)))
        .where(
            _moves.c.org_id == _facts.c.org_id,
            _moves.c.claim_id == _facts.c.claim_id,
            _moves.c.to_state.in_(FOLLOW_UP_STATES),
        )
        .scalar_subquery()
    )
    # Only the rows that get a value are written: rewriting every row would leave each
    # index of the table twice its size on PostgreSQL (a new row version per row).
    has_denial = sa.exists().where(
        _cp.c.org_id == _facts.c.org_id, _cp.c.claim_id == _facts.c.claim_id, denied
    )
    has_appeal = sa.exists().where(
        _appeals.c.org_id == _facts.c.org_id,
        _appeals.c.claim_id == _facts.c.claim_id,
        _appeals.c.submitted_on.is_not(None),
    )
    has_move = sa.exists().where(
        _moves.c.org_id == _facts.c.org_id,
        _moves.c.claim_id == _facts.c.claim_id,
        _moves.c.to_state.in_(FOLLOW_UP_STATES),
    )
    op.get_bind().execute(
        sa.update(_facts)
        .where(sa.or_(has_denial, has_appeal, has_move))
        .values(first_denied_on=first_denied, followed_up_on=least(sent, moved))
    )


def upgrade() -> None:
    op.add_column("claim_facts", sa.Column("first_denied_on", sa.Date(), nullable=True))
    op.add_column("claim_facts", sa.Column("followed_up_on", sa.Date(), nullable=True))
    _fill()
    for name, cols in FACT_INDEXES.items():
        op.create_index(name, "claim_facts", cols)
    for name, (table, cols) in BASE_INDEXES.items():
        op.create_index(name, table, cols)


def downgrade() -> None:
    for name, (table, _cols) in BASE_INDEXES.items():
        op.drop_index(name, table_name=table)
    for name in FACT_INDEXES:
        op.drop_index(name, table_name="claim_facts")
    with op.batch_alter_table("claim_facts") as batch:
        batch.drop_column("followed_up_on")
        batch.drop_column("first_denied_on")
