"""`ptrcm audit search` and `ptrcm audit export`: who read or changed which record, when.

The trail is append-only (the database refuses UPDATE and DELETE, and the app's role holds
neither privilege). Reading it is recorded in it too: one row per organization searched or
exported, naming the user (``ptrcm --as``). Times are shown in UTC; ``--from``/``--to`` are
days in the clinic's time zone (``--to`` inclusive) or ISO instants.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, emit_json, fail, opened, out
from ptrcm.commands.options import Config, Db, Fmt, Org

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ptrcm.bootstrap import Root
    from ptrcm.store.audit_search import AuditFilter, AuditRow

app = typer.Typer(help="The audit trail: search it, export it.", no_args_is_help=True)


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


COLUMNS = ("id", "occurred_at", "organization", "actor", "action", "table_name", "record_id",
           "patient", "detail")  # fmt: skip
ACTOR_PREFIXES = ("user", "operator", "cli")

User = Annotated[
    str | None,
    typer.Option("--user", help="A user's actions, from the web or the command line."),
]
Actor = Annotated[str | None, typer.Option("--actor", help="Exactly this actor (token:7).")]
Action = Annotated[
    str | None,
    typer.Option("--action", help="read, export, create, update, delete or import."),
]
TableName = Annotated[str | None, typer.Option("--table", help="Kind of record (claims).")]
Record = Annotated[str | None, typer.Option("--record", help="Record id (a claim's PCN).")]
Patient = Annotated[str | None, typer.Option("--patient", help="Rows about this patient id.")]
Start = Annotated[str | None, typer.Option("--from", help="First day or instant.")]
End = Annotated[str | None, typer.Option("--to", help="Last day (inclusive) or instant.")]
AllOrgs = Annotated[
    bool, typer.Option("--all-orgs", help="Every organization (default: --org only).")
]


def _instant(text: str | None, option: str, zone: ZoneInfo, *, end: bool) -> datetime | None:
    """A day in the clinic's zone (``--to``: through its end), or an ISO instant."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(0), zone).astimezone(UTC)
        found = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"{option} {text!r}: must be a day YYYY-MM-DD or an ISO date-time") from None
    return (found if found.tzinfo else found.replace(tzinfo=zone)).astimezone(UTC)


def _criteria(root: Root, user: str | None, actor: str | None, action: str | None,
              table: str | None, record: str | None, patient: str | None,
              start: str | None, end: str | None) -> AuditFilter:  # fmt: skip
    from ptrcm.store.audit import AUDIT_ACTIONS
    from ptrcm.store.audit_search import AuditFilter

    if action is not None and action not in AUDIT_ACTIONS:
        raise fail(f"--action {action!r}: must be one of {', '.join(sorted(AUDIT_ACTIONS))}")
    actors = [f"{p}:{user}" for p in ACTOR_PREFIXES] if user else []
    if actor:
        actors.append(actor)
    zone = root.clock.zone
    first, last = _instant(start, "--from", zone, end=False), _instant(end, "--to", zone, end=True)
    if first is not None and last is not None and last <= first:
        raise fail("--to is before --from")
    return AuditFilter(tuple(actors), action, table, record, patient, first, last)


def _organizations(root: Root, all_orgs: bool) -> list[tuple[str, int]]:
    if not all_orgs:
        return [(root.org, root.org_id)]
    from sqlalchemy import select

    from ptrcm.store.tables import organizations

    query = select(organizations.c.slug, organizations.c.id).order_by(organizations.c.id)
    with root.store.engine.connect() as conn:
        return [(str(slug), int(i)) for slug, i in conn.execute(query)]


def _note_reading(root: Root, org_id: int, action: str, **detail: object) -> None:
    """The trail records its own reading, in the organization read, before it is shown."""
    from ptrcm.store.audit import AuditEvent

    with root.store.unit_of_work(org_id, root.actor) as uow:
        uow.audit.record([AuditEvent(action, "audit_log", None, None, {"via": "cli", **detail})])
        uow.commit()


