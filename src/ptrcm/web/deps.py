"""Request-scoped access to the settings and data providers the app was built with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, cast
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Query, Request

from ptrcm.web.ports import Period, WebData

DEFAULT_PERIOD_DAYS = 84  # twelve weeks: enough weekly points for the cash chart


@dataclass(frozen=True, slots=True)
class WebSettings:
    """What ``create_app`` needs; ``today`` is the clinic's clock (injected for tests).

    ``database_url`` empty means no database: the app shows marked sample data.
    """

    database_url: str
    clinic_name: str = "ptrcm"
    today: Callable[[], date] = field(default=date.today)
    org: str = "default"


def web_data(request: Request) -> WebData:
    return cast(WebData, request.app.state.data)


def web_settings(request: Request) -> WebSettings:
    return cast(WebSettings, request.app.state.settings)


def period(
    request: Request,
    start: Annotated[
        date | None, Query(alias="from", description="First day (default: 12 weeks ago).")
    ] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (default: today).")] = None,
) -> Period:
    """The ``from``/``to`` query period; 400 when it ends before it starts."""
    last = end or web_settings(request).today()
    first = start or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if last < first:
        raise HTTPException(400, "query parameter 'to' must not be before 'from'")
    return Period(first, last)


def today(request: Request) -> date:
    return web_settings(request).today()


def clinic_clock(timezone: str) -> Callable[[], date]:
    """Today's date in the clinic's time zone (aging and deadlines count from it)."""
    zone = ZoneInfo(timezone)
    return lambda: datetime.now(zone).date()
