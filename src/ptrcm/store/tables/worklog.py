"""What billers do to their work (0020): the history of each work item (assigned, noted,
status and follow-up changes) and write-offs with their approval."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, Index, String, Text

from ptrcm.store.tables.base import Json, ref, tenant_table
from ptrcm.store.types import MoneyType, UTCDateTime

work_item_events = tenant_table(
    "work_item_events",
    ref("work_item_id", nullable=False),
    ref("membership_id"),  # the member who acted (None: the command line)
    Column("actor", String(120), nullable=False),
    Column("event", String(16), nullable=False),
    Column("note", Text),
    Column("detail", Json),  # ids, states and dates only, never PHI
    Column("occurred_at", UTCDateTime(), nullable=False),
    Index("ix_work_item_events_org_item", "org_id", "work_item_id"),
    refs={"work_item_id": "work_items", "membership_id": "memberships"},
)

write_offs = tenant_table(
    "write_offs",
    ref("claim_id", nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("category", String(24), nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(10), nullable=False, server_default="pending"),
    Column("requested_by", String(120), nullable=False),
    Column("decided_by", String(120)),
    Column("decided_at", UTCDateTime()),
    Column("effective_date", Date, nullable=False),
    CheckConstraint("state IN ('pending', 'approved', 'refused')", name="state"),
    Index("ix_write_offs_org_claim", "org_id", "claim_id"),
    refs={"claim_id": "claims"},
)
