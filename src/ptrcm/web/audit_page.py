"""The audit trail page (``read_audit``: auditors and admins): search the organization's
trail by period, actor, action, kind of record and record id, page through it newest
first, and export what matches as CSV. Opening it is itself audited (the trail is PHI:
it names which patients' records were read)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from ptrcm.domain.access import AuditEntry, AuditQuery, Principal
from ptrcm.domain.access import Permission as P
from ptrcm.services.access import trail
from ptrcm.web import pages
from ptrcm.web.auth import gate, requires
from ptrcm.web.deps import PRINTABLE, checked_day
from ptrcm.web.paging import PageQ
from ptrcm.web.tables import Column, csv_lines

router = APIRouter(include_in_schema=False)
PAGE = 100
ACTIONS = ("read", "export", "create", "update", "delete", "import")
Filter = Annotated[str | None, Query(max_length=120, pattern=PRINTABLE)]
Day = Annotated[date | None, Query()]
COLUMNS = (
    Column("at", "When (UTC)"),
    Column("actor", "Actor"),
    Column("username", "User"),
    Column("action", "Action"),
    Column("table_name", "Record kind"),
    Column("record_id", "Record"),
    Column("client_address", "Client address"),
)


def _query(
    start: date | None, end: date | None, actor: str | None, action: str | None,
    kind: str | None, record: str | None, page: int = 1,
) -> AuditQuery:  # fmt: skip
    first = checked_day(start, "from")
    last = checked_day(end, "to")
    return AuditQuery(
        None if first is None else datetime.combine(first, time.min, UTC),
        None if last is None else datetime.combine(last + timedelta(days=1), time.min, UTC),
        actor or None, action or None, kind or None, record or None, PAGE, (page - 1) * PAGE,
    )  # fmt: skip


@router.get(
    "/audit", response_class=HTMLResponse, dependencies=[requires(P.read_audit, phi="audit_log")]
)
def audit_trail(
    request: Request,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    actor: Filter = None,
    action: Filter = None,
    kind: Filter = None,
    record: Filter = None,
    page: PageQ = 1,
) -> HTMLResponse:
    who: Principal = request.state.principal
    query = _query(start, end, actor, action, kind, record, page)
    with gate(request).unit_of_work() as uow:
        entries, total = trail.search(uow.access, who.org_id, query)
    csv_query = {k: v for k, v in request.query_params.items() if k != "page"}
    context: dict[str, Any] = {
        "title": "Audit trail",
        "entries": entries,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE)),
        "filters": {
            "from": start or "",
            "to": end or "",
            "actor": actor or "",
            "action": action or "",
            "kind": kind or "",
            "record": record or "",
        },
        "actions": ACTIONS,
        "csv_url": "/audit.csv?" + "&".join(f"{k}={v}" for k, v in csv_query.items()),
        "columns": COLUMNS,
    }
    return pages.render(request, "audit.html", "audit", context)


@router.get("/audit.csv", dependencies=[requires(P.read_audit, phi="audit_log")])
def audit_export(
    request: Request,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    actor: Filter = None,
    action: Filter = None,
    kind: Filter = None,
    record: Filter = None,
) -> Response:
    """Every matching row as CSV, newest first, streamed."""
    who: Principal = request.state.principal
    query = _query(start, end, actor, action, kind, record)
    rows: Iterator[AuditEntry] = trail.export(gate(request).unit_of_work, who.org_id, query)
    return StreamingResponse(
        csv_lines(rows, COLUMNS),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{who.org_slug}.csv"'},
    )
