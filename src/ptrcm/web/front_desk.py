"""Front-desk routes: ``POST /api/schedule/check``, ``GET /api/worklist`` and the page
``/worklist``. They read the store named by the app's settings (opened once, lazily)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, select_autoescape
from pydantic import BaseModel, Field

from ptrcm.store.front_desk_repo import FrontDeskRepository
from ptrcm.store.repository import Store
from ptrcm.web.deps import today, web_settings

router = APIRouter()
DEFAULT_ORG = "default"


class BookingRequest(BaseModel):
    patient: str
    date: date
    discipline: str = Field(pattern="^(PT|OT|SLP)$")
    codes: dict[str, int] | None = None
    org: str = DEFAULT_ORG


def _store(request: Request) -> Store:
    store = getattr(request.app.state, "front_store", None)
    if store is None:
        store = Store.open(web_settings(request).database_url)
        request.app.state.front_store = store
    return store


def _org(store: Store, slug: str) -> int:
    found = store.organization_id(slug)
    if found is None:
        raise HTTPException(404, "no such organization")
    return found


@router.post("/api/schedule/check")
def schedule_check(request: Request, body: BookingRequest) -> dict[str, Any]:
    """Whether a proposed appointment is covered, and what must happen first (payers'
    ``auth_required`` from the built-in configuration)."""
    from ptrcm.config import load_config
    from ptrcm.services.booking import check_booking, payer_auth_rule

    rule = payer_auth_rule(load_config())
    store = _store(request)
    with store.unit_of_work(_org(store, body.org), "web") as uow:
        repo = FrontDeskRepository(uow.connection, uow.org_id, uow.actor, uow.clock)
        result = check_booking(
            repo, body.patient, body.date, body.discipline, body.codes, payer_requires_auth=rule
        )
        return result.as_json()


def _items(
    request: Request, location: str | None, role: str | None, day: date | None, org: str
) -> list[dict[str, Any]]:
    from ptrcm.services.worklist import build_worklist

    store = _store(request)
    with store.unit_of_work(_org(store, org), "web") as uow:
        repo = FrontDeskRepository(uow.connection, uow.org_id, uow.actor, uow.clock)
        items = build_worklist(repo, day or today(request), location, role)
    return [i.as_json() for i in items]


Loc = Annotated[str | None, Query(description="Location id.")]
Role = Annotated[str | None, Query(pattern="^(front_desk|therapist)$")]
Day = Annotated[date | None, Query(alias="date", description="Day (default today).")]


@router.get("/api/worklist")
def worklist_api(
    request: Request, location: Loc = None, role: Role = None, day: Day = None,
    org: str = DEFAULT_ORG,
) -> list[dict[str, Any]]:  # fmt: skip
    """Open work items, most urgent first: reason, due date and the action that resolves it."""
    return _items(request, location, role, day, org)


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Work list</title><link rel="stylesheet" href="/static/ptrcm.css"></head><body>
<main><h1>Work list {{ day }}</h1><p>{{ items|length }} item(s)</p>
<table><thead><tr><th>Due</th><th>Patient</th><th>Location</th><th>Role</th><th>Reason</th>
<th>Action</th></tr></thead><tbody>
{% for i in items %}<tr{% if i.blocking %} class="blocking"{% endif %}><td>{{ i.due or "" }}</td>
<td>{{ i.patient }}</td><td>{{ i.location or "" }}</td><td>{{ i.role }}</td>
<td>{{ i.reason }}</td><td>{{ i.action }}</td></tr>
{% endfor %}</tbody></table></main></body></html>"""


@router.get("/worklist", response_class=HTMLResponse, include_in_schema=False)
def worklist_page(
    request: Request, location: Loc = None, role: Role = None, day: Day = None,
    org: str = DEFAULT_ORG,
) -> HTMLResponse:  # fmt: skip
    items = _items(request, location, role, day, org)
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    html = env.from_string(PAGE).render(items=items, day=day or today(request))
    return HTMLResponse(html)
