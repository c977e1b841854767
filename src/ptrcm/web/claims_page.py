"""The claims list page: ``GET /claims`` with the claims list's filters (state, payer,
location, therapist, dates of service, charge, age, sort, paging), and the claims behind a
dashboard figure (``kpi``, ``part``, ``from``, ``to``, and for an aging cell or a denial
bar ``kpi_payer_class``/``kpi_bucket``/``kpi_carc``): the sets the KPI counts, each set's
count and sum, the figure put back together from them, and the chosen set's rows (visits,
for a visit count). Every dashboard tile links here
(``pages.tile_link``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from ptrcm.domain.access import Permission as P
from ptrcm.domain.claim_lists import ClaimFilter, ClaimPage, claim_filter_from
from ptrcm.errors import InputError
from ptrcm.web import formatting as f
from ptrcm.web.auth import requires
from ptrcm.web.pages import Data, render
from ptrcm.web.ports import DrillFigure, Unit

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

UNITS = {
    "clean_claim_rate": Unit.percent, "first_pass_rate": Unit.percent,
    "denial_rate": Unit.percent, "net_collection_rate": Unit.percent,
    "days_in_ar": Unit.days, "cash_collected": Unit.money, "visits": Unit.number,
    "net_revenue_per_visit": Unit.money, "ar_aging": Unit.money, "denial_reason": Unit.money,
}  # fmt: skip
TITLES = {
    "clean_claim_rate": "Clean-claim rate", "first_pass_rate": "First-pass payment rate",
    "denial_rate": "Initial denial rate", "net_collection_rate": "Net collection rate",
    "days_in_ar": "Days in A/R", "cash_collected": "Cash collected", "visits": "Visits",
    "net_revenue_per_visit": "Net revenue per visit", "ar_aging": "A/R aging cell",
    "denial_reason": "Denial reason",
}  # fmt: skip


def _filter(request: Request) -> ClaimFilter:
    try:
        return claim_filter_from(dict(request.query_params))
    except InputError as exc:
        raise HTTPException(400, str(exc)) from None


def _pages(request: Request, flt: ClaimFilter, total: int) -> dict[str, str | None]:
    last = max(1, -(-total // flt.size))
    query = dict(request.query_params)

    def url(to: int) -> str:
        return f"/claims?{urlencode({**query, 'page': to})}"

    return {
        "previous": url(flt.page - 1) if 1 < flt.page <= last else None,
        "next": url(flt.page + 1) if flt.page < last else None,
        "last": str(last),
    }


def _parts(request: Request, flt: ClaimFilter, drill: DrillFigure) -> list[dict[str, Any]]:
    query = dict(request.query_params)
    return [
        {
            "total": t, "chosen": flt.kpi is not None and t.part == flt.kpi.part,
            "href": f"/claims?{urlencode({**query, 'part': t.part, 'page': 1})}",
            "amount": f.number(t.amount) if t.lists == "visits" else f.money(t.amount),
        }
        for t in drill.parts
    ]  # fmt: skip


@router.get("/claims", dependencies=[requires(P.read_dashboard, phi="claims")])
def claims_list(request: Request, data: Data) -> HTMLResponse:
    flt = _filter(request)
    page = data.claims.claim_list(flt)
    context: dict[str, Any] = {
        "title": "Claims", "filter": flt, "page": page,
        "claims": isinstance(page, ClaimPage), "pages": _pages(request, flt, page.total),
    }  # fmt: skip
    if flt.kpi is not None:
        drill = data.claims.drill_figure(flt.kpi)
        unit = UNITS[flt.kpi.kpi]
        context |= {
            "title": f"Claims behind: {TITLES[flt.kpi.kpi]}",
            "drill": drill,
            "parts": _parts(request, flt, drill),
            "figure_text": f.format_unit(drill.figure, unit),
        }
    return render(request, "claims.html", "dashboard", context)
