"""The import service against a fake unit of work: what it commits, and when it writes nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest

from ptrcm.domain.intake import QuarantinedRecord, SourcedVisit, UpsertCounts
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError
from ptrcm.services.importing import import_visits

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
    def __init__(self) -> None:
        self.rows: dict[str, SourcedVisit] = {}

    def upsert(self, visits: Sequence[SourcedVisit]) -> UpsertCounts:
        new = sum(1 for v in visits if v.visit.visit_id not in self.rows)
        self.rows.update({v.visit.visit_id: v for v in visits})
        return UpsertCounts(new, len(visits) - new)

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
