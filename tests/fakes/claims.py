"""Claims as stored, in memory, and what they name: visits, secondary coverages and the
X12 control-number counters (fakes of ``ptrcm.store.claim_store``, ``store.visits`` and
``store.control_numbers``). Claim rows are ``{"id", "pcn", "record": ClaimRecord}``; patients
and payers get a row id by external id on first sight, as the store's do."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from ptrcm.domain.claims import Claim
from ptrcm.domain.intake import SourcedVisit, UpsertCounts
from ptrcm.domain.lifecycle import Transition
from ptrcm.domain.stored_claims import ClaimRecord, LineRecord
from ptrcm.domain.visits import Visit
from ptrcm.errors import InvariantError
from tests.fakes.tables import Repository, Row, Tables


def external_id(tables: Tables, table: str, external: str) -> int:
    """The row id of a patient or payer by external id, created on first sight."""
    found = tables.select(table, lambda r: r["external_id"] == external)
    return int(found[0]["id"]) if found else tables.insert(table, {"external_id": external})


class FakeClaims(Repository):
    """Claims as stored: rows ``{"id", "pcn", "record": ClaimRecord}``."""

    def add_batch(
        self,
        kind: str,
        file_name: str,
        isa: int,
        gs: int,
        st_first: int,
        st_last: int,
        claim_count: int,
        total_charge: Decimal,
    ) -> int:
        row = {
            "kind": kind,
            "file_name": file_name,
            "isa_control": isa,
            "gs_control": gs,
            "st_control_first": st_first,
            "st_control_last": st_last,
            "claim_count": claim_count,
            "total_charge": total_charge,
            "state": "sent",
        }
        return self.t.insert("edi_batches", row)

    def add_claims(
        self, items: Sequence[Claim], *, state: str = "submitted", batch_id: int | None = None
    ) -> dict[str, int]:
        """Store built claims (one version, its lines); claim id by CLM01."""
        found: dict[str, int] = {}
        for c in items:
            if any(r["pcn"] == c.claim_id for r in self.t.select("claims")):
                raise InvariantError(f"claim {c.claim_id} is already stored")
            claim_id = self.t.insert("claims", {"pcn": c.claim_id, "record": None})
            version_id = self.t.insert("claim_versions", {"claim_id": claim_id})
            lines = tuple(
                LineRecord(
                    self.t.insert("claim_lines", {"claim_version_id": version_id}),
                    line.line_number,
                    line.code,
                    line.modifiers,
                    line.date_of_service,
                    line.units,
                    line.charge.amount,
                    line.dx_pointers,
                )
                for line in c.lines
            )
            record = ClaimRecord(
                id=claim_id,
                pcn=c.claim_id,
                patient_id=external_id(self.t, "patients", c.patient_id),
                payer_id=external_id(self.t, "payers", c.payer_id),
                patient_external_id=c.patient_id,
                payer_external_id=c.payer_id,
                state=state,
                total_charge=c.total_charge.amount,
                first_date_of_service=c.first_date,
                version_id=version_id,
                batch_id=batch_id,
                document={"visit_ids": list(c.visit_ids), "member_id": c.member_id},
                lines=lines,
            )
            self.t.update("claims", claim_id, record=record)
            found[c.claim_id] = claim_id
        return found

    def _records(self, keep: Callable[[ClaimRecord], bool]) -> list[ClaimRecord]:
        return [r["record"] for r in self.t.select("claims") if keep(r["record"])]

    def by_pcn(self, pcns: Iterable[str], *, with_lines: bool = True) -> dict[str, ClaimRecord]:
        wanted = set(pcns)
        found = self._records(lambda r: r.pcn in wanted)
        return {r.pcn: r if with_lines else replace(r, lines=()) for r in found}

    def by_ids(self, claim_ids: Iterable[int]) -> dict[str, ClaimRecord]:
        wanted = set(claim_ids)
        return {r.pcn: r for r in self._records(lambda r: r.id in wanted)}

    def by_batch(self, batch_id: int, *, with_lines: bool = True) -> list[ClaimRecord]:
        found = self._records(lambda r: r.batch_id == batch_id)
        return found if with_lines else [replace(r, lines=()) for r in found]

    def lines_on_days(
        self, patient_ids: Iterable[int], days: Iterable[date]
    ) -> list[tuple[int, int, int, LineRecord]]:
        wanted, on = set(patient_ids), set(days)
        gone = {"rejected", "voided", "corrected"}
        return [
            (r.id, r.patient_id, r.payer_id, line)
            for r in self._records(lambda r: r.patient_id in wanted and r.state not in gone)
            for line in r.lines
            if line.date_of_service in on
        ]

    def record_transitions(self, steps: Sequence[tuple[int, int | None, Transition]]) -> None:
        for claim_id, version_id, t in steps:
            self.t.insert(
                "claim_transitions",
                {
                    "claim_id": claim_id,
                    "claim_version_id": version_id,
                    "actor": t.actor,
                    "from_state": t.from_state.value,
                    "to_state": t.to_state.value,
                    "reason": t.reason or t.event.value,
                    "occurred_at": t.at,
                },
            )
            row = self.t.get("claims", claim_id)
            if row is None:
                raise InvariantError(f"no claim id {claim_id}")
            self.t.update("claims", claim_id, record=replace(row["record"], state=t.to_state.value))

    def transitions(self, claim_id: int) -> list[Row]:
        return self.t.select("claim_transitions", lambda r: r["claim_id"] == claim_id)

    def state_of(self, pcn: str) -> str | None:
        found = self.by_pcn([pcn]).get(pcn)
        return None if found is None else found.state


class FakeVisits(Repository):
    def upsert(self, visits: Sequence[SourcedVisit]) -> UpsertCounts:
        inserted = updated = 0
        for item in visits:
            v = item.visit
            external_id(self.t, "patients", v.patient_id)
            external_id(self.t, "payers", v.payer_id)
            found = [r for r in self.t.select("visits") if r["visit_id"] == v.visit_id]
            if found:
                self.t.update("visits", int(found[0]["id"]), visit=v)
                updated += 1
            else:
                self.t.insert("visits", {"visit_id": v.visit_id, "visit": v})
                inserted += 1
        return UpsertCounts(inserted, updated)

    def get(self, visit_id: str) -> Visit | None:
        found = self.t.select("visits", lambda r: r["visit_id"] == visit_id)
        return found[0]["visit"] if found else None

    def get_many(self, visit_ids: Sequence[str]) -> dict[str, Visit]:
        found = {i: self.get(i) for i in visit_ids}
        return {i: v for i, v in found.items() if v is not None}


class FakeCoverage(Repository):
    def add(
        self,
        patient: str,
        payer: str,
        member_id: str | None,
        rank: str = "secondary",
        start: date | None = None,
        end: date | None = None,
    ) -> int:
        row = {
            "patient_id": external_id(self.t, "patients", patient),
            "payer": payer,
            "member_id": member_id,
            "rank": rank,
            "start_date": start,
            "end_date": end,
        }
        return self.t.insert("coverages", row)

    def secondary(self, patient_id: int, on: date) -> tuple[str, str | None] | None:
        found = self.t.select(
            "coverages",
            lambda r: (
                r["patient_id"] == patient_id
                and r["rank"] == "secondary"
                and (r["start_date"] is None or r["start_date"] <= on)
                and (r["end_date"] is None or r["end_date"] >= on)
            ),
        )
        return None if not found else (str(found[0]["payer"]), found[0]["member_id"])

    def secondaries(
        self, wanted: Sequence[tuple[int, date]]
    ) -> dict[tuple[int, date], tuple[str, str | None]]:
        found = {key: self.secondary(*key) for key in wanted}
        return {key: c for key, c in found.items() if c is not None}


class FakeControlNumbers(Repository):
    def next(self, counter: str) -> int:
        found = self.t.select("control_counters", lambda r: r["counter"] == counter)
        if not found:
            self.t.insert("control_counters", {"counter": counter, "last_value": 1})
            return 1
        value = int(found[0]["last_value"]) + 1
        self.t.update("control_counters", int(found[0]["id"]), last_value=value)
        return value
