"""Response models of the JSON API (pydantic at the edge; Decimal serialises as a string)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from ptrcm.web.ports import KpiTile, Period, QueueItem

RowT = TypeVar("RowT")


class PeriodModel(BaseModel):
    start: date = Field(description="First day, inclusive.")
    end: date = Field(description="Last day, inclusive.")

    @classmethod
    def of(cls, period: Period) -> PeriodModel:
        return cls(start=period.start, end=period.end)


class Listing(BaseModel, Generic[RowT]):
    """Rows of one table; also served as CSV with ``?format=csv``."""

    period: PeriodModel | None = None
    as_of: date | None = None
    rows: list[RowT]


class KpiResponse(BaseModel):
    period: PeriodModel
    previous_period: PeriodModel
    tiles: list[KpiTile]


class QueuePage(BaseModel):
    """One page of a work queue and the size of the whole queue."""

    rows: list[QueueItem]
    page: int = Field(description="This page, from 1.")
    size: int = Field(description="Items per page.")
    pages: int = Field(description="Pages in the whole queue (at least 1).")
    total_items: int = Field(description="Items in the whole queue, not just this page.")
    total_amount: Decimal = Field(description="Dollars in the whole queue.")


class QueueSummary(BaseModel):
    name: str
    title: str
    items: int
    amount: Decimal = Field(description="Total dollars in the queue.")


class Health(BaseModel):
    status: str = Field(description='"ok" while the app is up and reaches its store.')
