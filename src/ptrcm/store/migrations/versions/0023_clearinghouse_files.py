"""clearinghouse connectivity: files sent and fetched per connector (name + SHA-256) and
each connector's status (issue 14)

Both are tenant tables: row-level security as for every other (``add_tenant_policy``).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 23:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ptrcm.store.types
from ptrcm.store.migrations.policies import add_tenant_policy, drop_tenant_policy

TABLES = ("clearinghouse_files", "clearinghouse_status")

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | None = None
depends_on: str | None = None


def _id(name: str = "id", **kw: object) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), **kw)  # type: ignore[arg-type]


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, ptrcm.store.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "clearinghouse_files",
        _id(autoincrement=True, nullable=False),
        _id("org_id", nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("remote_name", sa.String(length=255), nullable=False),
        sa.Column("local_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        _when("updated_at", False),
        _when("created_at", False),
        sa.CheckConstraint(
            "direction IN ('in', 'out')", name=op.f("ck_clearinghouse_files_direction")
        ),
        sa.CheckConstraint(
            "status IN ('sending', 'sent', 'fetched', 'posted', 'failed')",
            name=op.f("ck_clearinghouse_files_status"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_clearinghouse_files_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearinghouse_files")),
        sa.UniqueConstraint(
            "org_id",
            "connector",
            "direction",
            "remote_name",
            "sha256",
            name="uq_clearinghouse_files_identity",
        ),
        sa.UniqueConstraint("org_id", "id", name=op.f("uq_clearinghouse_files_org_id_id")),
    )
    op.create_index(
        "ix_clearinghouse_files_org_connector",
        "clearinghouse_files",
        ["org_id", "connector", "direction", "status"],
        unique=False,
    )
    op.create_table(
        "clearinghouse_status",
        _id(autoincrement=True, nullable=False),
        _id("org_id", nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("last_action", sa.String(length=8), nullable=True),
        _when("last_success_at", True),
        _when("last_error_at", True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        _when("created_at", False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_clearinghouse_status_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearinghouse_status")),
        sa.UniqueConstraint("org_id", "connector", name="uq_clearinghouse_status_connector"),
        sa.UniqueConstraint("org_id", "id", name=op.f("uq_clearinghouse_status_org_id_id")),
    )
    for table in TABLES:
        add_tenant_policy(table)
    _ack_kinds("kind IN ('999', '277CA', '277')")  # 277 claim-status answers are posted too


def _ack_kinds(condition: str) -> None:
    with op.batch_alter_table("acknowledgments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_acknowledgments_kind"), type_="check")
        batch_op.create_check_constraint("kind", condition)


def downgrade() -> None:
    _ack_kinds("kind IN ('999', '277CA')")
    for table in reversed(TABLES):
        drop_tenant_policy(table)
    op.drop_table("clearinghouse_status")
    op.drop_index("ix_clearinghouse_files_org_connector", table_name="clearinghouse_files")
    op.drop_table("clearinghouse_files")
