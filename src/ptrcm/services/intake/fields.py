"""Reading typed fields out of one JSON record, collecting every problem instead of stopping
at the first: shared by the master-data and appointment imports.

A problem names where the record is (``source``, a line or a JSON path such as
``coverages[3]``) and the field; it never quotes a value, so no patient data reaches a
message.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, time
from typing import Any

from ptrcm.domain.input_limits import ID_MAX, VISIT_COUNT_MAX, date_problem, text_problem
from ptrcm.errors import RecordProblem


class Fields:
    """Typed reads of one record; each bad or missing field adds a ``RecordProblem``."""

    def __init__(
        self,
        record: object,
        source: str,
        problems: list[RecordProblem],
        *,
        line: int | None = None,
        path: str = "",
    ) -> None:
        self.record: dict[str, Any] = record if isinstance(record, dict) else {}
        self.source, self.line, self.path = source, line, path
        self.problems = problems
        if not isinstance(record, dict):
            self.problems.append(RecordProblem(source, line, path or None, "not a JSON object"))
            self.record = {}

    def where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, message: str) -> None:
        self.problems.append(RecordProblem(self.source, self.line, self.where(name), message))

    def _present(self, name: str, required: bool) -> Any:
        value = self.record.get(name)
        if value is None and required:
            self.fail(name, "is required")
        return value

    def text(self, name: str, *, required: bool = True, max_len: int = ID_MAX) -> str | None:
        """A non-empty, single-line string of at most ``max_len`` characters, stripped."""
        value = self._present(name, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(name, "must be a non-empty string")
            return None
        problem = text_problem(value.strip(), max_len)
        if problem is not None:
            self.fail(name, problem)
            return None
        return value.strip()

    def choice(self, name: str, options: Collection[str], *, required: bool = True) -> str | None:
        value = self.text(name, required=required)
        if value is not None and value not in options:
            self.fail(name, f"must be one of {', '.join(sorted(options))}")
            return None
        return value

    def day(self, name: str, *, required: bool = True) -> date | None:
        value = self._present(name, required)
        if value is None:
            return None
        try:
            day: date = (
                date.fromisoformat(value)
                if isinstance(value, str) and len(value) == 10
                else _bad(date)
            )
        except ValueError:
            self.fail(name, "must be a date as YYYY-MM-DD")
            return None
        problem = date_problem(day)
        if problem is not None:
            self.fail(name, problem)
            return None
        return day

    def clock_time(self, name: str) -> time | None:
        value = self._present(name, True)
        if value is None:
            return None
        try:
            return (
                time.fromisoformat(value)
                if isinstance(value, str) and len(value) <= 8
                else _bad(time)
            )
        except ValueError:
            self.fail(name, "must be a time of day as HH:MM")
            return None

    def integer(
        self, name: str, *, required: bool = False, minimum: int = 0, maximum: int = VISIT_COUNT_MAX
    ) -> int | None:
        """A whole number from ``minimum`` to ``maximum`` (a count of visits by default)."""
        value = self._present(name, required)
        if value is None:
            return None
        bad = isinstance(value, bool) or not isinstance(value, int)
        if bad or not minimum <= value <= maximum:
            self.fail(name, f"must be a whole number from {minimum} to {maximum:,}")
            return None
        return int(value)

    def sub(self, name: str) -> Fields | None:
        """The nested object under ``name`` (None when absent)."""
        value = self.record.get(name)
        if value is None:
            return None
        return Fields(value, self.source, self.problems, line=self.line, path=self.where(name))


def _bad(kind: type[Any]) -> Any:
    raise ValueError(f"not a {kind.__name__} string")
