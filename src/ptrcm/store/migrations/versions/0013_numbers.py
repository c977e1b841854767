"""patient_estimates.status: an estimate without verified benefits gives no patient cost

Until now an estimate made before the benefits were verified stored $0.00 as the patient's
cost. It now stores status ``benefits_not_verified`` and no cost (NULL); every existing row
was made with the terms it had and becomes ``estimated``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ptrcm.store.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None

MONEY = ptrcm.store.types.MoneyType(precision=12, scale=2)
COSTS = ("visit_estimate", "plan_low", "plan_high")


def upgrade() -> None:
    with op.batch_alter_table("patient_estimates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=24), nullable=True))
    op.execute("UPDATE patient_estimates SET status = 'estimated'")
    with op.batch_alter_table("patient_estimates", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=24), nullable=False)
        for name in COSTS:
            batch_op.alter_column(name, existing_type=MONEY, nullable=True)
        batch_op.create_check_constraint(
            op.f("ck_patient_estimates_status"), "status IN ('estimated', 'benefits_not_verified')"
        )
        batch_op.create_check_constraint(
            op.f("ck_patient_estimates_cost_given"),
            "status = 'benefits_not_verified' OR (visit_estimate IS NOT NULL"
            " AND plan_low IS NOT NULL AND plan_high IS NOT NULL)",
        )


def downgrade() -> None:
    op.execute("DELETE FROM patient_estimates WHERE status = 'benefits_not_verified'")
    with op.batch_alter_table("patient_estimates", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_patient_estimates_cost_given"), type_="check")
        batch_op.drop_constraint(op.f("ck_patient_estimates_status"), type_="check")
        for name in COSTS:
            batch_op.alter_column(name, existing_type=MONEY, nullable=False)
        batch_op.drop_column("status")
