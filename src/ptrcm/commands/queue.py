"""`ptrcm queue list|show|assign|note|status|follow-up`: work one item of a work queue.

Every change names the item's version you saw (``--version``, shown by `queue show`): if
someone changed the item since, the change is refused (exit 2) and nothing is written.
Changes are attributed to ``ptrcm --as USER`` and kept in the item's history.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, emit_json, fail, opened
from ptrcm.commands.options import Config, Db, Fmt, Org

app = typer.Typer(help="Work queue items: list, show, assign, note, status, follow-up.",
                  no_args_is_help=True)  # fmt: skip

ItemId = Annotated[int, typer.Argument(help="The work item's id.")]
Version = Annotated[int, typer.Option("--version", help="The item's version you saw.")]


@app.command("list")
def list_command(
    kind: Annotated[str | None, typer.Option("--kind", help=(
        "denial, rejection, underpayment, exception... (default: every kind).")),] = None,
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None, fmt: Fmt = OutputFormat.text,
) -> None:  # fmt: skip
    """Open items: id, version, kind, claim, amount, assignee, follow-up date."""
    from ptrcm.services.work.queue import open_items

    with opened(config=config, db=db, org=org) as root:
        rows = open_items(root.unit_of_work, kind)
    if fmt is OutputFormat.json:
        emit_json([{"id": v.id, "version": v.version, "kind": v.kind, "state": v.state,
                    "claim": v.claim, "amount": None if v.amount is None else f"{v.amount:.2f}",
                    "assignee": v.assignee,
                    "follow_up_on": v.follow_up_on and v.follow_up_on.isoformat()}
                   for v in rows])  # fmt: skip
        return
    for v in rows:
        typer.echo(f"{v.id}:{v.version}\t{v.kind}\t{v.claim}\t{v.amount or ''}\t"
                   f"{v.assignee or '-'}\t{v.follow_up_on or '-'}")  # fmt: skip


@app.command("show")
def show_command(item: ItemId, db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
                 fmt: Fmt = OutputFormat.text) -> None:  # fmt: skip
    """An item with its version, assignee, follow-up date and history."""
    from ptrcm.services.work.queue import show

    with opened(config=config, db=db, org=org) as root:
        v = show(root.unit_of_work, item)
    if fmt is OutputFormat.json:
        emit_json({
            "id": v.id, "kind": v.kind, "state": v.state, "version": v.version,
            "claim": v.claim, "amount": None if v.amount is None else f"{v.amount:.2f}",
            "due": v.due and v.due.isoformat(), "assignee": v.assignee,
            "follow_up_on": v.follow_up_on and v.follow_up_on.isoformat(), "reason": v.reason,
            "history": [{"at": e.at.isoformat(), "actor": e.actor, "event": e.event,
                         "note": e.note, "detail": e.detail} for e in v.history],
        })  # fmt: skip
        return
    who, when = v.assignee or "nobody", v.follow_up_on or "-"
    typer.echo(f"item {v.id} ({v.kind}) claim {v.claim}: {v.state}, version {v.version},"
               f" assigned to {who}, follow up {when}")  # fmt: skip
    typer.echo(f"  {v.reason}")
    for e in v.history:
        typer.echo(f"  {e.at:%Y-%m-%d %H:%M} {e.actor} {e.event} {e.note or ''}".rstrip())


@app.command("assign")
def assign_command(
    items: Annotated[list[str], typer.Argument(help="ID:VERSION of each item (bulk: several).")],
    to: Annotated[str | None, typer.Option("--to", help="User name (omit to unassign).")] = None,
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
) -> None:  # fmt: skip
    """Assign items to a member; all or nothing (a stale version refuses the lot)."""
    from ptrcm.services.work.queue import assign

    pairs = []
    for spec in items:
        left, _, right = spec.partition(":")
        if not (left.isdigit() and right.isdigit()):
            raise fail(f"{spec!r}: write ID:VERSION, e.g. 12:3")
        pairs.append((int(left), int(right)))
    with opened(config=config, db=db, org=org) as root:
        assign(root.unit_of_work, pairs, to)
    typer.echo(f"{len(pairs)} items assigned to {to or 'nobody'}")


@app.command("note")
def note_command(item: ItemId, version: Version,
                 text: Annotated[str, typer.Option("--text", help="The note (no PHI).")],
                 db: Db = None, org: Org = DEFAULT_ORG, config: Config = None) -> None:  # fmt: skip
    """Add a note to an item's history."""
    from ptrcm.services.work.queue import note

    with opened(config=config, db=db, org=org) as root:
        new = note(root.unit_of_work, item, version, text)
    typer.echo(f"item {item} noted (version {new})")


@app.command("status")
def status_command(
    item: ItemId, version: Version,
    state: Annotated[str, typer.Option("--state", help="open, in_progress, done or dismissed.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (needed for done, dismissed).")]
    = "",
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
) -> None:  # fmt: skip
    """Set an item's status."""
    from ptrcm.services.work.queue import set_state

    with opened(config=config, db=db, org=org) as root:
        new = set_state(root.unit_of_work, item, version, state, reason)
    typer.echo(f"item {item} is {state} (version {new})")


@app.command("follow-up")
def follow_up_command(
    item: ItemId, version: Version,
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (omit to clear).")] = None,
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
) -> None:  # fmt: skip
    """Set or clear the day to look at an item again."""
    from ptrcm.cli_support import parse_day
    from ptrcm.services.work.queue import follow_up

    with opened(config=config, db=db, org=org) as root:
        day = None if on is None else parse_day(on, "--on", root.clock.today)
        new = follow_up(root.unit_of_work, item, version, day)
    typer.echo(f"item {item} follow-up {day or 'cleared'} (version {new})")
