"""After the money, in memory: acknowledgment files and rows, contract fee schedules
(versioned), underpayment details and appeals with the payments that answered them
(the fakes of ``ptrcm.store.followup_repo``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from tests.fakes.tables import Repository, Row

ANSWERABLE = ("pending", "overturned", "partial")  # appeals a later payment may answer


class FakeAcknowledgments(Repository):
    def file_id(self, sha256: str) -> int | None:
        found = self.t.select("ack_files", lambda r: r["sha256"] == sha256)
        return int(found[0]["id"]) if found else None

    def add_file(self, kind: str, file_name: str, sha256: str) -> int:
        row = {
            "kind": kind,
            "file_name": file_name[-255:],
            "sha256": sha256,
            "received_at": self.session.clock(),
        }
        return self.t.insert("ack_files", row)

    def batch_for(self, gs_control: int, st_control: int | None) -> int | None:
        found = self.t.select(
            "edi_batches",
            lambda r: (
                r["gs_control"] == gs_control
                and (
                    st_control is None
                    or r["st_control_first"] <= st_control <= r["st_control_last"]
                )
            ),
        )
        return int(found[-1]["id"]) if found else None

    def record(self, rows: Sequence[Mapping[str, Any]]) -> None:
        received = self.session.clock()
        for r in rows:
            self.t.insert("acknowledgments", {**r, "received_at": received})

    def items(self) -> list[Row]:
        return self.t.select("acknowledgments")


class FakeContracts(Repository):
    def add_schedule(
        self,
        payer_id: int,
        name: str,
        source_file: str,
        sha256: str,
        rates: Mapping[str, Decimal],
        parameters: Mapping[str, Any],
        effective_from: date | None = None,
    ) -> tuple[int, int]:
        versions = [r["version"] for r in self._schedules(payer_id)]
        version = max(versions, default=0) + 1
        row = {
            "payer_id": payer_id,
            "name": name[:120],
            "version": version,
            "effective_from": effective_from,
            "source_file": source_file[-255:],
            "sha256": sha256,
            "parameters": dict(parameters),
            "rates": dict(rates),
        }
        return self.t.insert("fee_schedules", row), version

    def _schedules(self, payer_id: int) -> list[Row]:
        return self.t.select("fee_schedules", lambda r: r["payer_id"] == payer_id)

    def current(self, payer_id: int, on: date | None = None) -> Row | None:
        found = [
            r
            for r in self._schedules(payer_id)
            if on is None or r["effective_from"] is None or r["effective_from"] <= on
        ]
        return max(found, key=lambda r: int(r["version"]), default=None)


class FakeUnderpayments(Repository):
    def add(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for r in rows:
            self.t.insert("underpayments", dict(r))

    def items(self, claim_id: int | None = None) -> list[Row]:
        return self.t.select("underpayments", lambda r: claim_id in (None, r["claim_id"]))


class FakeAppeals(Repository):
    def add(
        self, claim_id: int, work_item_id: int | None, deadline: date, letter: str | None = None
    ) -> int:
        row = {
            "claim_id": claim_id,
            "work_item_id": work_item_id,
            "level": 1,
            "deadline": deadline,
            "letter": letter,
            "outcome": "pending",
            "recovered_amount": None,
            "decided_on": None,
        }
        return self.t.insert("appeals", row)

    def for_claim(self, claim_id: int) -> list[Row]:
        return self.t.select("appeals", lambda r: r["claim_id"] == claim_id)

    def decide(self, appeal_id: int, outcome: str, amount: Decimal | None, on: date) -> None:
        self.t.update("appeals", appeal_id, outcome=outcome, recovered_amount=amount, decided_on=on)

    def unanswered(self, claim_ids: Sequence[int]) -> list[Row]:
        linked = {r["appeal_id"] for r in self.t.select("appeal_payments")}
        wanted = set(claim_ids)
        return self.t.select(
            "appeals",
            lambda r: (
                r["claim_id"] in wanted and r["outcome"] in ANSWERABLE and r["id"] not in linked
            ),
        )

    def link(self, pairs: Sequence[tuple[int, int]]) -> None:
        for appeal_id, payment_id in pairs:
            self.t.insert(
                "appeal_payments", {"appeal_id": appeal_id, "claim_payment_id": payment_id}
            )

    def payments(self, appeal_id: int) -> list[int]:
        rows = self.t.select("appeal_payments", lambda r: r["appeal_id"] == appeal_id)
        return [int(r["claim_payment_id"]) for r in rows]

    def all(self) -> list[Row]:
        return self.t.select("appeals")
