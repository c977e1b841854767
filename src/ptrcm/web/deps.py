"""What a route may depend on: the app's settings, the request's data, and checked query
values (dates inside a sane window, periods of bounded length).

Every route reads data through ``web_data``: the ``WebData`` of the organization the
request's principal (a signed-in member, or an API token) is scoped to, which
``ptrcm.web.auth.requires`` resolves before the route runs. No route takes the tenant from
the request: ``?org=`` means nothing, an ``org`` field in a body is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, cast
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Query, Request

from ptrcm.config import Config
from ptrcm.errors import InvariantError
from ptrcm.services.access.passwords import Passwords
from ptrcm.services.access.policy import SecurityPolicy
from ptrcm.web.ports import Period, WebData

DEFAULT_PERIOD_DAYS = 84  # twelve weeks: enough weekly points for the cash chart
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)
MAX_PERIOD_DAYS = 3_660  # ten years: the longest span a report walks month by month
# Ids and names in parameters: no control characters (PostgreSQL refuses NUL in text).
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


@dataclass(frozen=True, slots=True)
class WebSettings:
    """What ``create_app`` needs, decided once by the composition root (``ptrcm serve``).

    ``database_url`` is the store the pages read and the users, sessions and audit trail
    live in; ``config`` the ``ptrcm.toml`` in force (``None``: the built-in configuration);
    ``today`` the clinic's clock and ``now`` the instant (both injected for tests);
    ``policy`` the session and lockout numbers; ``credentials_file`` (demo mode only) where
    the login page says the demo's generated passwords are; ``passwords`` the hasher
    (tests pass a fast one).
    """

    database_url: str
    clinic_name: str = "ptrcm"
    today: Callable[[], date] = field(default=date.today)
    config: Config | None = None
    policy: SecurityPolicy = field(default_factory=SecurityPolicy)
    credentials_file: str | None = None
    passwords: Passwords = field(default_factory=Passwords)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def web_data(request: Request) -> WebData:
    """The request's data: the providers of the principal's organization (and, for a
    therapist, of their own patients). Set by ``requires``; a route without it is a bug."""
    data = getattr(request.state, "data", None)
    if data is None:
        raise InvariantError(f"route {request.url.path} reads data without requires(...)")
    return cast(WebData, data)


def web_settings(request: Request) -> WebSettings:
    return cast(WebSettings, request.app.state.settings)


def checked_day(value: date | None, name: str) -> date | None:
    """``value`` when it lies in the window a billing system can mean; else a 400."""
    if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise HTTPException(
            400, f"query parameter {name!r} must be between {EARLIEST_DAY} and {LATEST_DAY}"
        )
    return value


def period(
    request: Request,
    start: Annotated[
        date | None, Query(alias="from", description="First day (default: 12 weeks ago).")
    ] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (default: today).")] = None,
) -> Period:
    """The ``from``/``to`` query period; 400 when a day is outside 1900-2199, when it ends
    before it starts, or when it spans more than ten years."""
    last = checked_day(end, "to") or web_settings(request).today()
    first = checked_day(start, "from") or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if last < first:
        raise HTTPException(400, "query parameter 'to' must not be before 'from'")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise HTTPException(400, f"a period spans at most {MAX_PERIOD_DAYS} days")
    return Period(first, last)


def today(request: Request) -> date:
    return web_settings(request).today()


def clinic_clock(timezone: str) -> Callable[[], date]:
    """Today's date in the clinic's time zone (aging and deadlines count from it)."""
    zone = ZoneInfo(timezone)
    return lambda: datetime.now(zone).date()
