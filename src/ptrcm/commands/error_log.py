"""Unexpected errors (bugs): one line on stderr with an error id, details in a log.

A ptrcm error the user can fix is exit 2 with its reason; anything else that escapes a
command is a bug, exit 3. The user sees one line naming the error id and the log file; the
log gets the error id, the time, the command words, and for each exception in the chain
its type and its frames (file, line, function). Exception messages, arguments and local
variables are never written anywhere: they may carry a patient's name, member id or
diagnosis.

The log is ``var/log/ptrcm-errors.log`` under the working directory, or the file named by
``PTRCM_ERROR_LOG``.
"""

from __future__ import annotations

import os
import secrets
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

EXIT_INTERNAL = 3
LOG_ENV = "PTRCM_ERROR_LOG"
DEFAULT_LOG = Path("var") / "log" / "ptrcm-errors.log"


def log_path() -> Path:
    return Path(os.environ.get(LOG_ENV) or DEFAULT_LOG)


def new_error_id() -> str:
    return f"E{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"


def describe(exc: BaseException) -> list[str]:
    """The exception chain as lines of types and frames, without any message text."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        lines.append(f"  {kind.__module__}.{kind.__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"    {frame.filename}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("  while handling, or caused by:")
    return lines


def record(exc: BaseException, command: list[str]) -> tuple[str, Path | None]:
    """Write the error to the log; its id, and the log's path (None when it cannot be
    written, so the line on stderr does not promise a file that is not there)."""
    error_id = new_error_id()
    path = log_path()
    entry = [
        f"{datetime.now(UTC).isoformat(timespec='seconds')} {error_id}"
        f" ptrcm {' '.join(command) or '-'}",
        *describe(exc),
    ]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write("\n".join(entry) + "\n")
    except OSError:
        return error_id, None
    return error_id, path


def report_internal_error(exc: BaseException, command: list[str]) -> int:
    """Log ``exc`` and print the one line; the exit code to use."""
    error_id, path = record(exc, command)
    where = f"details in {path}" if path is not None else f"the log {log_path()} is not writable"
    sys.stderr.write(
        f"ptrcm: internal error {error_id} ({type(exc).__name__}); {where}."
        " Please report the error id.\n"
    )
    return EXIT_INTERNAL
