"""providers.staff_id: the EMR's staff id, which appointments name their therapist by

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_id", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_providers_org_staff", ["org_id", "staff_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_index("ix_providers_org_staff")
        batch_op.drop_column("staff_id")
