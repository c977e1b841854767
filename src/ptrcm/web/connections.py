"""The clearinghouse connection status page (``read_queues``: billers and up): each
configured connector's pilot scope, last success, last error and its files by status.
Names, times and counts only: no patient data (``phi`` is not set)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ptrcm.domain.access import Permission as P
from ptrcm.domain.access import Principal
from ptrcm.services.clearinghouse.status import connector_status
from ptrcm.web import pages
from ptrcm.web.auth import gate, requires
from ptrcm.web.deps import web_settings

router = APIRouter(include_in_schema=False)


@router.get("/connections", response_class=HTMLResponse, dependencies=[requires(P.read_queues)])
def connections(request: Request) -> HTMLResponse:
    who: Principal = request.state.principal
    config = web_settings(request).config
    connectors = config.clearinghouses if config is not None else {}
    records = gate(request).connections_for
    rows = connector_status(records(who), connectors) if records and connectors else []
    context = {"title": "Clearinghouse connections", "connections": rows}
    return pages.render(request, "connections.html", "connections", context)
