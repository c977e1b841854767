"""Every table that records money (and the audit trail) refuses to be rewritten by the
app's own database user: UPDATE, DELETE and, on SQLite, INSERT OR REPLACE (whose delete
fires no trigger unless recursive triggers are on); on PostgreSQL, INSERT ... ON CONFLICT
DO UPDATE. SQLite and PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from ptrcm.store.audit import AuditEvent
from ptrcm.store.repository import Store
from ptrcm.store.tables import patient_payments
from tests.integration.posting.builders import (
    NOW,
    cas,
    clp,
    post,
    remittance,
    seed,
    svc,
    uow,
    visit,
    write,
)

GUARDED = (
    "ledger_entries",
    "claim_transitions",
    "audit_log",
    "remittance_files",
    "remittance_transactions",
    "claim_payments",
    "line_payments",
    "adjustments",
    "remark_codes",
    "patient_payments",
)


@pytest.fixture
def posted(store: Store, tmp_path: Path) -> Store:
    """A store with a row in every guarded table."""
    org = seed(store, [visit("V-1", [("97110", 30)])])
    claim = clp(
        "V-1",
        "1",
        "110.00",
        "47.20",
        svc("97110", "110.00", "47.20", cas("CO", "45", "51.00"), cas("PR", "2", "11.80"),
            line=1, remarks=("N130",)),
    )  # fmt: skip
    post(store, org, write(tmp_path, "a.835", remittance([claim], "47.20")))
    with uow(store, org) as work:
        record = work.claims.by_pcn(["V-1"])["V-1"]
        work.audit.record([AuditEvent("read", "claims", str(record.id))])
        work.connection.execute(
            insert(patient_payments),
            {"org_id": org, "created_at": NOW, "patient_id": record.patient_id,
             "claim_id": record.id, "amount": Decimal("11.80"), "method": "card",
             "received_at": NOW},
        )  # fmt: skip
        work.commit()
    return store


def _rows(store: Store, table: str) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


@pytest.mark.parametrize("table", GUARDED)
@pytest.mark.parametrize("verb", ["UPDATE", "DELETE", "REPLACE"])
def test_the_database_refuses_to_rewrite_a_money_row(posted: Store, table: str, verb: str) -> None:
    before = _rows(posted, table)
    assert before, f"{table} has no row to protect"
    postgres = posted.engine.dialect.name == "postgresql"
    statement = {
        "UPDATE": f"UPDATE {table} SET created_at = created_at",
        "DELETE": f"DELETE FROM {table}",
        "REPLACE": (
            f"INSERT INTO {table} SELECT * FROM {table} ON CONFLICT (id)"
            " DO UPDATE SET created_at = EXCLUDED.created_at"
            if postgres
            else f"INSERT OR REPLACE INTO {table} SELECT * FROM {table}"
        ),
    }[verb]
    with posted.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(statement))
        conn.rollback()
    assert _rows(posted, table) == before


def test_sqlite_refuses_replace_on_another_unique_key(posted: Store) -> None:
    """A REPLACE that collides on (org_id, sha256), not on the id: only the DELETE guard,
    fired because ptrcm's connections turn recursive triggers on, can catch it."""
    if posted.engine.dialect.name != "sqlite":
        pytest.skip("REPLACE exists only on SQLite")
    before = _rows(posted, "remittance_files")
    copy = (
        "INSERT OR REPLACE INTO remittance_files (org_id, created_at, payer_id, file_name,"
        " sha256, received_at) SELECT org_id, created_at, payer_id, 'other.835', sha256,"
        " received_at FROM remittance_files"
    )
    with posted.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(copy))
        conn.rollback()
    assert _rows(posted, "remittance_files") == before
