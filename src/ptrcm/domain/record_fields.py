"""Typed reads of the fields of one decoded visit record, each held to ``input_limits``.

Every defect is collected as a ``RecordProblem`` naming the source, line and field path,
so one pass reports them all. A message quotes a short escaped excerpt of the bad value
only for fields that carry no patient data: names, birth dates, member ids, addresses and
diagnoses are never quoted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ptrcm.domain.input_limits import (
    ID_MAX,
    date_problem,
    excerpt,
    text_problem,
)
from ptrcm.errors import RecordProblem

# The last part of a field path whose value is protected health information.
PHI_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "name",
        "birth_date",
        "member_id",
        "line1",
        "line2",
        "city",
        "state",
        "zip",
        "diagnoses",
    }
)
_MISSING = object()


def is_phi(path: str) -> bool:
    """Whether the field at ``path`` (``patient.last_name``, ``diagnoses[2]``) is PHI."""
    return path.rsplit(".", 1)[-1].split("[", 1)[0] in PHI_FIELDS


class RecordFields:
    """Typed field access that records problems instead of stopping at the first."""

    def __init__(self, source: str, line: int | None, *, limits: bool = True) -> None:
        self.source = source
        self.line = line
        self.limits = limits  # False: a stored record, already held to them when imported
        self.problems: list[RecordProblem] = []

    def bad(self, path: str, message: str, value: object = _MISSING) -> None:
        """A problem of the field at ``path``; ``value`` is quoted unless the field is PHI."""
        if value is not _MISSING and not is_phi(path):
            message = f"{message}, got {excerpt(value)}"
        self.problems.append(RecordProblem(self.source, self.line, path, message))

    def get(self, obj: dict[str, Any], key: str, path: str, required: bool = False) -> Any:
        value = obj.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.bad(path, "is required")
            return None
        return value

    def string(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        required: bool = False,
        *,
        max_len: int = ID_MAX,
    ) -> str | None:
        """A non-empty, single-line string of at most ``max_len`` characters, stripped."""
        value = self.get(obj, key, path, required)
        if value is None:
            return None
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            self.bad(path, "must be a non-empty string", value)
            return None
        problem = text_problem(text, max_len) if self.limits else None
        if problem is not None:
            self.bad(path, problem)
            return None
        return text

    def integer(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        minimum: int = 0,
        required: bool = False,
        *,
        maximum: int,
    ) -> int | None:
        """A whole number from ``minimum`` to ``maximum``."""
        value = self.get(obj, key, path, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(path, "must be a whole number", value)
            return None
        if value < minimum or (self.limits and value > maximum):
            self.bad(path, f"must be from {minimum} to {maximum:,}", value)
            return None
        return value

    def day(self, obj: dict[str, Any], key: str, path: str, required: bool = False) -> date | None:
        """A calendar date written YYYY-MM-DD, inside the window of ``input_limits``."""
        value = self.get(obj, key, path, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.bad(path, "must be a date YYYY-MM-DD", value)
            return None
        try:
            day = date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            day = None
        if day is None:
            self.bad(path, "must be a valid date YYYY-MM-DD", value)
            return None
        problem = date_problem(day) if self.limits else None
        if problem is not None:
            self.bad(path, problem, value)
            return None
        return day

    def obj(
        self, obj: dict[str, Any], key: str, path: str, required: bool = False
    ) -> dict[str, Any] | None:
        value = self.get(obj, key, path, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.bad(path, "must be an object", value)
            return None
        return value

    def boolean(self, obj: dict[str, Any], key: str, path: str) -> bool | None:
        value = self.get(obj, key, path)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.bad(path, "must be true or false", value)
            return None
        return value
