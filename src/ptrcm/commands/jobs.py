"""`ptrcm worker` and `ptrcm jobs list|defer|retry`: background jobs on PostgreSQL."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path
from typing import Annotated, Any

import typer

from ptrcm.cli_support import DEFAULT_ORG, OutputFormat, emit_json, fail, opened, operator_name
from ptrcm.commands.options import Config, Db, Fmt, Org
from ptrcm.errors import PtrcmError

app = typer.Typer(help="Background jobs: list, defer and retry (PostgreSQL; see docs/jobs.md).")

Orgs = Annotated[
    list[str] | None,
    typer.Option("--schedule-org", help="An organization whose periodic jobs (polls, nightly"
                 " re-scrub, daily scan) this worker defers (repeat; default: default)."),
]  # fmt: skip


def worker(
    db: Db = None,
    config: Config = None,
    schedule_org: Orgs = None,
    queue: Annotated[
        list[str] | None,
        typer.Option("--queue", help="A queue to take jobs from (repeat; default: all)."),
    ] = None,
    concurrency: Annotated[int, typer.Option(help="Jobs run at once.", min=1, max=64)] = 1,
    spool: Annotated[
        Path, typer.Option("--spool", help="Local folder of the clearinghouse files.")
    ] = Path("var/clearinghouse"),
    heartbeat: Annotated[
        float, typer.Option(help="Seconds between the worker's heartbeats.", min=0.2)
    ] = 10.0,
    stalled_after: Annotated[
        float,
        typer.Option(help="Seconds without a heartbeat after which a worker's jobs run again.",
                     min=1.0),
    ] = 30.0,
    import_path: Annotated[
        list[str] | None,
        typer.Option("--import", help="A module of further procrastinate tasks to load."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="The worker's name in the queue.")] = None,
) -> None:  # fmt: skip
    """Run background jobs from the PostgreSQL queue until stopped (Ctrl-C lets the
    running jobs finish). Workers on several machines share the queue."""
    from ptrcm.interfaces.job_queue import (
        WorkerSettings,
        is_postgres,
        organizations_of,
        run_worker,
    )

    with opened(config=config, db=db) as root:
        url = root.database_url
        if not is_postgres(url):
            raise fail("ptrcm worker needs PostgreSQL (--db postgresql+psycopg://...); on"
                       " SQLite, `ptrcm jobs defer` runs a task in its process")  # fmt: skip
        settings = WorkerSettings(url, config, root.config, organizations_of(schedule_org or ()),
                                  tuple(queue or ()), concurrency, spool, heartbeat,
                                  stalled_after, tuple(import_path or ()))  # fmt: skip
    typer.echo(f"ptrcm worker {name or socket.gethostname()}: queues"
               f" {', '.join(settings.queues) or 'all'}; organizations"
               f" {', '.join(settings.orgs)}", err=True)  # fmt: skip
    # Each job's start and outcome (task, number, organization, files; never patient data).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        run_worker(settings, name=name)
    except PtrcmError as exc:
        raise fail(str(exc)) from None


@app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option(help="todo, doing, succeeded, failed, …")] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every organization's jobs and the sweeps.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:  # fmt: skip
    """Queued, running, failed and retried jobs, newest first, with counts by status."""
    from ptrcm.interfaces.job_queue import is_postgres, list_jobs

    with opened(config=config, db=db, org=org) as root:
        url = root.database_url
        if not is_postgres(url):
            raise fail("no job queue on SQLite: jobs run in the process that defers them")
        rows, counts = list_jobs(url, org=None if every else org, status=status, limit=limit)
    if fmt is OutputFormat.json:
        emit_json({"counts": dict(counts), "jobs": [_json(r) for r in rows]})
        return
    typer.echo(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no jobs")
    for r in rows:
        again = f" (attempt {r.attempts})" if r.retried else ""
        typer.echo(f"#{r.id} {r.status}{again} {r.task} [{r.queue}] {json.dumps(r.arguments)}")


def _json(r: Any) -> dict[str, Any]:
    return {"id": r.id, "task": r.task, "queue": r.queue, "status": r.status,
            "attempts": r.attempts, "retried": r.retried, "organization": r.org,
            "arguments": r.arguments, "scheduled_at": r.scheduled_at}  # fmt: skip


@app.command("defer")
def defer_command(
    task: Annotated[str, typer.Argument(help="import_visits, scrub_claims, rescrub_held,"
                                        " post_remittance, clearinghouse_poll, alerts_scan")],
    arguments: Annotated[list[str] | None, typer.Argument(
        help="The task's arguments as KEY=VALUE (path=..., connector=..., outbox=...).")] = None,
    delay: Annotated[int, typer.Option(help="Seconds before it may run.", min=0)] = 0,
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:  # fmt: skip
    """Queue a task for the workers (PostgreSQL), or run it now (SQLite)."""
    from procrastinate.exceptions import AlreadyEnqueued

    from ptrcm.interfaces.job_queue import defer

    kwargs: dict[str, Any] = {"org": org}
    for pair in arguments or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.isidentifier() or key == "org":
            raise fail(f"argument {pair!r}: must be KEY=VALUE (the organization is --org)")
        kwargs[key] = {"true": True, "false": False}.get(value, value)
    with opened(config=config, db=db, org=org) as root:
        url = root.database_url
    try:
        done = defer(url, config, task, delay_seconds=delay, operator=operator_name(), **kwargs)
    except AlreadyEnqueued:
        raise fail(f"{task}: the same job is already waiting in the queue") from None
    except PtrcmError as exc:
        raise fail(str(exc)) from None
    if fmt is OutputFormat.json:
        emit_json({"task": done.task, "id": done.id, "result": done.result})
    elif done.id is not None:
        typer.echo(f"job #{done.id} {task} queued")
    else:
        typer.echo(f"{task} ran in this process: {json.dumps(done.result)}")


@app.command("retry")
def retry_command(
    job_id: Annotated[int, typer.Argument(help="A failed job's number.")],
    db: Db = None, org: Org = DEFAULT_ORG, config: Config = None,
) -> None:  # fmt: skip
    """Put a failed job of the organization back in the queue."""
    from ptrcm.interfaces.job_queue import retry

    with opened(config=config, db=db, org=org) as root:
        url = root.database_url
    try:
        retry(url, job_id, org=org)
    except PtrcmError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"job #{job_id} queued again")
