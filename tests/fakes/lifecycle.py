"""The claims unit of work in memory: ``ptrcm.services.claims.ports.ClaimsUnitOfWork``
without a database, so building, scrubbing, releasing and submitting claims run unchanged in
unit tests.

Like the SQL one (``ptrcm.store.claims_lifecycle.ClaimsUnitOfWork``, which extends the
money-in unit of work), ``FakeClaimsUnitOfWork`` is the money-in fake plus the lifecycle
repository, on the same tables: ``ClaimsDatabase().unit_of_work`` is the factory the
services take, and posting runs on it too. Visits are stored as the store stores them, as
their interchange record, and read back parsed again (so a visit that does not survive the
round trip fails here as it would in the database). Beside the port, the repositories offer
the reads tests need under the SQL repositories' names (``claims.transitions``,
``claims.batches``, ``lifecycle.last_findings``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from ptrcm.domain.claim_ids import claim_id_for
from ptrcm.domain.claims import Claim
from ptrcm.domain.intake import SourcedVisit, UpsertCounts
from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.lifecycle import ClaimState, Transition
from ptrcm.domain.records import visit_to_record
from ptrcm.domain.stored_claims import ClaimHead, ClaimRecord, LineRecord
from ptrcm.domain.visits import Visit
from ptrcm.errors import InvariantError
from ptrcm.rules.engine import Finding
from tests.fakes.claims import FakeClaims, FakeVisits, external_id
from tests.fakes.money_in import Clock, FakeMoneyInUnitOfWork, MoneyInDatabase
from tests.fakes.tables import Repository, Row, Session

if TYPE_CHECKING:
    from ptrcm.services.claims.ports import ClaimsWork

# A claim in one of these states has not left the practice: its visit may still change.
UNSENT = frozenset(
    s.value for s in (ClaimState.BUILT, ClaimState.SCRUBBED, ClaimState.HELD, ClaimState.READY)
)


def _equals(key: str, value: object) -> Callable[[Row], bool]:
    return lambda row: bool(row[key] == value)


def _stored(visit: Visit) -> Visit:
    """The visit as the store hands it back: its record, parsed again."""
    return parse_visit(visit_to_record(visit), source="store:visits", limits=False)


class FakeStoredVisits(FakeVisits):
    """Visits kept as records (rows ``{"id", "visit_id", "patient_id", "record", "visit"}``,
    ``visit`` parsed from ``record``), replaced only when changed, and refused when their
    claim has left the practice (``claim_of``), as ``store.visits.VisitRepository``."""

    def upsert(
        self, visits: Sequence[SourcedVisit], *, claim_of: Callable[[str], str] | None = None
    ) -> UpsertCounts:
        inserted = updated = unchanged = 0
        refused: dict[str, str] = {}
        for item in visits:
            v, record = item.visit, visit_to_record(item.visit)
            found = self.t.select("visits", _equals("visit_id", v.visit_id))
            if found and found[0]["record"] == record:
                unchanged += 1
                continue
            if found and claim_of is not None:
                pcn = claim_of(v.visit_id)
                claim = self.t.select("claims", _equals("pcn", pcn))
                state = claim[0]["record"].state if claim else None
                if state is not None and state not in UNSENT:
                    refused[v.visit_id] = f"{pcn} ({state})"
                    continue
            external_id(self.t, "patients", v.patient_id)
            external_id(self.t, "payers", v.payer_id)
            row = {"visit_id": v.visit_id, "patient_id": v.patient_id, "record": record,
                   "visit": _stored(v)}  # fmt: skip
            if found:
                self.t.update("visits", int(found[0]["id"]), **row)
                updated += 1
            else:
                self.t.insert("visits", row)
                inserted += 1
        return UpsertCounts(inserted, updated, unchanged, refused)

    def count(self) -> int:
        return len(self.t.select("visits"))


class FakeClaimRepository(FakeClaims):
    """The money-in fake's claims, plus the batches the SQL repository lists."""

    def batches(self) -> list[Row]:
        return self.t.select("edi_batches")


