"""The one exception hierarchy of ptrcm.

Data defects inside a file that was read correctly are *findings* (values), never
exceptions. These exceptions are for input that cannot be read at all, configuration
that is wrong, and broken invariants. The CLI and the web app translate them at the
edge: ``InputError`` and ``ConfigError`` become exit code 2 / HTTP 400 with the message.

Messages carry file names, line numbers, field names and record ids, never patient
names or member ids.
"""

from __future__ import annotations

from dataclasses import dataclass


class PtrcmError(Exception):
    """Base class of every error ptrcm raises on purpose."""


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One defect in one input record: where it is and what is wrong."""

    source: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        if self.field:
            return f"{where}: field {self.field}: {self.message}"
        return f"{where}: {self.message}"


class InputError(PtrcmError):
    """Input that cannot be used: names the file, line and field of each problem.

    Raising it means nothing was half-read or half-written.
    """

    def __init__(self, problems: list[RecordProblem]) -> None:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = tuple(problems)
        first = str(problems[0])
        more = len(problems) - 1
        super().__init__(first if more == 0 else f"{first} (and {more} more problems)")

    @classmethod
    def one(cls, source: str, line: int | None, field: str | None, message: str) -> InputError:
        return cls([RecordProblem(source, line, field, message)])


class ConfigError(PtrcmError):
    """A configuration file or rule pack that is wrong; the message names the key."""

    def __init__(self, source: str, key: str, message: str) -> None:
        self.source = source
        self.key = key
        super().__init__(f"{source}: key {key}: {message}")


class InvariantError(PtrcmError):
    """A broken internal invariant (a bug): never caused by user input alone."""


class BusyError(PtrcmError):
    """Another process holds a lock this work must wait for, and waiting timed out.

    Nothing was written; running the command again is safe.
    """


class ConflictError(PtrcmError):
    """A change made on an outdated copy: someone changed the record since it was read.

    Nothing was written; read the record again and redo the change on what is there now.
    """
