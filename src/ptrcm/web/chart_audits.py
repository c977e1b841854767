"""The chart-audit pages (docs/chart-audit.md, "Pages"): the audits with the audit pass rate
by therapist and location and the records-request KPIs; starting an audit; an audit's
records with their findings; re-auditing; the therapist feedback (each report also as a
PDF to send the therapist); records requests (ADR,
payer audits), their outcomes, and recoupments. The same services as `ptrcm chart-audit`.

Reading needs ``read_chart_audits``, changing ``do_chart_audits``. Every form is a POST
behind ``requires(...)`` (CSRF and origin checked), works in the principal's organization
under its actor (the services write the audit trail), and answers 303 back to a page. An
audit or request of another organization, or none, is a 404; bad input a 400 naming the
field (ids, dates and codes only: no patient data in a message). The pages that show
visits, claims or excerpts declare ``phi`` so their reads are in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ptrcm.domain.access import Permission as P
from ptrcm.domain.access import Principal
from ptrcm.domain.chart_audit.criteria import load_criteria
from ptrcm.domain.chart_audit.stored import (
    METHODS,
    RECOUPMENT_SOURCES,
    REQUEST_KINDS,
    REQUEST_OUTCOMES,
    REQUEST_STATUSES,
)
from ptrcm.errors import InputError
from ptrcm.services.chart_audit import audits, feedback, overview, requests
from ptrcm.services.chart_audit.ports import ChartAuditUnitOfWork, ChartAuditWork
from ptrcm.web import pages
from ptrcm.web.auth import gate, requires
from ptrcm.web.deps import PRINTABLE

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
Short = Annotated[str, Form(max_length=64, pattern=PRINTABLE)]
Day = Annotated[date, Form()]
AuditPath = "/chart-audits/{audit_id}"
MISSING = ("no chart audit", "no records request", "no claim")


def _work(request: Request) -> ChartAuditWork:
    found = gate(request).chart_audits_for
    principal: Principal = request.state.principal
    if found is None:
        raise HTTPException(503, "this server keeps no chart audits")
    return found(principal)


async def _run(request: Request, call: Callable[[ChartAuditUnitOfWork], T]) -> T:
    """Run ``call`` in one unit of work in a worker thread; a missing audit or request is a
    404, other refusals a 400 (the service's message: a field and what is wrong)."""
    work = _work(request)

    def go() -> T:
        with work() as uow:
            return call(uow)

    try:
        return await run_in_threadpool(go)
    except InputError as exc:
        if any(p.message.startswith(MISSING) for p in exc.problems):
            raise HTTPException(404, exc.problems[0].message) from None
        raise HTTPException(400, str(exc)) from None


def _optional(text: str) -> str | None:
    return text.strip() or None


def _number(text: str, field: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise HTTPException(400, f"{field}: a number")
    return int(text.strip())


def _rate(rate: Decimal | None) -> str:
    """As `ptrcm chart-audit kpis` prints it: two decimals, or — without records."""
    return "—" if rate is None else f"{rate:.2%}"


@router.get("/chart-audits", response_class=HTMLResponse,
            dependencies=[requires(P.read_chart_audits, phi="records_requests")])  # fmt: skip
async def chart_audits(request: Request) -> HTMLResponse:
    today = gate(request).settings.today()
    view = await _run(request, lambda uow: overview.overview(uow, today))
    who: Principal = request.state.principal
    context = {
        "title": "Chart audits", "o": view, "rate": _rate, "today": today,
        "may_change": who.can(P.do_chart_audits), "methods": METHODS, "kinds": REQUEST_KINDS,
        "statuses": REQUEST_STATUSES, "outcomes": REQUEST_OUTCOMES,
        "sources": RECOUPMENT_SOURCES,
    }  # fmt: skip
    return pages.render(request, "chart_audits.html", "chart-audits", context)


@router.post("/chart-audits", dependencies=[requires(P.do_chart_audits)])
async def start(
    request: Request, start: Day, end: Day, method: Short = "random",
    episodes: Annotated[int, Form(ge=1, le=1000)] = 10,
    seed: Annotated[int, Form(ge=0)] = 0, name: Short = "",
) -> Any:  # fmt: skip
    """Sample and score, as `ptrcm chart-audit run`; then the audit's page."""
    made = await _run(request, lambda uow: audits.start_audit(
        uow, start=start, end=end, method=method, episodes=episodes, seed=seed,
        name=_optional(name),
    ))  # fmt: skip
    return RedirectResponse(f"/chart-audits/{made.audit_id}", status_code=303)


@router.get(AuditPath, response_class=HTMLResponse,
            dependencies=[requires(P.read_chart_audits, phi="chart_audit_results",
                                   record="audit_id")])  # fmt: skip
async def audit_page(request: Request, audit_id: int) -> HTMLResponse:
    audit, results = await _run(request, lambda uow: audits.show(uow, audit_id))
    catalog = load_criteria()
    latest = audits.latest_round(results)
    rows = [
        {"r": r, "findings": [(cid, sev, catalog.get(cid).title) for cid, sev in r.findings]}
        for r in results
    ]
    who: Principal = request.state.principal
    context = {
        "title": f"Chart audit {audit.id}", "audit": audit, "rows": rows,
        "records": len(latest), "passed": sum(1 for r in latest if r.passed),
        "may_change": who.can(P.do_chart_audits),
    }  # fmt: skip
    return pages.render(request, "chart_audit.html", "chart-audits", context)


@router.post(f"{AuditPath}/reaudit", dependencies=[requires(P.do_chart_audits)])
async def reaudit(request: Request, audit_id: int) -> Any:
    """Score the audit's records again as stored now (after correction): the next round."""
    await _run(request, lambda uow: audits.reaudit(uow, audit_id))
    return RedirectResponse(f"/chart-audits/{audit_id}", status_code=303)


@router.post(f"{AuditPath}/feedback", response_class=HTMLResponse,
             dependencies=[requires(P.do_chart_audits)])  # fmt: skip
async def therapist_feedback(request: Request, audit_id: int) -> HTMLResponse:
    """Produce each therapist's feedback report from the audit's latest round (de-identified
    excerpts; reading the visits is written to the audit trail), to hand to the therapist."""

    def produce(uow: ChartAuditUnitOfWork) -> tuple[Any, Any]:
        audit, _ = audits.show(uow, audit_id)
        reports = feedback.therapist_feedback(uow, audit_id)
        uow.commit()  # the audit trail's reads of the visits
        return audit, reports

    audit, reports = await _run(request, produce)
    context = {"title": f"Therapist feedback: chart audit {audit.id}", "audit": audit,
               "reports": reports}  # fmt: skip
    return pages.render(request, "chart_feedback.html", "chart-audits", context)


@router.get(f"{AuditPath}/feedback/{{number}}.pdf", dependencies=[requires(P.do_chart_audits)])
async def feedback_pdf(request: Request, audit_id: int, number: int) -> Response:
    """The Nth therapist's report as a PDF to send them (the order of the feedback page and
    of `ptrcm chart-audit feedback`'s files)."""

    def produce(uow: ChartAuditUnitOfWork) -> bytes:
        audit, _ = audits.show(uow, audit_id)
        reports = feedback.therapist_feedback(uow, audit_id)
        if not 1 <= number <= len(reports):
            raise HTTPException(404, f"audit {audit_id} has no feedback report {number}")
        uow.commit()  # the audit trail's reads of the visits
        with TemporaryDirectory() as folder:
            path = Path(folder) / "feedback.pdf"
            feedback.render_pdf(reports[number - 1], audit_id, audit.spec.criteria_version, path)
            return path.read_bytes()

    content = await _run(request, produce)
    name = f"feedback-{audit_id}-{number:02d}.pdf"
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.post("/chart-audits/requests", dependencies=[requires(P.do_chart_audits)])
async def add_request(
    request: Request, payer: Short, requested_on: Day, due_on: Day, kind: Short = "adr",
    claim: Short = "", audit: Short = "", reference: Short = "",
) -> Any:  # fmt: skip
    """Log a payer's records request (ADR) or audit, as `ptrcm chart-audit request add`."""
    audit_id = _number(audit, "audit")
    await _run(request, lambda uow: requests.log_request(
        uow, payer=payer.strip(), kind=kind, requested_on=requested_on, due_on=due_on,
        claim=_optional(claim), audit=audit_id, reference=_optional(reference),
    ))  # fmt: skip
    return RedirectResponse("/chart-audits#requests", status_code=303)


@router.post("/chart-audits/requests/{request_id}", dependencies=[requires(P.do_chart_audits)])
async def update_request(
    request: Request, request_id: int, status: Short, on: Day, outcome: Short = ""
) -> Any:
    """Mark a request sent, or close it with its outcome."""
    await _run(request, lambda uow: requests.close_request(
        uow, request_id, status=status, outcome=_optional(outcome), on=on,
    ))  # fmt: skip
    return RedirectResponse("/chart-audits#requests", status_code=303)


@router.post("/chart-audits/recoupments", dependencies=[requires(P.do_chart_audits)])
async def add_recoupment(
    request: Request, payer: Short, amount: Short, on: Day, source: Short = "entered",
    claim: Short = "", records_request: Short = "", reference: Short = "",
) -> Any:  # fmt: skip
    """Log money a payer took back after payment, as `ptrcm chart-audit recoup add`."""
    try:
        value = Decimal(amount.strip())
    except InvalidOperation:
        raise HTTPException(400, "amount: not an amount such as 212.40") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise HTTPException(400, "amount: in whole cents")
    linked = _number(records_request, "records_request")
    await _run(request, lambda uow: requests.log_recoupment(
        uow, payer=payer.strip(), amount=value, on=on, source=source, claim=_optional(claim),
        request=linked, reference=_optional(reference),
    ))  # fmt: skip
    return RedirectResponse("/chart-audits#recoupments", status_code=303)
