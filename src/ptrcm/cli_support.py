"""Shared pieces of the command line: consoles, output formats, errors, JSON output, dates,
and ``opened``: the composition root for one command, closed when the command ends."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from ptrcm.errors import PtrcmError

if TYPE_CHECKING:
    from ptrcm.bootstrap import Root
    from ptrcm.store.repository import UnitOfWork

DEFAULT_ORG = "default"

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class Method(StrEnum):
    cms = "cms"
    ama = "ama"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line reason to stderr and return the Exit to raise (exit code 2)."""
    report_error(message)
    return typer.Exit(code)


def report_error(message: str) -> None:
    """One unwrapped line on stderr, whatever the terminal width."""
    sys.stderr.write(f"ptrcm: error: {message}\n")


def parse_amount(text: str, option: str) -> Decimal:
    """A money amount typed by a user: a decimal of whole cents, not negative. Anything
    else is a usage error naming the option (exit 2), never silently rounded."""
    from ptrcm.domain.money import CENT, to_decimal

    try:
        value = to_decimal(text)
    except (TypeError, ValueError):
        raise fail(f"{option} {text!r}: not an amount such as 25.00") from None
    if value < 0 or value != value.quantize(CENT):
        raise fail(f"{option} {text!r}: must be zero or more, in whole cents") from None
    return value.quantize(CENT)


def emit_json(data: Any) -> None:
    """Machine-readable output: JSON on stdout (Decimals and dates as strings).

    Indented for a person at a terminal; one compact line when piped or redirected, where
    scripts read it (Python's json encodes with indentation several times slower, which
    matters for a 100,000-claim 835).
    """
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(data, indent=indent, default=str) + "\n")


_OPERATOR: ContextVar[str | None] = ContextVar("ptrcm_operator", default=None)


def set_operator(name: str | None) -> None:
    """Remember ``ptrcm --as USER`` (or ``PTRCM_OPERATOR``) for this invocation; the root
    callback calls it on every invocation, so a name never outlives its command."""
    _OPERATOR.set(name)


def operator_name() -> str | None:
    """The user named by ``ptrcm --as USER`` (or ``PTRCM_OPERATOR``) for this invocation."""
    return _OPERATOR.get()


def actor() -> str:
    """What the audit trail names for account administration from this command line: the
    ``--as`` user when one is named, else ``cli:unattributed`` (never the shell's login)."""
    name = operator_name()
    return "cli:unattributed" if name is None else f"operator:{name}"


@contextmanager
def opened(
    *,
    config: str | None = None,
    db: str | None = None,
    org: str = DEFAULT_ORG,
    create_db: bool = False,
    as_owner: bool = False,
) -> Iterator[Root]:
    """The composition root for one command (``ptrcm.bootstrap.Root``): the configuration
    is loaded and checked first (a bad key stops the command before anything is read or
    written), the store is closed when the block ends, and a ptrcm error inside it is a
    one-line reason with exit 2. Work is attributed to ``ptrcm --as`` (``operator_name``);
    ``as_owner``: the store is the owner's, for migrations and roles."""
    from ptrcm.bootstrap import Root

    with Root(
        config_file=config, db=db, org=org, operator=operator_name(), create_db=create_db,
        as_owner=as_owner,
    ) as root:  # fmt: skip
        try:
            _ = root.config
            yield root
        except PtrcmError as exc:
            raise fail(str(exc)) from None


def record_disclosure(
    uow: UnitOfWork,
    table_name: str,
    record_id: str | None = None,
    *,
    action: str = "read",
    patient_id: int | None = None,
    commit: bool = True,
    **detail: object,
) -> None:
    """The audit row for patient data this command is about to print or write (``action``
    read or export), committed before the first byte of it leaves: a disclosure that cannot
    be recorded does not happen. ``commit=False``: in the transaction that records what the
    command wrote (files and their rows are committed with it). ``detail``: ids and counts
    only, never PHI."""
    from ptrcm.store.audit import AuditEvent

    noted = {"via": "cli", **detail}
    uow.audit.record([AuditEvent(action, table_name, record_id, patient_id, noted)])
    if commit:
        uow.commit()


def disclose(
    root: Root, table_name: str, record_id: str | None = None, *, action: str = "read",
    **detail: object,
) -> None:  # fmt: skip
    """``record_disclosure`` in a unit of work of its own (for a command whose service
    opened and closed its own)."""
    from ptrcm.store.audit import AuditEvent

    with root.unit_of_work() as uow:
        noted = {"via": "cli", **detail}
        uow.audit.record([AuditEvent(action, table_name, record_id, None, noted)])
        uow.commit()


def parse_day(text: str | None, option: str, today: Callable[[], date]) -> date:
    """A YYYY-MM-DD option, or ``today()`` (the clinic's clock) when it was not given."""
    if text is None:
        return today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option} {text!r}: must be a date YYYY-MM-DD") from None
