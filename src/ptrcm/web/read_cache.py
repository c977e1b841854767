"""The web's read cache: what the dashboard and the work-queue pages read, kept per
organization, scope and arguments while the organization's data has not changed.

A page load used to recompute every KPI of the dashboard (about a second on a large
clinic) for every request. Now each read is looked up under a key of the organization's
id, the principal's provider scope (a therapist's provider, or ``None`` for the whole
organization), the method and its arguments (period, queue name, page, sort, and the day
the answer depends on); an entry is served only if it was computed at the organization's
current *data version* (``ptrcm.store.data_version``), which every committed write bumps
in its own transaction. Checking it is one indexed single-row read (once per GET request,
``OneVersionPerRead``; on every call otherwise), so a write made by another worker process
or by the CLI is seen by the next request of every worker. Entries of one organization or
scope are never served to another: the organization and scope are the first parts of
every key.

The version is read *before* the figures, so an entry is never newer than the version it
is filed under is old: a write that lands in between makes the entry stale at once.
Concurrent misses of one key compute it once (the others wait for that result). The cache
holds at most ``max_entries`` answers per process, least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any, TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send

from ptrcm.analytics.shared_figures import SharedFigures
from ptrcm.web import ports as p

T = TypeVar("T")
MAX_ENTRIES = 512  # a queue page holds up to 500 items: bounded memory per worker
# The versions one read-only request has read, so its many reads check the database once.
_request_versions: ContextVar[dict[int, int] | None] = ContextVar("_request_versions", default=None)
# The KPI figures one read-only request has computed, so its reads compute each once.
_request_figures: ContextVar[SharedFigures | None] = ContextVar("_request_figures", default=None)


@contextmanager
def one_version_check() -> Iterator[None]:
    """Within the block, each organization's version is read once (its first read) and
    reused: a page's reads answer for one version. Only for requests that write nothing.
    The block's reads also share the KPI figures they compute (``request_figures``): the
    dashboard's aging of the period end, tile KPIs and cash per day are computed once."""
    token = _request_versions.set({})
    figures = _request_figures.set(SharedFigures())
    try:
        yield
    finally:
        _request_figures.reset(figures)
        _request_versions.reset(token)


def request_figures() -> SharedFigures:
    """The figures of the current read-only request, or a new memo outside one (shared
    only within the read that asked)."""
    found = _request_figures.get()
    return SharedFigures() if found is None else found


class OneVersionPerRead:
    """ASGI middleware: every GET or HEAD request checks each organization's data version
    once, however many cached reads its page makes (unsafe methods check on every read,
    so a request that writes and then reads sees its own write)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        with one_version_check():
            await self.app(scope, receive, send)


class ReadCache:
    """One process's cache. ``version_of(org_id)`` reads an organization's data version."""

    def __init__(self, version_of: Callable[[int], int], max_entries: int = MAX_ENTRIES) -> None:
        self.version_of = version_of
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _version(self, org_id: int) -> int:
        seen = _request_versions.get()
        if seen is None:
            return self.version_of(org_id)
        if org_id not in seen:
            seen[org_id] = self.version_of(org_id)
        return seen[org_id]

    def _current(self, key: Hashable, version: int) -> tuple[bool, Any]:
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == version:
                self._entries.move_to_end(key)
                self.hits += 1
                return True, found[1]
        return False, None

    def get(self, org_id: int, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer for ``key`` (which must start with ``org_id`` and the scope) at the
        organization's current version, computed by ``compute`` when there is none."""
        version = self._version(org_id)
        hit, value = self._current(key, version)
        if hit:
            return value  # type: ignore[no-any-return]
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:  # one computation per key at a time; the others then find its answer
            hit, value = self._current(key, version)
            if hit:
                return value  # type: ignore[no-any-return]
            fresh = compute()
            with self._lock:
                self.misses += 1
                self._entries[key] = (version, fresh)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
                self._computing.pop(key, None)
        return fresh

    def __len__(self) -> int:
        return len(self._entries)


class CachedReads:
    """The dashboard, work-queue and status providers of one scope, answered from
    ``cache``. Everything else (claims, exports, other pages) reads ``inner`` directly."""

    def __init__(
        self,
        cache: ReadCache,
        org_id: int,
        provider: int | None,
        dashboard: p.DashboardData,
        queues: p.WorkQueueData,
        status: p.StatusData,
        today: Callable[[], date],
    ) -> None:
        self.cache, self.org_id, self.provider = cache, org_id, provider
        self.inner_dashboard, self.inner_queues, self.inner_status = dashboard, queues, status
        self.today = today

    def _get(self, name: str, args: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        return self.cache.get(self.org_id, (self.org_id, self.provider, name, *args), compute)

    # dashboard
    def kpi_tiles(self, period: p.Period) -> Sequence[p.KpiTile]:
        return self._get("tiles", (period,), lambda: tuple(self.inner_dashboard.kpi_tiles(period)))

    def ar_aging(self, as_of: date) -> Sequence[p.AgingRow]:
        return self._get("aging", (as_of,), lambda: tuple(self.inner_dashboard.ar_aging(as_of)))

    def goals(self, period: p.Period) -> p.Goals:
        return self._get("goals", (period,), lambda: self.inner_dashboard.goals(period))

    def review_pdf(self, month: date) -> bytes:
        return self._get("review", (month,), lambda: self.inner_dashboard.review_pdf(month))

    def denial_reasons(self, period: p.Period) -> Sequence[p.DenialReason]:
        return self._get(
            "denials", (period,), lambda: tuple(self.inner_dashboard.denial_reasons(period))
        )

    def first_pass_trend(self, period: p.Period) -> Sequence[p.RatePoint]:
        return self._get(
            "first_pass", (period,), lambda: tuple(self.inner_dashboard.first_pass_trend(period))
        )

    def cash_and_visits(self, period: p.Period) -> Sequence[p.CashWeek]:
        return self._get(
            "cash_visits", (period,), lambda: tuple(self.inner_dashboard.cash_and_visits(period))
        )

    def days_in_ar_trend(self, period: p.Period) -> Sequence[p.DaysInArPoint]:
        return self._get(
            "days_in_ar", (period,), lambda: tuple(self.inner_dashboard.days_in_ar_trend(period))
        )

    # work queues: an item's age counts from today, so today is part of the key
    def queue(
        self,
        name: p.QueueName,
        offset: int = 0,
        limit: int | None = None,
        sort: str | None = None,
        descending: bool = False,
    ) -> Sequence[p.QueueItem]:
        args = (name, offset, limit, sort, descending, self.today())
        return self._get(
            "queue", args,
            lambda: tuple(self.inner_queues.queue(name, offset, limit, sort, descending)),
        )  # fmt: skip

    def queue_totals(self, name: p.QueueName) -> p.QueueTotals:
        return self._get("queue_totals", (name,), lambda: self.inner_queues.queue_totals(name))

    def queue_stream(self, name: p.QueueName) -> Iterator[p.QueueItem]:
        return self.inner_queues.queue_stream(name)  # an export: read as it is sent

    # status
    def has_data(self) -> bool:
        return self._get("has_data", (), self.inner_status.has_data)

    def close(self) -> None:
        self.inner_status.close()
