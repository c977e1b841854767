"""Money stays exact to the cent and timestamps stay UTC, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import StatementError

from ptrcm.domain.ledger import LedgerEntry
from ptrcm.store.audit import AuditEvent
from ptrcm.store.repository import Store
from ptrcm.store.tables import audit_log, ledger_entries

DAY = date(2026, 3, 2)


def test_tenths_of_a_dollar_add_up_exactly(store: Store, org_a: int) -> None:
    with store.unit_of_work(org_a, "test") as uow:
        uow.ledger.append(
            [
                LedgerEntry("charge", Decimal("0.10"), DAY),
                LedgerEntry("charge", Decimal("0.20"), DAY),
            ]
        )
        uow.commit()
        total = uow.ledger.balance()
    assert total == Decimal("0.30")
    assert str(total) == "0.30"


@pytest.mark.parametrize(
    "amount", ["9999999999.99", "-9999999999.99", "0.01", "-0.01", "0.00", "1234567.89"]
)
def test_amounts_come_back_as_the_same_decimal(store: Store, org_a: int, amount: str) -> None:
    with store.unit_of_work(org_a, "test") as uow:
        uow.ledger.append([LedgerEntry("charge", Decimal(amount), DAY)])
        uow.commit()
        [entry] = uow.ledger.entries()
    assert isinstance(entry["amount"], Decimal)
    assert entry["amount"] == Decimal(amount)
    assert str(entry["amount"]) == f"{Decimal(amount):.2f}"


def test_sqlite_keeps_money_as_integer_cents_never_real(store: Store, org_a: int) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("storage class check is SQLite-specific")
    with store.unit_of_work(org_a, "test") as uow:
        uow.ledger.append([LedgerEntry("charge", Decimal("9999999999.99"), DAY)])
        uow.commit()
        raw = uow.connection.execute(text("SELECT typeof(amount), amount FROM ledger_entries"))
        assert raw.one() == ("integer", 999999999999)


@pytest.mark.parametrize("bad", [0.1, Decimal("0.001"), Decimal("10000000000.00")])
def test_floats_fractions_of_a_cent_and_overflow_are_refused(
    store: Store, org_a: int, bad: object
) -> None:
    with store.unit_of_work(org_a, "test") as uow, pytest.raises((StatementError, TypeError)):
        uow.connection.execute(
            insert(ledger_entries),
            {
                "org_id": org_a,
                "account": "charge",
                "amount": bad,
                "effective_date": DAY,
                "created_at": datetime.now(UTC),
            },
        )


def test_timestamps_come_back_timezone_aware_in_utc(store: Store, org_a: int) -> None:
    chicago_noon = datetime(2026, 3, 2, 12, 0, tzinfo=timezone(timedelta(hours=-6)))
    with store.unit_of_work(org_a, "test", clock=lambda: chicago_noon) as uow:
        uow.audit.record([AuditEvent("read", "visits", "V-1")])
        uow.commit()
        occurred = uow.connection.execute(select(audit_log.c.occurred_at)).scalar_one()
    assert occurred.tzinfo is not None
    assert occurred.utcoffset() == timedelta(0)
    assert occurred == chicago_noon
    assert occurred.hour == 18


def test_naive_timestamps_are_refused(store: Store, org_a: int) -> None:
    naive = datetime(2026, 3, 2, 12, 0)
    with (
        store.unit_of_work(org_a, "test", clock=lambda: naive) as uow,
        pytest.raises(StatementError, match="timezone-aware"),
    ):
        uow.audit.record([AuditEvent("read", "visits", "V-1")])
