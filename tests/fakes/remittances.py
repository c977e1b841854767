"""The 835 side in memory: remittance files and transactions, claim and line payments,
adjustments and remarks, the append-only ledger and the work queues (fakes of
``ptrcm.store.posting_repo`` and ``store.ledger``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.work_queue import WorkItem
from ptrcm.errors import InvariantError
from tests.fakes.tables import Repository, Row


class FakeRemittances(Repository):
    """835 files, transactions, claim and line payments, adjustments, remarks; ledger
    entries go to the ``ledger_entries`` table ``FakeLedger`` reads."""

    def file_id(self, sha256: str) -> int | None:
        found = self.t.select("remittance_files", lambda r: r["sha256"] == sha256)
        return int(found[0]["id"]) if found else None

    def add_file(self, file_name: str, sha256: str, received_at: datetime) -> int:
        if self.file_id(sha256) is not None:
            raise InvariantError("remittance file already stored (unique sha256)")
        row = {"file_name": file_name[-255:], "sha256": sha256, "received_at": received_at}
        return self.t.insert("remittance_files", row)

    def _file_name(self, transaction_id: int) -> str:
        transaction = self.t.get("remittance_transactions", transaction_id) or {}
        file = self.t.get("remittance_files", transaction.get("remittance_file_id", 0)) or {}
        return str(file.get("file_name"))

    def posted_payments(self, traces: Sequence[str]) -> list[Row]:
        wanted = set(traces)
        keys = ("id", "payer_key", "trace_number", "payment_amount", "payment_date", "st_control")
        return [
            {**{k: t[k] for k in keys}, "file_name": self._file_name(int(t["id"]))}
            for t in self.t.select("remittance_transactions", lambda r: r["trace_number"] in wanted)
        ]

    def posted_claim_payments(self, pcns: Sequence[str]) -> list[Row]:
        wanted = set(pcns)
        keys = ("id", "pcn", "payer_claim_number", "status_code", "paid_amount", "segment_ref")
        return [
            {**{k: p[k] for k in keys}, "file_name": self._file_name(int(p["transaction_id"]))}
            for p in self.t.select("claim_payments", lambda r: r["pcn"] in wanted)
        ]

    def payer_ids(self) -> dict[str, int]:
        return {str(r["external_id"]): int(r["id"]) for r in self.t.select("payers")}

    def add_transaction(self, file_id: int, **values: Any) -> int:
        return self.t.insert("remittance_transactions", {"remittance_file_id": file_id, **values})

    def add_claim_payments(self, rows: Sequence[Row]) -> list[int]:
        return [self.t.insert("claim_payments", r) for r in rows]

    def add_line_payments(self, rows: Sequence[Row]) -> list[int]:
        return [self.t.insert("line_payments", r) for r in rows]

    def add_adjustments(self, rows: Sequence[Row]) -> None:
        for r in rows:
            self.t.insert("adjustments", r)

    def add_remarks(self, rows: Sequence[Row]) -> None:
        for r in rows:
            self.t.insert("remark_codes", r)

    def add_ledger_entries(self, entries: Sequence[LedgerEntry]) -> None:
        FakeLedger(self.session).append(entries)

    def open_payment_entries(self, claim_id: int) -> list[Row]:
        mine = self.t.select("ledger_entries", lambda r: r["claim_id"] == claim_id)
        undone = {r["reverses_entry_id"] for r in mine if r["reverses_entry_id"] is not None}
        return [
            r
            for r in mine
            if r["remittance_file_id"] is not None
            and r["reverses_entry_id"] is None
            and r["id"] not in undone
        ]

    def payment_date(self, transaction_id: int) -> date | None:
        found = self.t.get("remittance_transactions", transaction_id)
        return None if found is None else found["payment_date"]

    def claim_payments(self, claim_id: int | None = None) -> list[Row]:
        return self.t.select("claim_payments", lambda r: claim_id in (None, r["claim_id"]))

    def line_payments(self, claim_payment_id: int) -> list[Row]:
        return self.t.select("line_payments", lambda r: r["claim_payment_id"] == claim_payment_id)

    def adjustments(self, claim_payment_id: int) -> list[Row]:
        return self.t.select("adjustments", lambda r: r["claim_payment_id"] == claim_payment_id)

    def remarks(self, claim_payment_id: int) -> list[Row]:
        return self.t.select("remark_codes", lambda r: r["claim_payment_id"] == claim_payment_id)


class FakeLedger(Repository):
    """Append-only: entries are added and read, never changed."""

    def append(self, entries: Sequence[LedgerEntry]) -> list[int]:
        if any(not e.account for e in entries):
            raise InvariantError("a ledger entry needs an account")
        return [self.t.insert("ledger_entries", asdict(e)) for e in entries]

    def entries(self, claim_id: int | None = None) -> list[Row]:
        return self.t.select("ledger_entries", lambda r: claim_id in (None, r["claim_id"]))


class FakeWorkItems(Repository):
    def add(self, item: WorkItem) -> int:
        row = {
            **asdict(item),
            "reason": item.reason[:2000],
            "state": "open",
            "updated_at": self.session.clock(),
            "resolved_at": None,
        }
        return self.t.insert("work_items", row)

    def add_many(self, items: Sequence[WorkItem]) -> list[int]:
        return [self.add(i) for i in items]

    def items(
        self, kind: str | None = None, *, state: str | None = None, claim_id: int | None = None
    ) -> list[Row]:
        return self.t.select(
            "work_items",
            lambda r: (
                kind in (None, r["kind"])
                and state in (None, r["state"])
                and claim_id in (None, r["claim_id"])
            ),
        )

    def close(self, item_id: int, state: str = "done") -> None:
        now = self.session.clock()
        self.t.update("work_items", item_id, state=state, updated_at=now, resolved_at=now)
