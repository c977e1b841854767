"""Paging a long list (a work queue): the ``page``/``size`` query parameters and the pager.

A page shows ``size`` items from ``(page - 1) * size``; the pager says which items these
are of how many, so a queue of 311 never reads as 200. Out-of-range values are a 4xx.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request

from ptrcm.web import formatting as f
from ptrcm.web.ports import QueueTotals

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000

PageQ = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
SizeQ = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, 1-{MAX_PAGE_SIZE}.")
]


def page_count(items: int, size: int) -> int:
    """Pages needed for ``items`` (at least one, so an empty list is page 1 of 1)."""
    return max(1, -(-items // size))


@dataclass(frozen=True, slots=True)
class Pager:
    """What the template needs under a paged table."""

    page: int
    pages: int
    summary: str  # e.g. "Items 101–200 of 311 ($12,400.00)"
    previous_url: str | None
    next_url: str | None


def pager(request: Request, page: int, size: int, shown: int, totals: QueueTotals) -> Pager:
    pages = page_count(totals.items, size)
    first = (page - 1) * size + 1
    if shown:
        where = f"Items {f.number(first)}–{f.number(first + shown - 1)}"
    else:
        where = "No items on this page"
    summary = f"{where} of {f.number(totals.items)} ({f.money(totals.amount)})"
    query = dict(request.query_params)

    def url(to: int) -> str:
        return f"{request.url.path}?{urlencode({**query, 'page': to, 'size': size})}"

    before = url(min(page - 1, pages)) if page > 1 else None
    after = url(page + 1) if page < pages else None
    return Pager(page, pages, summary, before, after)
