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
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.jobs import Job
from procrastinate.tasks import ConfigureTaskOptions

from ptrcm.config import Config
from ptrcm.errors import ConfigError
from ptrcm.interfaces.job_tasks import TASKS, run_in_process, tasks, warm_up

QUEUES = tuple(sorted({queue for queue, _ in TASKS.values()}))
STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")
NIGHTLY_RESCRUB = "0 2 * * *"
DAILY_SCAN = "0 6 * * *"
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
    sweep_seconds = max(1, int(settings.stalled_after // 2))

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


def _row(job: Job) -> JobRow:
    kwargs = {k: v for k, v in job.task_kwargs.items() if k != "timestamp"}
    org = kwargs.get("org")
    return JobRow(int(job.id or 0), job.task_name.removeprefix("ptrcm."), job.queue,
                  str(job.status), job.attempts, org if isinstance(org, str) else None, kwargs,
                  job.scheduled_at.isoformat() if job.scheduled_at else None)  # fmt: skip


def list_jobs(db: str, *, org: str | None, status: str | None = None,
              limit: int = 200) -> tuple[list[JobRow], Counter[str]]:  # fmt: skip
    """The newest ``limit`` jobs of ``org`` (``None``: every job, the sweep's included), and
    the organization's counts by status (``retried``: tried more than once)."""
    if status is not None and status not in STATUSES:
        raise ConfigError("--status", "status", f"must be one of {', '.join(STATUSES)}")
    app = make_app(db)
    with app.open():
        found = [_row(j) for j in app.job_manager.list_jobs(status=status)]
    mine = [j for j in found if org is None or j.org == org]
    counts: Counter[str] = Counter(j.status for j in mine)
    counts["retried"] = sum(1 for j in mine if j.retried)
    return sorted(mine, key=lambda j: -j.id)[:limit], counts


def retry(db: str, job_id: int, *, org: str | None) -> None:
    """A failed job of ``org`` put back in the queue, to run now."""
    rows, _ = list_jobs(db, org=org, status="failed", limit=10**9)
    if not any(r.id == job_id for r in rows):
        raise ConfigError("ptrcm jobs retry", "id", f"no failed job {job_id}")
    app = make_app(db)
    with app.open():
        app.job_manager.retry_job_by_id(job_id, retry_at=datetime.now(UTC))


def organizations_of(orgs: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(o.strip() for o in orgs if o.strip())) or ("default",)
