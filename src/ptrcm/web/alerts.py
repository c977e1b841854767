"""The systemic-denial events page (``read_dashboard``): each event the detectors raised
(a payer's denial spike for one reason, a payer gone silent, a first-pass drop), with its
day, severity, summary, owner, due time and status; a member with ``do_claim_work``
acknowledges an event (taking it on) or closes it. Payers, reason codes and counts only:
the claims behind an event are on `ptrcm alerts list --format json`, not here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ptrcm.domain.access import Permission as P
from ptrcm.domain.access import Principal
from ptrcm.services.alerts.ports import AlertsWork
from ptrcm.web import pages
from ptrcm.web.auth import gate, requires

router = APIRouter(include_in_schema=False)
STATUSES = ("open", "acknowledged", "closed")
Status = Annotated[str | None, Query(pattern="^(open|acknowledged|closed)$")]


def _work(request: Request) -> AlertsWork:
    found = gate(request).alerts_for
    if found is None:
        raise HTTPException(404, "no systemic-denial events here")
    who: Principal = request.state.principal
    return found(who)


@router.get("/alerts", response_class=HTMLResponse, dependencies=[requires(P.read_dashboard)])
def alerts_page(request: Request, status: Status = None) -> HTMLResponse:
    who: Principal = request.state.principal
    with _work(request)() as uow:
        events = uow.alerts.events(status)
    context = {"title": "Systemic denials", "events": events, "status": status,
               "statuses": STATUSES, "can_act": who.can(P.do_claim_work)}  # fmt: skip
    return pages.render(request, "alerts.html", "alerts", context)


def _set(request: Request, event_id: int, status: str, owner: str | None) -> RedirectResponse:
    with _work(request)() as uow:
        if not uow.alerts.set_status(event_id, status, owner):
            raise HTTPException(404, f"no event {event_id}")
        uow.commit()
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/{event_id}/ack", dependencies=[requires(P.do_claim_work)])
def acknowledge(request: Request, event_id: int,
                owner: Annotated[str, Form(max_length=80)] = "") -> RedirectResponse:  # fmt: skip
    return _set(request, event_id, "acknowledged", owner.strip() or None)


@router.post("/alerts/{event_id}/close", dependencies=[requires(P.do_claim_work)])
def close(request: Request, event_id: int) -> RedirectResponse:
    return _set(request, event_id, "closed", None)
