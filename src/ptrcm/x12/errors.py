"""X12 reading errors and findings.

``X12Error`` is raised when a file cannot be read at all: no ISA or ST at the start, an
ISA too short to carry its delimiters, a transaction set without its SE, a segment
outside any transaction set. Its message names the file (when known), the segment number
(1-based, counted from the first segment of the file) and the segment id.

Everything else that is wrong inside a readable file is a ``Finding``: a value collected
and returned with the document (envelope counts, control numbers, 835 balancing, a
malformed claim that was skipped), never an exception that throws away the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ptrcm.errors import PtrcmError

Severity = Literal["error", "warning"]


class X12Error(PtrcmError):
    """An X12 file that cannot be read; names the file, segment number and segment id."""

    def __init__(
        self,
        message: str,
        *,
        segment: int | None = None,
        segment_id: str | None = None,
        source: str | None = None,
    ) -> None:
        self.reason = message
        self.segment = segment
        self.segment_id = segment_id
        self.source = source
        super().__init__(self._describe())

    def _describe(self) -> str:
        where: list[str] = []
        if self.source:
            where.append(self.source)
        if self.segment is not None:
            where.append(
                f"segment {self.segment}" + (f" {self.segment_id}" if self.segment_id else "")
            )
        return ": ".join([*where, self.reason]) if where else self.reason

    def with_source(self, source: str | None) -> X12Error:
        """The same error naming the file it came from."""
        if source is None or self.source is not None:
            return self
        return X12Error(
            self.reason, segment=self.segment, segment_id=self.segment_id, source=source
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """A defect in a readable file: what is wrong and where (segment number and id)."""

    severity: Severity
    message: str
    segment: int | None = None
    segment_id: str | None = None

    def __str__(self) -> str:
        if self.segment is None:
            return f"{self.severity}: {self.message}"
        sid = f" {self.segment_id}" if self.segment_id else ""
        return f"{self.severity}: segment {self.segment}{sid}: {self.message}"
