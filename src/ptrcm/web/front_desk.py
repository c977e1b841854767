"""Front-desk routes: ``POST /api/schedule/check``, ``GET /api/worklist`` and the page
``/worklist``. They read the principal's organization's data (``deps.web_data``), never an
organization named by the request."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ptrcm.domain.access import Permission as P
from ptrcm.web import pages
from ptrcm.web.api import LocationQ
from ptrcm.web.auth import audit_record, requires
from ptrcm.web.deps import EARLIEST_DAY, LATEST_DAY, PRINTABLE, checked_day, today, web_data
from ptrcm.web.ports import Booking, WebData

router = APIRouter(responses={400: {"description": "A patient not on file, or a bad value"}})
Data = Annotated[WebData, Depends(web_data)]
Code = Annotated[str, Field(pattern="^[A-Z0-9]{5}$")]
Units = Annotated[int, Field(ge=1, le=99)]


class BookingRequest(BaseModel):
    """A proposed appointment. Unknown fields (``org`` among them) are refused."""

    model_config = ConfigDict(extra="forbid")

    patient: str = Field(min_length=1, max_length=80, pattern=PRINTABLE, description="Patient id.")
    date: dt.date
    discipline: str = Field(pattern="^(PT|OT|SLP)$")
    codes: dict[Code, Units] | None = Field(default=None, max_length=20)

    @field_validator("date")
    @classmethod
    def _in_window(cls, value: dt.date) -> dt.date:
        if not EARLIEST_DAY <= value <= LATEST_DAY:
            raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
        return value


@router.post(
    "/api/schedule/check",
    dependencies=[requires(P.check_booking, phi="patients")],
    tags=["front desk"],
)
def schedule_check(request: Request, data: Data, body: BookingRequest) -> dict[str, Any]:
    """Whether a proposed appointment is covered, and what must happen first (payers'
    ``auth_required`` from the configuration the server was started with)."""
    audit_record(request, body.patient)
    booking = Booking(body.patient, body.date, body.discipline, body.codes)
    return data.front_desk.check_booking(booking).as_json()


Role = Annotated[str | None, Query(pattern="^(front_desk|therapist)$")]
Day = Annotated[date | None, Query(alias="date", description="Day (default today).")]


def _items(
    request: Request, data: WebData, location: str | None, role: str | None, day: date | None
) -> tuple[date, list[dict[str, Any]]]:
    when = checked_day(day, "date") or today(request)
    return when, [i.as_json() for i in data.front_desk.worklist(when, location, role)]


@router.get(
    "/api/worklist", dependencies=[requires(P.read_worklist, phi="worklist")], tags=["front desk"]
)
def worklist_api(
    request: Request, data: Data, location: LocationQ = None, role: Role = None, day: Day = None
) -> list[dict[str, Any]]:
    """Open work items, most urgent first: reason, due date and the action that resolves it."""
    return _items(request, data, location, role, day)[1]


@router.get(
    "/worklist",
    dependencies=[requires(P.read_worklist, phi="worklist")],
    response_class=HTMLResponse,
    include_in_schema=False,
)
def worklist_page(
    request: Request, data: Data, location: LocationQ = None, role: Role = None, day: Day = None
) -> HTMLResponse:
    when, items = _items(request, data, location, role, day)
    context = {"title": f"Work list {when}", "day": when, "items": items}
    return pages.render(request, "worklist.html", "worklist", context)
