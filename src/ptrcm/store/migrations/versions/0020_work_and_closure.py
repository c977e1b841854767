"""work queues that act and denials to closure (issue 13)

* ``work_items.version`` (optimistic concurrency: a change naming an older version is
  refused) and ``work_items.follow_up_on`` (the assignee's next look);
* ``work_item_events``: each item's history (assigned, noted, status, follow-up), append-only;
* ``appeals.sent_method``: how an appeal went out (``submitted_on`` says when);
* ``write_offs``: a write-off's amount, reason category and approval.

The new tables get the tenant policy of 0017 (PostgreSQL).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 19:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ptrcm.store.types
from ptrcm.store.migrations.guards import add_append_only_guard, drop_append_only_guard
from ptrcm.store.migrations.policies import add_tenant_policy, drop_tenant_policy

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | None = None
depends_on: str | None = None

NEW_TABLES = ("work_item_events", "write_offs")


def upgrade() -> None:
    op.create_table(
        "write_offs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amount", ptrcm.store.types.MoneyType(precision=12, scale=2), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), server_default="pending", nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", ptrcm.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("created_at", ptrcm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'refused')", name=op.f("ck_write_offs_state")
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "claim_id"],
            ["claims.org_id", "claims.id"],
            name=op.f("fk_write_offs_org_id_claim_id_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_write_offs_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_offs")),
        sa.UniqueConstraint("org_id", "id", name=op.f("uq_write_offs_org_id_id")),
    )
    with op.batch_alter_table("write_offs", schema=None) as batch_op:
        batch_op.create_index("ix_write_offs_org_claim", ["org_id", "claim_id"], unique=False)

    op.create_table(
        "work_item_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "work_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "membership_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("occurred_at", ptrcm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", ptrcm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "membership_id"],
            ["memberships.org_id", "memberships.id"],
            name=op.f("fk_work_item_events_org_id_membership_id_memberships"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "work_item_id"],
            ["work_items.org_id", "work_items.id"],
            name=op.f("fk_work_item_events_org_id_work_item_id_work_items"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_work_item_events_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_item_events")),
        sa.UniqueConstraint("org_id", "id", name=op.f("uq_work_item_events_org_id_id")),
    )
    with op.batch_alter_table("work_item_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_item_events_org_item", ["org_id", "work_item_id"], unique=False
        )

    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_method", sa.String(length=12), nullable=True))

    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("follow_up_on", sa.Date(), nullable=True))

    add_append_only_guard("work_item_events")
    for table in NEW_TABLES:
        add_tenant_policy(table)


def downgrade() -> None:
    for table in NEW_TABLES:
        drop_tenant_policy(table)
    drop_append_only_guard("work_item_events")
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.drop_column("follow_up_on")
        batch_op.drop_column("version")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_column("sent_method")
    op.drop_table("work_item_events")
    op.drop_table("write_offs")
