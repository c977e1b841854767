"""`ptrcm alerts scan|list|ack|close`: systemic-denial events (docs/alerts.md).

`scan` runs the detectors on a day (default: the clinic's today) over the posted 835s,
records new events with their owner and due time, and sends them by email and webhook
when `[alerts]` in ptrcm.toml names a server or a URL. Exit 0 with no new event, 1 when
an event was raised (someone must act), 2 for bad usage.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from ptrcm.cli_support import (
    DEFAULT_ORG,
    OutputFormat,
    emit_json,
    fail,
    opened,
    parse_day,
    record_disclosure,
)
from ptrcm.commands.options import AsOf, Config, Db, Fmt, Org

app = typer.Typer(help="Systemic-denial events: spikes, silent payers, first-pass drops.",
                  no_args_is_help=True)  # fmt: skip

LOOKBACK_DAYS = 100  # the 60-day baseline and the 7-day window, with room for weekends


@app.command()
def scan(
    as_of: AsOf = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Detect the day's systemic-denial events; record and send the new ones."""
    from ptrcm.analytics import Scope
    from ptrcm.analytics.denial_days import day_counts, last_answers
    from ptrcm.services.alerts.scan import scan as run_scan

    with opened(config=config, db=db, org=org) as root:
        day = parse_day(as_of, "--as-of", root.clock.today)
        with root.unit_of_work() as uow:
            scope = Scope(uow.connection, uow.org_id)
            history = day_counts(scope, day - timedelta(days=LOOKBACK_DAYS), day)
            last = last_answers(scope, day)
        settings = root.config.alerts
        result = run_scan(root.unit_of_work, org, day, history, last, datetime.now(UTC),
                          escalation=settings.escalation, channels=settings.channels)  # fmt: skip
    for line in result.failures:
        sys.stderr.write(f"ptrcm: warning: {line}\n")
    if fmt is OutputFormat.json:
        emit_json([{"id": s.id, "kind": str(s.event.kind), "payer": s.event.payer,
                    "reason": s.event.reason, "day": s.event.day.isoformat(),
                    "severity": str(s.event.severity), "summary": s.event.summary,
                    "claims": len(s.event.evidence), "owner": s.owner,
                    "due_at": s.due_at.isoformat()} for s in result.recorded])  # fmt: skip
    else:
        for s in result.recorded:
            sys.stdout.write(f"#{s.id} {s.event.severity} {s.event.payer}"
                             f" {s.event.reason or s.event.kind}: {s.event.summary}\n")  # fmt: skip
        sys.stdout.write(f"{len(result.recorded)} new events on {day.isoformat()}\n")
    if result.recorded:
        raise typer.Exit(1)


@app.command("list")
def list_events(
    status: Annotated[
        str | None, typer.Option("--status", help="open, acknowledged or closed.")
    ] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Recorded events; JSON adds each event's claim PCNs (recorded as a read)."""
    if status is not None and status not in ("open", "acknowledged", "closed"):
        raise fail(f"--status {status!r}: must be open, acknowledged or closed")
    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        events = uow.alerts.events(status)
        if fmt is OutputFormat.json:
            record_disclosure(uow, "systemic_events", None, count=len(events))
    if fmt is OutputFormat.json:
        emit_json([{"id": s.id, "kind": str(s.event.kind), "payer": s.event.payer,
                    "reason": s.event.reason, "day": s.event.day.isoformat(),
                    "severity": str(s.event.severity), "summary": s.event.summary,
                    "claims": list(s.event.evidence), "owner": s.owner,
                    "due_at": s.due_at.isoformat(), "status": s.status,
                    "notified": list(s.notified)} for s in events])  # fmt: skip
        return
    for s in events:
        sys.stdout.write(f"#{s.id} {s.status:<12} {s.event.day.isoformat()} {s.event.payer}"
                         f" {s.event.reason or s.event.kind} owner {s.owner},"
                         f" due {s.due_at:%Y-%m-%d %H:%M}: {s.event.summary}\n")  # fmt: skip


def _set(event_id: int, status: str, owner: str | None, db: str | None, org: str,
         config: str | None) -> None:  # fmt: skip
    with opened(config=config, db=db, org=org) as root, root.unit_of_work() as uow:
        if not uow.alerts.set_status(event_id, status, owner):
            raise fail(f"event {event_id}: no such event")
        uow.commit()
    sys.stdout.write(f"event {event_id}: {status}\n")


@app.command()
def ack(
    event_id: Annotated[int, typer.Argument(help="The event's id (`ptrcm alerts list`).")],
    owner: Annotated[str | None, typer.Option("--owner", help="Who takes it on.")] = None,
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Acknowledge an event (optionally handing it to an owner)."""
    _set(event_id, "acknowledged", owner, db, org, config)


@app.command()
def close(
    event_id: Annotated[int, typer.Argument(help="The event's id.")],
    db: Db = None,
    org: Org = DEFAULT_ORG,
    config: Config = None,
) -> None:
    """Close an event: the same kind of event at that payer can be raised again."""
    _set(event_id, "closed", None, db, org, config)
