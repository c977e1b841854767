"""The import service against a fake unit of work: what it commits, and when it writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest

from ptrcm.domain.intake import QuarantinedRecord, SourcedVisit, UpsertCounts
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError
from ptrcm.services.intake.visits import import_visits

GOOD = {
    "visit_id": "V-1",
    "patient_id": "P-1",
    "date_of_service": "2026-03-02",
    "payer_id": "MEDICARE",
    "discipline": "PT",
    "rendering": {"credential": "PT"},
    "services": [{"code": "97110", "minutes": 23}],
}


class FakeVisits:
    """Visits by id; ``sent`` holds the claim (by CLM01) of each visit already submitted."""

    def __init__(self) -> None:
        self.rows: dict[str, SourcedVisit] = {}
        self.sent: dict[str, str] = {}

    def upsert(
        self, visits: Sequence[SourcedVisit], *, claim_of: Callable[[str], str] | None = None
    ) -> UpsertCounts:
        new = [v for v in visits if v.visit.visit_id not in self.rows]
        same = [v for v in visits if v.visit.visit_id in self.rows
                and self.rows[v.visit.visit_id].visit == v.visit]  # fmt: skip
        changed = [v for v in visits if v not in new and v not in same]
        refused = {v.visit.visit_id: self.sent[claim_of(v.visit.visit_id)] for v in changed
                   if claim_of is not None and claim_of(v.visit.visit_id) in self.sent}  # fmt: skip
        kept = [v for v in (*new, *changed) if v.visit.visit_id not in refused]
        self.rows.update({v.visit.visit_id: v for v in kept})
        return UpsertCounts(len(new), len(kept) - len(new), len(same), refused)

    def get(self, visit_id: str) -> Visit | None:
        found = self.rows.get(visit_id)
        return None if found is None else found.visit

    def count(self) -> int:
        return len(self.rows)


class FakeQuarantine:
    def __init__(self) -> None:
        self.records: list[QuarantinedRecord] = []

    def add(self, records: Sequence[QuarantinedRecord]) -> None:
        self.records.extend(records)

    def count(self, kind: str | None = None) -> int:
        return len(self.records)


class FakeUnitOfWork:
    """Keeps what was written only when committed, like the real one."""

    def __init__(self) -> None:
        self.visits = FakeVisits()
        self.quarantine = FakeQuarantine()
        self.commits = 0
        self.opened = 0

    def __enter__(self) -> Self:
        self.opened += 1
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def commit(self) -> None:
        self.commits += 1


def _file(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "visits.jsonl"
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    return path


def test_a_bad_file_never_opens_a_transaction(tmp_path: Path) -> None:
    uow = FakeUnitOfWork()
    path = _file(tmp_path, GOOD, GOOD | {"visit_id": "V-2", "payer_id": ""})
    with pytest.raises(InputError, match=r":2: field payer_id"):
        import_visits(lambda: uow, path)
    assert uow.opened == 0


def test_good_records_are_upserted_with_their_line_numbers_and_committed(tmp_path: Path) -> None:
    uow = FakeUnitOfWork()
    path = _file(tmp_path, GOOD, "", GOOD | {"visit_id": "V-2"})
    result = import_visits(lambda: uow, path)
    assert (result.inserted, result.updated, result.quarantined) == (2, 0, 0)
    assert [v.line for v in uow.visits.rows.values()] == [1, 3]
    assert uow.commits == 1


def test_quarantine_sends_bad_lines_aside_and_commits_once(tmp_path: Path) -> None:
    uow = FakeUnitOfWork()
    path = _file(tmp_path, GOOD, "[1, 2", GOOD | {"discipline": "XX", "visit_id": "V-3"})
    result = import_visits(lambda: uow, path, quarantine=True)
    assert (result.inserted, result.quarantined) == (1, 2)
    assert [(r.line, r.record_id) for r in uow.quarantine.records] == [(2, None), (3, "V-3")]
    assert uow.commits == 1


def test_an_unknown_payer_is_a_problem_of_its_line_and_field(tmp_path: Path) -> None:
    uow = FakeUnitOfWork()
    path = _file(tmp_path, GOOD, GOOD | {"visit_id": "V-2", "payer_id": "ACME_HEALTH"})
    with pytest.raises(InputError) as caught:
        import_visits(lambda: uow, path)
    assert str(caught.value) == (
        f"{path}:2: field payer_id: 'ACME_HEALTH' is not a payer in the configuration"
    )
    assert uow.opened == 0
    kept = import_visits(lambda: uow, path, quarantine=True, payers={"MEDICARE"})
    assert (kept.inserted, kept.quarantined) == (1, 1)
    assert import_visits(FakeUnitOfWork, path, payers={"MEDICARE", "ACME_HEALTH"})


def test_a_date_of_service_after_the_as_of_day_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, GOOD)
    with pytest.raises(InputError, match=r":1: field date_of_service: is after the as-of day"):
        import_visits(FakeUnitOfWork, path, as_of=date(2026, 3, 1))
    assert import_visits(FakeUnitOfWork, path, as_of=date(2026, 3, 2)).inserted == 1


def test_a_changed_visit_whose_claim_was_sent_is_refused_and_rolls_back(tmp_path: Path) -> None:
    uow = FakeUnitOfWork()
    import_visits(lambda: uow, _file(tmp_path, GOOD, GOOD | {"visit_id": "V-2"}))
    uow.visits.sent["V-1"] = "V-1 (paid)"
    again = import_visits(lambda: uow, _file(tmp_path, GOOD, GOOD | {"visit_id": "V-2"}))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    changed = GOOD | {"services": [{"code": "97530", "minutes": 40}]}
    with pytest.raises(InputError, match=r":1: field visit_id: claim V-1 \(paid\) already sent"):
        import_visits(lambda: uow, _file(tmp_path, changed))
    kept = import_visits(lambda: uow, _file(tmp_path, changed), quarantine=True)
    assert (kept.updated, kept.quarantined) == (0, 1)
    assert uow.quarantine.records[0].problems[0].field == "visit_id"
    assert uow.visits.rows["V-1"].visit.services[0].code == "97110"
