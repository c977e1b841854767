"""search keys: patients' name keys, and indexes for finding a patient or a claim

``patients.first_key`` and ``last_key`` hold each name folded for search (lower case, no
accents: ``ptrcm.domain.patient_search.name_key``), so a prefix search gives the same
answer on SQLite and PostgreSQL without collations or extensions; existing rows are keyed
here. Indexes: patients by birth date, coverages and visits by member id, claim facts by
patient (a patient's account and the claims list narrowed to one patient).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ptrcm.domain.patient_search import name_key

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | None = None
depends_on: str | None = None

INDEXES = (
    ("ix_patients_org_birth", "patients", ["org_id", "birth_date"]),
    ("ix_coverages_org_member", "coverages", ["org_id", "member_id"]),
    ("ix_visits_org_member", "visits", ["org_id", "member_id"]),
    ("ix_claim_facts_org_patient", "claim_facts", ["org_id", "patient_id", "first_dos"]),
)


def upgrade() -> None:
    op.add_column("patients", sa.Column("first_key", sa.String(length=80), nullable=True))
    op.add_column("patients", sa.Column("last_key", sa.String(length=80), nullable=True))
    conn = op.get_bind()
    patients = sa.table(
        "patients",
        sa.column("id", sa.Integer),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
        sa.column("first_key", sa.String),
        sa.column("last_key", sa.String),
    )
    rows = conn.execute(sa.select(patients.c.id, patients.c.first_name, patients.c.last_name))
    keyed = [
        {"target": i, "fk": (name_key(first) or "")[:80] or None,
         "lk": (name_key(last) or "")[:80] or None}
        for i, first, last in rows
    ]  # fmt: skip
    if keyed:
        conn.execute(
            patients.update()
            .where(patients.c.id == sa.bindparam("target"))
            .values(first_key=sa.bindparam("fk"), last_key=sa.bindparam("lk")),
            keyed,
        )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_column("last_key")
        batch_op.drop_column("first_key")
