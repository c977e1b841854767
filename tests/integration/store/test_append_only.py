"""The ledger and the audit log are append-only: the database refuses UPDATE and DELETE."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ptrcm.domain.ledger import LedgerEntry
from ptrcm.store.audit import AuditEvent
from ptrcm.store.ledger import Ledger
from ptrcm.store.repository import Store

DAY = date(2026, 3, 2)


def _seed(store: Store, org: int) -> None:
    with store.unit_of_work(org, "test") as uow:
        uow.ledger.append([LedgerEntry("payment", Decimal("-42.00"), DAY, source="remit.835")])
        uow.audit.record([AuditEvent("read", "visits", "V-1")])
        uow.commit()


@pytest.mark.parametrize("table", ["ledger_entries", "audit_log"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET created_at = created_at", "DELETE FROM {t}"])
def test_database_refuses_to_change_an_append_only_table(
    store: Store, org_a: int, table: str, statement: str
) -> None:
    _seed(store, org_a)
    with store.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(statement.format(t=table)))
        conn.rollback()
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 1


def test_postgresql_refuses_to_truncate_the_ledger(store: Store, org_a: int) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    _seed(store, org_a)
    with store.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("TRUNCATE ledger_entries"))


def test_a_reversal_is_a_new_entry_that_names_the_one_it_reverses(store: Store, org_a: int) -> None:
    with store.unit_of_work(org_a, "test") as uow:
        [first] = uow.ledger.append([LedgerEntry("payment", Decimal("-42.00"), DAY)])
        uow.ledger.append(
            [
                LedgerEntry(
                    "payment", Decimal("42.00"), DAY, reverses_entry_id=first, memo="reversal"
                )
            ]
        )
        uow.commit()
        entries = uow.ledger.entries()
        assert uow.ledger.balance("payment") == Decimal("0.00")
    assert [e["amount"] for e in entries] == [Decimal("-42.00"), Decimal("42.00")]
    assert entries[1]["reverses_entry_id"] == first


def test_ledger_repository_offers_no_update_or_delete() -> None:
    public = {name for name in dir(Ledger) if not name.startswith("_")}
    assert not {n for n in public if any(w in n for w in ("update", "delete", "remove", "edit"))}
