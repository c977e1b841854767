"""Background jobs on PostgreSQL with procrastinate: the queue, the worker and the schedule.

The queue lives in the ptrcm database (migration 0032 applies procrastinate's schema), so
workers on any number of machines share it with nothing else to run. A worker:

* runs the tasks of ``ptrcm.interfaces.job_tasks`` from the queues it is given, several at
  once (``concurrency``), each job by exactly one worker (procrastinate locks the row);
* sends a heartbeat every ``heartbeat`` seconds; a job whose worker stopped sending them
  for ``stalled_after`` seconds (killed, its machine lost) is put back in the queue by the
  stalled-job sweep, a periodic task every worker runs, and is then run again;
* defers the periodic jobs: each connector's poll every ``poll_minutes`` of its
  ``[clearinghouse.<name>]`` section, the nightly re-scrub of held claims (02:00) and the
  daily systemic-denial scan (06:00), for each organization it serves. procrastinate defers
  each periodic job once per tick whatever the number of workers.

On SQLite there is no queue: ``defer`` runs the task in the calling process.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.tasks import ConfigureTaskOptions

from ptrcm.config import Config
from ptrcm.errors import ConfigError
from ptrcm.interfaces.job_tasks import TASKS, run_in_process, tasks, warm_up

QUEUES = tuple(sorted({queue for queue, _ in TASKS.values()}))
STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")
NIGHTLY_RESCRUB = "0 2 * * *"
DAILY_SCAN = "0 6 * * *"
PRUNE = "30 3 * * *"
KEEP_HOURS = 30 * 24
log = logging.getLogger("ptrcm.jobs")


def is_postgres(url: str) -> bool:
    scheme = url.partition("://")[0]
    return scheme == "postgresql" or scheme.startswith("postgresql+")


def conninfo(url: str) -> str:
    """The libpq URI of a ``postgresql[+psycopg]://`` database URL."""
    if not is_postgres(url):
        raise ConfigError("--db", "url", "the job queue needs PostgreSQL; on SQLite jobs run"
                          " in the process that asks for them")  # fmt: skip
    return "postgresql://" + url.partition("://")[2]


def make_app(url: str, import_paths: Sequence[str] = ()) -> App:
    """The procrastinate app on ``url`` with ptrcm's tasks, and those of each module of
    ``import_paths`` (its procrastinate ``Blueprint`` named ``tasks``)."""
    app = App(connector=PsycopgConnector(conninfo=conninfo(url)))
    app.add_tasks_from(tasks, namespace="")
    for path in import_paths:
        try:
            extra = importlib.import_module(path).tasks
        except (ImportError, AttributeError):
            raise ConfigError("--import", path, "not a module with a Blueprint `tasks`") from None
        app.add_tasks_from(extra, namespace="")
    return app


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    db: str
    config_file: str | None
    config: Config
    orgs: tuple[str, ...] = ("default",)
    queues: tuple[str, ...] = ()  # empty: every queue
    concurrency: int = 1
    spool: Path = Path("var/clearinghouse")
    heartbeat: float = 10.0
    stalled_after: float = 30.0
    import_paths: tuple[str, ...] = field(default_factory=tuple)


def job_locks(task: str, org: str, **kwargs: Any) -> ConfigureTaskOptions:
    """procrastinate's locks for a job: one organization's postings run one at a time (a
    worker takes another organization's job meanwhile rather than waiting on the posting
    lock), and one connector is polled by one worker at a time with at most one poll
    waiting behind it."""
    if task == "post_remittance":
        return ConfigureTaskOptions(lock=f"posting:{org}")
    if task == "clearinghouse_poll":
        # A poll posts what it fetches: it takes the organization's posting turn too.
        poll = f"poll:{org}:{kwargs.get('connector')}"
        return ConfigureTaskOptions(lock=f"posting:{org}", queueing_lock=poll)
    return ConfigureTaskOptions()


