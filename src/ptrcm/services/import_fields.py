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

    def text(self, name: str, *, required: bool = True, max_len: int = 64) -> str | None:
        value = self._present(name, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(name, "must be a non-empty string")
            return None
        if len(value) > max_len:
            self.fail(name, f"is longer than {max_len} characters")
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
            return date.fromisoformat(value) if isinstance(value, str) else _bad(date)
        except ValueError:
            self.fail(name, "must be a date as YYYY-MM-DD")
            return None

    def clock_time(self, name: str) -> time | None:
        value = self._present(name, True)
        if value is None:
            return None
        try:
            return time.fromisoformat(value) if isinstance(value, str) else _bad(time)
        except ValueError:
            self.fail(name, "must be a time of day as HH:MM")
            return None

    def integer(self, name: str, *, required: bool = False, minimum: int = 0) -> int | None:
        value = self._present(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(name, f"must be a whole number >= {minimum}")
            return None
        return value

    def sub(self, name: str) -> Fields | None:
        """The nested object under ``name`` (None when absent)."""
        value = self.record.get(name)
        if value is None:
            return None
        return Fields(value, self.source, self.problems, line=self.line, path=self.where(name))


def _bad(kind: type[Any]) -> Any:
    raise ValueError(f"not a {kind.__name__} string")
