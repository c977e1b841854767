"""The organization of a transaction: what PostgreSQL's row-level security keys on.

Tenant scoping has two walls. The first is the repositories' own ``WHERE org_id = ...``
(``ptrcm.store.scoped``). The second, on PostgreSQL, is row-level security (migration
0014): every tenant table shows, and accepts, only the rows whose ``org_id`` equals the
transaction's setting ``ptrcm.org_id``; with no organization set, a role subject to the
policies sees no row at all. The role that ran the migrations (the tables' owner) has a
policy of its own and sees every row, so migrations and ``ptrcm db`` work across tenants.

A connection names its organization in the execution option ``ptrcm_org_id``
(``for_organization``); the engine's ``begin`` listener (``set_organization_at_begin``,
installed by ``ptrcm.store.db.create_engine_for``) runs
``set_config('ptrcm.org_id', ..., true)`` first in each transaction. The setting is
transaction-local: a commit, a rollback or a connection returned to the pool never
leaves it behind for the next user of that connection.

The tables in ``RLS_EXEMPT`` are read before any organization is known: ``organizations``
(a slug is looked up to find the id) and the identity tables (who is signing in, whose is
this token, which organizations may this user enter). They are scoped by the queries
that read them.
"""

from __future__ import annotations

from sqlalchemy import Engine, MetaData
from sqlalchemy.engine import Connection

ORG_OPTION = "ptrcm_org_id"
ORG_SETTING = "ptrcm.org_id"
RLS_EXEMPT = frozenset(
    {"organizations", "users", "memberships", "sessions", "api_tokens", "login_attempts"}
)


def for_organization(conn: Connection, org_id: int) -> Connection:
    """``conn``, its transactions from now on set to organization ``org_id`` (call before
    the transaction begins: the setting is made as it begins)."""
    return conn.execution_options(**{ORG_OPTION: int(org_id)})


def connect(engine: Engine, org_id: int) -> Connection:
    """A new connection whose transactions belong to organization ``org_id``."""
    return for_organization(engine.connect(), org_id)


def set_organization_at_begin(conn: Connection) -> None:
    """The engine's ``begin`` listener on PostgreSQL: the transaction's organization first.

    No organization named: nothing is set, and a role under row-level security reads no
    tenant row (the safe default for a code path that forgot to name one).
    """
    org_id = conn.get_execution_options().get(ORG_OPTION)
    if org_id is None:
        return
    # An int, formatted by us: nothing from outside reaches the SQL text.
    conn.exec_driver_sql(f"SELECT set_config('{ORG_SETTING}', '{int(org_id)}', true)")


def tenant_tables(metadata: MetaData) -> list[str]:
    """The tables row-level security guards: every table with ``org_id`` but the exempt."""
    return sorted(
        table.name
        for table in metadata.tables.values()
        if "org_id" in table.c and table.name not in RLS_EXEMPT
    )
