"""``insert_rows`` (one statement for many rows, at driver speed) stores exactly what
SQLAlchemy's own insert stores, returns ids in the rows' order, and keeps every guard of
the schema: foreign keys through ``org_id``, check constraints and the append-only
triggers. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

from ptrcm.store.bulk import insert_rows
from ptrcm.store.repository import Store
from ptrcm.store.tables import claim_versions, claims, ledger_entries, patients, payers, work_items

AT = datetime(2026, 3, 2, 14, 30, 15, 250000, tzinfo=UTC)


def _item(org: int, n: int, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "org_id": org,
        "created_at": AT,
        "kind": "denial",
        "claim_id": None,
        "amount": None if n % 3 == 0 else Decimal(f"{n}.05"),
        "due_date": None if n % 2 else date(2026, 4, n % 28 + 1),
        "reason": f"item {n} ‘quoted’ \\ tab\t and comma, {{brace}}",
        "carc": "45" if n % 2 else None,
        "updated_at": AT,
    }
    row.update(extra)
    return row


def _claim(conn: object, org: int, pcn: str) -> int:
    run = conn.execute  # type: ignore[attr-defined]
    patient = run(
        insert(patients).returning(patients.c.id),
        {"org_id": org, "external_id": f"P-{pcn}", "created_at": AT},
    ).scalar_one()
    payer = run(
        insert(payers).returning(payers.c.id),
        {"org_id": org, "external_id": f"PAY-{pcn}", "name": "Payer", "created_at": AT},
    ).scalar_one()
    return int(
        run(
            insert(claims).returning(claims.c.id),
            {
                "org_id": org, "pcn": pcn, "patient_id": patient, "payer_id": payer,
                "claim_type": "837P", "discipline": "PT", "state": "submitted",
                "total_charge": Decimal("110.00"), "first_date_of_service": date(2026, 3, 2),
                "last_date_of_service": date(2026, 3, 2), "current_version": 1,
                "created_at": AT, "updated_at": AT,
            },
        ).scalar_one()
    )  # fmt: skip


def _read(conn: object, ids: list[int]) -> list[dict[str, object]]:
    query = select(work_items).where(work_items.c.id.in_(ids)).order_by(work_items.c.id)
    rows = [dict(r._mapping) for r in conn.execute(query)]  # type: ignore[attr-defined]
    return [{k: v for k, v in r.items() if k != "id"} for r in rows]


def test_rows_are_stored_as_sqlalchemy_stores_them(store: Store) -> None:
    org = store.create_organization("bulk")
    with store.connect(org) as conn, conn.begin():
        claim = _claim(conn, org, "C-1")
        rows = [_item(org, n, claim_id=claim if n % 4 == 0 else None) for n in range(1, 60)]
        ids = insert_rows(conn, work_items, rows, ids=True)
        assert len(ids) == len(rows) == len(set(ids))
        assert ids == sorted(ids)
        by_core = [
            int(conn.execute(insert(work_items).returning(work_items.c.id), row).scalar_one())
            for row in rows
        ]
        got, want = _read(conn, ids), _read(conn, by_core)
        assert got == want
        # the rows' order is the ids' order: each id holds its own row
        reasons = dict(conn.execute(select(work_items.c.id, work_items.c.reason)).all())
        assert [reasons[i] for i in ids] == [r["reason"] for r in rows]
        # server defaults (state, version) were applied, money is exact
        assert {r["state"] for r in got} == {"open"} and {r["version"] for r in got} == {1}
        assert got[0]["amount"] == Decimal("1.05") and got[2]["amount"] is None
        assert got[0]["created_at"] == AT


def test_without_ids_and_with_nothing_to_write(store: Store) -> None:
    org = store.create_organization("bulk")
    with store.connect(org) as conn, conn.begin():
        assert insert_rows(conn, work_items, []) == []
        assert insert_rows(conn, work_items, [_item(org, n) for n in range(5)]) == []
        count = conn.execute(text("SELECT count(*) FROM work_items")).scalar_one()
        assert count == 5


def test_rows_must_name_the_same_columns(store: Store) -> None:
    org = store.create_organization("bulk")
    with store.connect(org) as conn, conn.begin():
        rows = [_item(org, 1), {**_item(org, 2), "follow_up_on": date(2026, 5, 1)}]
        with pytest.raises(ValueError, match="different columns"):
            insert_rows(conn, work_items, rows)


def test_foreign_keys_through_the_organization_still_refuse(store: Store) -> None:
    mine, theirs = store.create_organization("mine"), store.create_organization("theirs")
    with store.connect(theirs) as conn, conn.begin():
        other_claim = _claim(conn, theirs, "T-1")
    with store.connect(mine) as conn, pytest.raises(DBAPIError), conn.begin():
        insert_rows(conn, work_items, [_item(mine, 1, claim_id=other_claim)])


def test_check_constraints_and_money_bounds_still_refuse(store: Store) -> None:
    org = store.create_organization("bulk")
    with store.connect(org) as conn:
        with pytest.raises(DBAPIError), conn.begin():
            insert_rows(conn, work_items, [_item(org, 1, state="lost")])
        with pytest.raises(ValueError, match="whole cents"), conn.begin():
            insert_rows(conn, work_items, [_item(org, 1, amount=Decimal("1.005"))])


def test_ledger_rows_written_in_bulk_stay_append_only(store: Store) -> None:
    org = store.create_organization("bulk")
    with store.connect(org) as conn, conn.begin():
        claim = _claim(conn, org, "L-1")
        entry = {
            "org_id": org, "created_at": AT, "account": "payer_payment",
            "amount": Decimal("-47.20"), "effective_date": date(2026, 3, 20),
            "claim_id": claim, "source": "bulk test", "memo": None,
        }  # fmt: skip
        insert_rows(conn, ledger_entries, [entry, {**entry, "amount": Decimal("12.34")}])
        amounts = conn.execute(
            select(ledger_entries.c.amount).order_by(ledger_entries.c.id)
        ).scalars()
        assert list(amounts) == [Decimal("-47.20"), Decimal("12.34")]
    with store.connect(org) as conn:
        with pytest.raises(DBAPIError), conn.begin():
            conn.execute(text("UPDATE ledger_entries SET amount = 0"))
        with pytest.raises(DBAPIError), conn.begin():
            conn.execute(text("DELETE FROM ledger_entries"))


def test_json_documents_are_stored_as_sqlalchemy_stores_them(store: Store) -> None:
    org = store.create_organization("bulk")
    document = {"visit_ids": ["V-1", "V-2"], "note": "Ünïcode “quotes” \\ and {braces}",
                "amounts": ["1.05", None], "nested": {"a": [1, 2.5, True]}}  # fmt: skip
    with store.connect(org) as conn, conn.begin():
        claim = _claim(conn, org, "J-1")
        row = {
            "org_id": org, "created_at": AT, "claim_id": claim, "frequency_code": "1",
            "state": "submitted", "total_charge": Decimal("110.00"), "submitted_at": AT,
        }  # fmt: skip
        rows = [{**row, "version_number": 1, "document": document},
                {**row, "version_number": 2, "document": None}]  # fmt: skip
        ids = insert_rows(conn, claim_versions, rows, ids=True)
        core = conn.execute(
            insert(claim_versions).returning(claim_versions.c.id),
            {**row, "version_number": 3, "document": document},
        ).scalar_one()
        core_none = conn.execute(
            insert(claim_versions).returning(claim_versions.c.id),
            {**row, "version_number": 4, "document": None},
        ).scalar_one()
        stored = dict(conn.execute(text("SELECT id, document IS NULL FROM claim_versions")).all())
        assert stored[ids[1]] == stored[core_none]  # None stored as SQLAlchemy stores it
        found = {
            r.id: r
            for r in conn.execute(select(claim_versions).where(claim_versions.c.claim_id == claim))
        }
        assert found[ids[0]].document == found[core].document == document
        assert found[ids[1]].document is None
        assert found[ids[0]].submitted_at == AT and found[ids[0]].total_charge == Decimal("110.00")
