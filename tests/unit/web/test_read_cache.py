"""``ReadCache`` and ``CachedReads`` with in-memory providers: keys carry organization and
scope, a version change recomputes, the size is bounded, concurrent misses compute once."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.web import ports as p
from ptrcm.web.read_cache import (
    CachedReads,
    OneVersionPerRead,
    ReadCache,
    _request_versions,
    one_version_check,
)

MARCH = p.Period(date(2026, 3, 1), date(2026, 3, 31))


class Tagged:
    """A provider whose every answer names the organization and scope it was built for."""

    def __init__(self, org: int, provider: int | None) -> None:
        self.tag, self.calls = f"{org}/{provider}", 0

    def kpi_tiles(self, period: p.Period) -> list[p.KpiTile]:
        self.calls += 1
        return [p.KpiTile(self.tag, "t", Decimal(self.calls), None, p.Unit.number, True)]

    def queue_totals(self, name: p.QueueName) -> p.QueueTotals:
        self.calls += 1
        return p.QueueTotals(len(self.tag), Decimal(self.calls))

    def has_data(self) -> bool:
        return True

    def close(self) -> None:
        pass


def reads(cache: ReadCache, org: int, provider: int | None) -> tuple[CachedReads, Tagged]:
    inner = Tagged(org, provider)
    fake: Any = inner
    return CachedReads(cache, org, provider, fake, fake, fake, lambda: date(2026, 3, 31)), inner


def test_each_organization_and_scope_reads_its_own_entries() -> None:
    cache = ReadCache(lambda org: 7)
    scopes = [(1, None), (2, None), (1, 5), (1, 6)]
    made = {s: reads(cache, *s) for s in scopes}
    for _ in range(3):
        for (org, provider), (cached, _inner) in made.items():
            assert cached.kpi_tiles(MARCH)[0].key == f"{org}/{provider}"
    assert all(inner.calls == 1 for _c, inner in made.values())
    assert cache.misses == 4 and cache.hits == 8


def test_a_new_version_of_one_organization_recomputes_only_its_entries() -> None:
    versions = {1: 0, 2: 0}
    cache = ReadCache(versions.__getitem__)
    one, inner_one = reads(cache, 1, None)
    two, inner_two = reads(cache, 2, None)
    assert one.kpi_tiles(MARCH)[0].value == 1 and two.kpi_tiles(MARCH)[0].value == 1
    versions[1] += 1
    assert one.kpi_tiles(MARCH)[0].value == 2
    assert two.kpi_tiles(MARCH)[0].value == 1
    assert (inner_one.calls, inner_two.calls) == (2, 1)


def test_arguments_are_part_of_the_key() -> None:
    cache = ReadCache(lambda org: 0)
    cached, inner = reads(cache, 1, None)
    cached.kpi_tiles(MARCH)
    cached.kpi_tiles(MARCH.previous())
    cached.queue_totals(p.QueueName.denials)
    cached.queue_totals(p.QueueName.rejections)
    assert inner.calls == 4 and len(cache) == 4


def test_the_cache_keeps_at_most_its_size() -> None:
    cache = ReadCache(lambda org: 0, max_entries=3)
    made = [reads(cache, org, None) for org in range(5)]
    for cached, _ in made:
        cached.kpi_tiles(MARCH)
    assert len(cache) == 3
    made[0][0].kpi_tiles(MARCH)  # evicted: computed again
    assert made[0][1].calls == 2


def test_concurrent_misses_of_one_key_compute_once() -> None:
    cache = ReadCache(lambda org: 0)
    calls = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.05)
        return "figures"

    got: list[str] = []
    threads = [
        threading.Thread(target=lambda: got.append(cache.get(1, (1, None, "k"), slow)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == ["figures"] * 8 and len(calls) == 1


def test_a_read_only_request_checks_the_version_once() -> None:
    asked: list[int] = []

    def version_of(org: int) -> int:
        asked.append(org)
        return 3

    cache = ReadCache(version_of)
    one, _ = reads(cache, 1, None)
    two, _ = reads(cache, 2, None)
    with one_version_check():
        for _ in range(4):
            one.kpi_tiles(MARCH)
            one.queue_totals(p.QueueName.denials)
            two.kpi_tiles(MARCH)
    assert asked == [1, 2]
    one.kpi_tiles(MARCH)  # outside a request: every read checks
    one.kpi_tiles(MARCH)
    assert asked == [1, 2, 1, 1]


def test_only_get_and_head_requests_share_one_check() -> None:
    seen: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(_request_versions.get() is not None)

    middleware = OneVersionPerRead(app)
    for method in ("GET", "HEAD", "POST"):
        asyncio.run(middleware({"type": "http", "method": method}, None, None))
    assert seen == [True, True, False]
