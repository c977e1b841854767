"""the audit trail accepts account-level rows: an insert policy of its own (PostgreSQL)

Migration 0017 gave ``audit_log`` the same policy as every tenant table: a row is seen and
written only inside a transaction naming its organization. Account operations (a user
added, a membership granted, a sign-in refused) happen before any organization is chosen
and name the organization in the row, so under the app role they were refused. Here the
single policy is replaced by two: reading stays per organization; appending is allowed
for the transaction's own organization, or for any organization when the transaction
names none (an account operation). A transaction working for one organization still
cannot write into another's trail; rows are never updated or deleted (the triggers of
the append-only tables refuse both).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 19:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | None = None
depends_on: str | None = None

_ORG = "NULLIF(current_setting('ptrcm.org_id', true), '')::bigint"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY IF EXISTS ptrcm_tenant ON audit_log")
    op.execute(
        f"CREATE POLICY ptrcm_tenant_read ON audit_log FOR SELECT TO PUBLIC USING (org_id = {_ORG})"
    )
    op.execute(
        "CREATE POLICY ptrcm_tenant_append ON audit_log FOR INSERT TO PUBLIC"
        f" WITH CHECK (org_id = {_ORG} OR {_ORG} IS NULL)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY IF EXISTS ptrcm_tenant_append ON audit_log")
    op.execute("DROP POLICY IF EXISTS ptrcm_tenant_read ON audit_log")
    op.execute(
        "CREATE POLICY ptrcm_tenant ON audit_log FOR ALL TO PUBLIC"
        f" USING (org_id = {_ORG}) WITH CHECK (org_id = {_ORG})"
    )