class FakeLifecycle(Repository):
    """``ptrcm.store.claims_lifecycle.LifecycleRepository`` in memory."""

    def __init__(self, session: Session, actor: str) -> None:
        super().__init__(session)
        self.actor = actor

    def _visits(self, keep: Callable[[Row], bool]) -> list[Visit]:
        return [r["visit"] for r in self.t.select("visits", keep)]

    def unbilled_visits(
        self, through: date | None = None, *, skip_payers: Collection[str] = ()
    ) -> list[Visit]:
        return [v for v in self._unbilled(through) if v.payer_id not in skip_payers]

    def unbilled_visit_ids(
        self, through: date | None = None, *, payers: Collection[str] = ()
    ) -> list[str]:
        return [v.visit_id for v in self._unbilled(through) if v.payer_id in payers]

    def _unbilled(self, through: date | None) -> list[Visit]:
        billed = {r["pcn"] for r in self.t.select("claims")}
        return [
            v
            for v in self._visits(lambda r: claim_id_for(r["visit_id"]) not in billed)
            if through is None or v.date_of_service <= through
        ]

    def visits_by_id(self, visit_ids: Iterable[str]) -> dict[str, Visit]:
        wanted = set(visit_ids)
        return {v.visit_id: v for v in self._visits(lambda r: r["visit_id"] in wanted)}

    def visits_of_patients(
        self, patient_ids: Iterable[str], through: date | None = None
    ) -> list[Visit]:
        wanted = set(patient_ids)
        return [
            v
            for v in self._visits(lambda r: r["patient_id"] in wanted)
            if through is None or v.date_of_service <= through
        ]

    def _record(self, claim_id: int) -> ClaimRecord:
        row = self.t.get("claims", claim_id)
        if row is None:
            raise InvariantError(f"no claim id {claim_id}")
        record: ClaimRecord = row["record"]
        return record

    def claims_in(self, states: Sequence[str] | None = None) -> list[ClaimHead]:
        records = [r["record"] for r in self.t.select("claims")]
        heads = [
            ClaimHead(r.id, r.pcn, r.state, r.payer_external_id, r.version_id, r.total_charge,
                      r.first_date_of_service, tuple(r.document.get("visit_ids", ())))
            for r in records
            if states is None or r.state in states
        ]  # fmt: skip
        return sorted(heads, key=lambda h: (h.first_date_of_service, h.pcn))

    def record_transitions(self, steps: Sequence[tuple[int, int | None, Transition]]) -> None:
        FakeClaims(self.session).record_transitions(steps)

    def record_created(self, claim_ids: Mapping[str, int], state: str, reason: str) -> None:
        for pcn, claim_id in claim_ids.items():
            self.t.insert(
                "claim_transitions",
                {"claim_id": claim_id, "claim_version_id": None, "actor": self.actor,
                 "from_state": None, "to_state": state, "reason": reason.format(pcn=pcn),
                 "occurred_at": self.session.clock()},
            )  # fmt: skip

    def replace_lines(self, claim_id: int, version_id: int, claim: Claim) -> None:
        record = self._record(claim_id)
        if record.version_id != version_id:
            raise InvariantError(f"claim {claim_id} has no current version {version_id}")
        lines = tuple(
            LineRecord(
                self.t.insert("claim_lines", {"claim_version_id": version_id}),
                ln.line_number, ln.code, ln.modifiers, ln.date_of_service, ln.units,
                ln.charge.amount, ln.dx_pointers,
            )
            for ln in claim.lines
        )  # fmt: skip
        total = claim.total_charge.amount
        self.t.update("claims", claim_id, record=replace(record, lines=lines, total_charge=total))

    def attach_batch(self, version_ids: Sequence[int], batch_id: int, at: datetime) -> None:
        wanted = set(version_ids)
        for row in self.t.select("claims", lambda r: r["record"].version_id in wanted):
            record = replace(row["record"], batch_id=batch_id)
            self.t.update("claims", int(row["id"]), record=record, submitted_at=at)

    def add_scrub_runs(self, results: Sequence[tuple[int, int, Sequence[Finding]]]) -> None:
        now = self.session.clock()
        for claim_id, number, found in results:
            self._record(claim_id)
            count = {s: sum(1 for f in found if f.severity.value == s)
                     for s in ("error", "warning", "info")}  # fmt: skip
            run_id = self.t.insert(
                "scrub_runs",
                {"claim_id": claim_id, "run_number": number, "scrubbed_at": now,
                 "errors": count["error"], "warnings": count["warning"], "infos": count["info"]},
            )  # fmt: skip
            for f in found:
                self.t.insert(
                    "scrub_findings",
                    {"scrub_run_id": run_id, "rule": f.rule, "severity": f.severity.value,
                     "line_number": f.line, "code": f.code, "message": f.message,
                     "fix": f.fix.description if f.fix is not None else None},
                )  # fmt: skip

    def scrub_run_counts(self, claim_ids: Iterable[int]) -> dict[int, int]:
        wanted = set(claim_ids)
        out: dict[int, int] = {}
        for run in self.t.select("scrub_runs", lambda r: r["claim_id"] in wanted):
            out[int(run["claim_id"])] = out.get(int(run["claim_id"]), 0) + 1
        return out

    def last_findings(self, claim_id: int) -> list[Row]:
        runs = self.t.select("scrub_runs", lambda r: r["claim_id"] == claim_id)
        if not runs:
            return []
        last = runs[-1]["id"]
        return self.t.select("scrub_findings", lambda r: r["scrub_run_id"] == last)


class FakeClaimsUnitOfWork(FakeMoneyInUnitOfWork):
    """The money-in fake plus the lifecycle repository (module docstring)."""

    claims: FakeClaimRepository
    visits: FakeStoredVisits

    def __init__(self, database: MoneyInDatabase, actor: str, clock: Clock) -> None:
        super().__init__(database, actor, clock)
        self.claims = FakeClaimRepository(self.session)
        self.visits = FakeStoredVisits(self.session)
        self.lifecycle = FakeLifecycle(self.session, actor)


class ClaimsDatabase(MoneyInDatabase):
    """The committed state; ``unit_of_work`` is the factory the services take."""

    def unit_of_work(self) -> FakeClaimsUnitOfWork:
        return FakeClaimsUnitOfWork(self, self.actor, self.clock)


if TYPE_CHECKING:

    def _fits_the_port(database: ClaimsDatabase) -> ClaimsWork:
        return database.unit_of_work  # mypy: the fake is a ClaimsUnitOfWork