def _as_json(row: AuditRow) -> dict[str, Any]:
    data = {name: getattr(row, name) for name in COLUMNS}
    data["occurred_at"] = row.occurred_at.astimezone(UTC).isoformat()
    return data


@app.command("search")
def search_command(
    user: User = None, actor: Actor = None, action: Action = None, table: TableName = None,
    record: Record = None, patient: Patient = None, start: Start = None, end: End = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.", min=1, max=10_000)] = 50,
    all_orgs: AllOrgs = False, db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:  # fmt: skip
    """The newest matching audit rows (exit 1 when none match)."""
    from ptrcm.store.audit_search import search_audit

    with opened(config=config, db=db, org=org) as root:
        wanted = _criteria(root, user, actor, action, table, record, patient, start, end)
        _ = root.actor  # who is asking, decided (or refused) before anything is read
        found: list[AuditRow] = []
        for slug, org_id in _organizations(root, all_orgs):
            with root.store.connect(org_id) as conn:
                rows = search_audit(conn, org_id, slug, wanted, limit)
            _note_reading(root, org_id, "read", rows=len(rows))
            found.extend(rows)
    found.sort(key=lambda r: (r.occurred_at, r.organization, r.id), reverse=True)
    found = found[:limit]
    if fmt is OutputFormat.json:
        emit_json([_as_json(r) for r in found])
    else:
        for r in found:
            detail = "" if not r.detail else " " + json.dumps(r.detail, sort_keys=True)
            out.print(
                f"{_as_json(r)['occurred_at']} {r.organization} {r.actor} {r.action}"
                f" {r.table_name} {r.record_id or '-'} {r.patient or '-'}{detail}",
                markup=False, soft_wrap=True,
            )  # fmt: skip
        out.print(f"{len(found)} row(s)")
    if not found:
        raise typer.Exit(1)


@app.command("export")
def export_command(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or json (lines).")] = (
        ExportFormat.csv
    ),
    out_file: Annotated[Path | None, typer.Option("--out", help="File (default: stdout).")] = None,
    user: User = None, actor: Actor = None, action: Action = None, table: TableName = None,
    record: Record = None, patient: Patient = None, start: Start = None, end: End = None,
    all_orgs: AllOrgs = False, db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
) -> None:  # fmt: skip
    """Every matching audit row, newest first, as CSV or JSON Lines."""
    from ptrcm.store.audit_search import every_audit_row

    with opened(config=config, db=db, org=org) as root:
        wanted = _criteria(root, user, actor, action, table, record, patient, start, end)
        _ = root.actor
        chosen = _organizations(root, all_orgs)
        for _slug, org_id in chosen:
            _note_reading(root, org_id, "export", format=fmt.value)
        with _target(out_file) as target:
            writer = _writer(target, fmt)
            for slug, org_id in chosen:
                with root.store.connect(org_id) as conn:
                    for row in every_audit_row(conn, org_id, slug, wanted):
                        writer(row)
    if out_file is not None:
        out.print(f"audit trail written to {out_file}", markup=False)


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula (OWASP "CSV injection")."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@contextmanager
def _target(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        file = path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise fail(f"--out {path}: cannot write ({exc.strerror or exc})") from None
    with file:
        yield file


def _writer(target: TextIO, fmt: ExportFormat) -> Callable[[AuditRow], None]:
    if fmt is ExportFormat.json:

        def write_json(row: AuditRow) -> None:
            target.write(json.dumps(_as_json(row), default=str, sort_keys=True) + "\n")

        return write_json
    table = csv.writer(target, lineterminator="\n")
    table.writerow(COLUMNS)

    def write_csv(row: AuditRow) -> None:
        data = _as_json(row)
        data["detail"] = "" if row.detail is None else json.dumps(row.detail, sort_keys=True)
        table.writerow([_cell(data[c]) for c in COLUMNS])

    return write_csv
