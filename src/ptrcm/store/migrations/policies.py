"""Row-level security used by migrations: each tenant table shows and accepts only the
rows of the transaction's organization (``ptrcm.store.tenancy``).

PostgreSQL only (SQLite has no row-level security; there the repositories' own
``WHERE org_id`` is the one wall). Per table: RLS enabled and forced, a ``ptrcm_tenant``
policy for every role keyed on ``current_setting('ptrcm.org_id', true)`` (no organization
set: no row), and a ``ptrcm_owner`` policy letting the role that runs the migrations see
and write every row (data migrations and ``ptrcm db`` work across tenants). FORCE keeps
even that role under the policies, so what it may do is written down in ``pg_policies``
rather than implied by ownership. A later migration that creates a tenant table calls
``add_tenant_policy`` for it. Frozen like the migrations that call it: change behaviour
in a new function.
"""

from __future__ import annotations

from alembic import op

TENANT = "ptrcm_tenant"
OWNER = "ptrcm_owner"
# NULLIF: a setting made earlier in the session and since reset reads as '' (not NULL).
ORG_MATCHES = "org_id = NULLIF(current_setting('ptrcm.org_id', true), '')::bigint"


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def add_tenant_policy(table: str) -> None:
    if not _postgres():
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {TENANT} ON {table} FOR ALL TO PUBLIC"
        f" USING ({ORG_MATCHES}) WITH CHECK ({ORG_MATCHES})"
    )
    op.execute(
        f"CREATE POLICY {OWNER} ON {table} FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true)"
    )


def drop_tenant_policy(table: str) -> None:
    if not _postgres():
        return
    op.execute(f"DROP POLICY IF EXISTS {OWNER} ON {table}")
    op.execute(f"DROP POLICY IF EXISTS {TENANT} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