def deferrer(app: App, task: str, **kwargs: Any) -> Any:
    """The job deferrer of ``task`` for ``kwargs`` with its locks (``job_locks``)."""
    return app.tasks[f"ptrcm.{task}"].configure(**job_locks(task, **kwargs))


def poll_cron(minutes: int) -> str:
    """A cron line for every ``minutes`` (1-59: that many minutes; 60 or more: whole hours)."""
    if minutes < 60:
        return f"*/{minutes} * * * *"
    return f"0 */{max(1, min(23, minutes // 60))} * * *"


def _schedule(app: App, settings: WorkerSettings) -> None:
    """The periodic jobs of this deployment, registered before the worker starts."""
    for org in settings.orgs:
        for name, connector in sorted(settings.config.clearinghouses.items()):
            options = job_locks("clearinghouse_poll", org, connector=name)
            options["task_kwargs"] = {"org": org, "connector": name}
            app.periodic(cron=poll_cron(connector.poll_minutes), periodic_id=f"{org}:{name}",
                         **options)(app.tasks["ptrcm.clearinghouse_poll"])  # fmt: skip
        app.periodic(cron=NIGHTLY_RESCRUB, periodic_id=org, task_kwargs={"org": org})(
            app.tasks["ptrcm.rescrub_held"]
        )
        app.periodic(cron=DAILY_SCAN, periodic_id=org, task_kwargs={"org": org})(
            app.tasks["ptrcm.alerts_scan"]
        )
    sweep_seconds = min(59, max(1, int(settings.stalled_after // 2)))  # a cron seconds field
    # Finished jobs are kept 30 days for the jobs page, then removed (failed ones stay).
    app.periodic(cron=PRUNE, periodic_id="prune", task_kwargs={"max_hours": KEEP_HOURS})(
        app.tasks["procrastinate.builtin_tasks.remove_old_jobs"]
    )

    @app.periodic(cron=f"* * * * * */{sweep_seconds}", periodic_id="sweep")
    @app.task(name="ptrcm.retry_stalled_jobs", queue="maintenance", pass_context=True)
    async def retry_stalled_jobs(context: JobContext, timestamp: int) -> dict[str, Any]:
        """Jobs whose worker stopped sending heartbeats go back in the queue."""
        stalled = await context.app.job_manager.get_stalled_jobs(
            seconds_since_heartbeat=settings.stalled_after
        )
        retried = 0
        for job in stalled:
            if job.id == context.job.id:
                continue
            await context.app.job_manager.retry_job(job)
            retried += 1
            log.warning("job %s (%s) retried: its worker stopped", job.id, job.task_name)
        return {"retried": retried}


def run_worker(settings: WorkerSettings, *, name: str | None = None) -> None:
    """A worker until it is stopped (SIGINT/SIGTERM: the running jobs finish first)."""
    app = make_app(settings.db, settings.import_paths)
    _schedule(app, settings)
    warm_up()
    with app.open():
        app.run_worker(
            queues=list(settings.queues) or None,
            concurrency=settings.concurrency,
            name=name,
            additional_context={
                "db": settings.db,
                "config": settings.config_file,
                "spool": str(settings.spool),
            },
            update_heartbeat_interval=settings.heartbeat,
            stalled_worker_timeout=settings.stalled_after,
            delete_jobs="never",
        )


@dataclass(frozen=True, slots=True)
class Deferred:
    """A deferred job (``id``), or a task run in-process on SQLite (``result``)."""

    task: str
    id: int | None = None
    result: dict[str, Any] | None = None


def defer(db: str, config_file: str | None, task: str, *, delay_seconds: int = 0,
          operator: str | None = None, **kwargs: Any) -> Deferred:  # fmt: skip
    """Queue ``task`` with ``kwargs`` (PostgreSQL) or run it now (SQLite)."""
    if task not in TASKS:
        known = ", ".join(sorted(TASKS))
        raise ConfigError("ptrcm jobs defer", "task", f"unknown task {task!r}; one of {known}")
    try:  # checked here, on both databases, not found out later by a worker
        inspect.signature(TASKS[task][1]).bind(None, **kwargs)
    except TypeError:
        wanted = [p for p in inspect.signature(TASKS[task][1]).parameters][1:]
        raise ConfigError("ptrcm jobs defer", task, f"takes {', '.join(wanted)};"
                          f" given {', '.join(sorted(kwargs))}") from None  # fmt: skip
    if not is_postgres(db):
        return Deferred(task, result=run_in_process(db, config_file, operator, task, **kwargs))
    app = make_app(db)
    options = job_locks(task, **kwargs)
    if delay_seconds:
        options["schedule_in"] = {"seconds": delay_seconds}
    with app.open():
        job = app.tasks[f"ptrcm.{task}"].configure(**options)
        return Deferred(task, id=job.defer(**kwargs))


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    task: str
    queue: str
    status: str
    attempts: int
    org: str | None
    arguments: dict[str, Any]
    scheduled_at: str | None

    @property
    def retried(self) -> bool:
        return self.attempts > 1


# One organization's jobs (its slug is every task's ``org`` argument), filtered in SQL so
# the page and the CLI read only what they show, however long the queue's history.
_OF_ORG = "(%(org)s::text IS NULL OR args->>'org' = %(org)s)"
_LIST = (
    "SELECT id, queue_name, task_name, status, attempts, args, scheduled_at"
    " FROM procrastinate_jobs WHERE " + _OF_ORG +
    " AND (%(status)s::procrastinate_job_status IS NULL OR status = %(status)s)"
    " ORDER BY id DESC LIMIT %(limit)s"
)  # fmt: skip
_COUNTS = (
    "SELECT status, count(*) AS jobs, count(*) FILTER (WHERE attempts > 1) AS retried"
    " FROM procrastinate_jobs WHERE " + _OF_ORG + " GROUP BY status"
)  # fmt: skip
_FAILED = "SELECT id FROM procrastinate_jobs WHERE id = %(id)s AND status = 'failed' AND " + _OF_ORG


def _row(row: dict[str, Any]) -> JobRow:
    kwargs = {k: v for k, v in (row["args"] or {}).items() if k != "timestamp"}
    org = kwargs.get("org")
    scheduled = row["scheduled_at"]
    return JobRow(int(row["id"]), str(row["task_name"]).removeprefix("ptrcm."),
                  str(row["queue_name"]), str(row["status"]), int(row["attempts"]),
                  org if isinstance(org, str) else None, kwargs,
                  scheduled.isoformat() if scheduled else None)  # fmt: skip


def list_jobs(db: str, *, org: str | None, status: str | None = None,
              limit: int = 200) -> tuple[list[JobRow], Counter[str]]:  # fmt: skip
    """The newest ``limit`` jobs of ``org`` (``None``: every job, the sweeps' included), of
    ``status`` when given, and all of the organization's jobs counted by status
    (``retried``: those tried more than once)."""
    if status is not None and status not in STATUSES:
        raise ConfigError("--status", "status", f"must be one of {', '.join(STATUSES)}")
    app = make_app(db)
    with app.open():
        sql = app.connector.get_sync_connector()
        rows = sql.execute_query_all(_LIST, org=org, status=status, limit=limit)
        totals = sql.execute_query_all(_COUNTS, org=org)
    counts: Counter[str] = Counter({str(t["status"]): int(t["jobs"]) for t in totals})
    counts["retried"] = sum(int(t["retried"]) for t in totals)
    return [_row(r) for r in rows], counts


def retry(db: str, job_id: int, *, org: str | None) -> None:
    """A failed job of ``org`` put back in the queue, to run now."""
    app = make_app(db)
    with app.open():
        if not app.connector.get_sync_connector().execute_query_all(_FAILED, id=job_id, org=org):
            raise ConfigError("ptrcm jobs retry", "id", f"no failed job {job_id}")
        app.job_manager.retry_job_by_id(job_id, retry_at=datetime.now(UTC))


def organizations_of(orgs: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(o.strip() for o in orgs if o.strip())) or ("default",)
