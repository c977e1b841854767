"""The background tasks: each opens the composition root for its organization and calls the
same service a command calls, so a job and ``ptrcm <command>`` do the same work.

A task's arguments are an organization slug, file paths and connector names — never
patient data — because they are stored in the queue's tables and shown on the jobs page.
Each task returns a small summary of counts (logged by the worker, never PHI).

Where they run: on PostgreSQL, ``ptrcm worker`` processes (``ptrcm.interfaces.job_queue``);
on SQLite, in the process that defers them (``run_in_process``). The worker passes the
database URL, the config file and the clearinghouse spool in its context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from procrastinate import Blueprint, JobContext, RetryStrategy

from ptrcm.bootstrap import Root

tasks = Blueprint()
# A task that fails for a passing reason (a dropped connection, a locked row) is tried again
# after 10 s, 20 s, 40 s; a bad file fails the same way every time and stays failed.
RETRY = RetryStrategy(max_attempts=4, exponential_wait=10)


@contextmanager
def _root(context: dict[str, Any], org: str) -> Iterator[Root]:
    # A worker's job is attributed to the job (``job:NAME#ID`` in the audit trail); a task
    # run in-process to whoever ran the command (``--as``), as the command itself would be.
    with Root(config_file=context.get("config"), db=context.get("db"), org=org,
              actor=context.get("actor"), operator=context.get("operator")) as root:  # fmt: skip
        yield root


def _context(job: JobContext, name: str) -> dict[str, Any]:
    return {**job.additional_context, "actor": f"job:{name}#{job.job.id}"}


def import_visits(context: dict[str, Any], org: str, path: str) -> dict[str, Any]:
    from ptrcm.services.intake.visits import import_visits as run

    with _root(context, org) as root:
        result = run(root.unit_of_work, path, quarantine=True, payers=root.config.payers,
                     as_of=root.clock.today())  # fmt: skip
    return {
        "imported": result.imported,
        "unchanged": result.unchanged,
        "quarantined": result.quarantined,
    }


def scrub_claims(context: dict[str, Any], org: str, fix: bool = True) -> dict[str, Any]:
    from ptrcm.services.claims.lifecycle import scrub_claims as run

    with _root(context, org) as root:
        scrubber = root.scrubber(root.clock.today())
        result = run(root.unit_of_work, scrubber, root.config, root.catalog, fix=fix)
    return {"scrubbed": result.scrubbed, "ready": len(result.ready), "held": len(result.held)}


def rescrub_held(context: dict[str, Any], org: str) -> dict[str, Any]:
    """The nightly re-scrub of held claims (a plan of care signed, a pack updated since)."""
    from ptrcm.domain.lifecycle import ClaimState
    from ptrcm.services.claims.lifecycle import scrub_claims as run

    with _root(context, org) as root:
        scrubber = root.scrubber(root.clock.today())
        result = run(root.unit_of_work, scrubber, root.config, root.catalog, fix=True,
                     states=(ClaimState.HELD,))  # fmt: skip
    return {"scrubbed": result.scrubbed, "ready": len(result.ready), "held": len(result.held)}


def post_remittance(context: dict[str, Any], org: str, path: str, outbox: str) -> dict[str, Any]:
    from ptrcm.services.remittance.posting import PostingOptions
    from ptrcm.services.remittance.posting import post_remittance as run

    with _root(context, org) as root:
        options = PostingOptions(root.config, root.catalog, Path(outbox), outcomes=False)
        result = run(root.unit_of_work, path, options)
    return {"already_posted": result.already_posted, "claims": result.claims,
            "posted": result.posted, "paid": f"{result.paid:.2f}"}  # fmt: skip


def clearinghouse_poll(context: dict[str, Any], org: str, connector: str) -> dict[str, Any]:
    from ptrcm.interfaces.clearinghouse_channel import open_channel
    from ptrcm.services.clearinghouse.transfer import PollWork, poll
    from ptrcm.services.remittance.posting import PostingOptions

    with _root(context, org) as root:
        channel = open_channel(root.config, connector, Path(context.get("spool", "var/ch")))
        posting = PostingOptions(
            root.config, root.catalog, outbox=channel.folder("secondary"), outcomes=False
        )
        work = PollWork(root.unit_of_work, root.unit_of_work, root.unit_of_work, posting,
                        root.clock.today)  # fmt: skip
        result = poll(channel, work)
    return {"fetched": len(result.fetched), "posted": len(result.posted),
            "failed": len(result.failed)}  # fmt: skip


def alerts_scan(context: dict[str, Any], org: str) -> dict[str, Any]:
    """The day's systemic-denial scan (``ptrcm alerts scan``)."""
    from ptrcm.analytics import Scope
    from ptrcm.analytics.denial_days import day_counts, last_answers
    from ptrcm.services.alerts.scan import scan

    with _root(context, org) as root:
        day = root.clock.today()
        with root.unit_of_work() as uow:
            scope = Scope(uow.connection, uow.org_id)
            history = day_counts(scope, day - timedelta(days=100), day)
            last = last_answers(scope, day)
        settings = root.config.alerts
        result = scan(root.unit_of_work, org, day, history, last, datetime.now(UTC),
                      escalation=settings.escalation, channels=settings.channels)  # fmt: skip
    return {"events": len(result.recorded), "send_failures": len(result.failures)}


# The tasks by name, with their queue: what ``ptrcm jobs defer`` and the worker know.
TASKS: dict[str, tuple[str, Callable[..., dict[str, Any]]]] = {
    "import_visits": ("imports", import_visits),
    "scrub_claims": ("claims", scrub_claims),
    "rescrub_held": ("claims", rescrub_held),
    "post_remittance": ("posting", post_remittance),
    "clearinghouse_poll": ("clearinghouse", clearinghouse_poll),
    "alerts_scan": ("maintenance", alerts_scan),
}


def _register(name: str, queue: str, body: Callable[..., dict[str, Any]]) -> None:
    def task(job: JobContext, /, timestamp: int | None = None, **kwargs: Any) -> dict[str, Any]:
        del timestamp  # set by procrastinate for periodic runs
        return body(_context(job, name), **kwargs)

    task.__name__ = task.__qualname__ = name
    task.__doc__ = body.__doc__
    tasks.task(name=f"ptrcm.{name}", queue=queue, retry=RETRY, pass_context=True)(task)


for _name, (_queue, _body) in TASKS.items():
    _register(_name, _queue, _body)


def warm_up() -> None:
    """Import what the tasks use, so a worker's first job is not slower than the rest."""
    import ptrcm.analytics.denial_days
    import ptrcm.interfaces.clearinghouse_channel
    import ptrcm.services.alerts.scan
    import ptrcm.services.claims.lifecycle
    import ptrcm.services.intake.visits
    import ptrcm.services.remittance.posting  # noqa: F401


def run_in_process(db: str | None, config: str | None, operator: str | None, name: str,
                   **kwargs: Any) -> dict[str, Any]:  # fmt: skip
    """A task run now, in this process: how jobs run on SQLite, where there is no queue."""
    _, body = TASKS[name]
    return body({"db": db, "config": config, "operator": operator}, **kwargs)
