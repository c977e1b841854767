"""A work item's own page: what it is, why, its history, and — for a role that works
claims — the forms that work it (assign, note, status; for an underpayment, dispute or
accept). The queue page's "Item" column links here, so every queue's items open, those
that name no claim too (an 835 claim or an acknowledgment that matched none of ours,
in the unmatched-remittances queue), which the claim page cannot show.

The item is read through the work service in the principal's organization; another
organization's item, or none, is a 404. ``H-<claim>`` (a held claim in the scrub-errors
queue: its work is on the claim page) redirects there.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from ptrcm.domain.access import Permission as P
from ptrcm.domain.access import Principal
from ptrcm.services.work import queue
from ptrcm.web import pages
from ptrcm.web.actions import act, back, work
from ptrcm.web.auth import requires

router = APIRouter(include_in_schema=False)
ItemRef = Annotated[str, Path(pattern=r"^(W-|H-)?[0-9]{1,12}$")]


@router.get(
    "/queues/items/{item_id}",
    response_class=HTMLResponse,
    dependencies=[requires(P.read_queues, phi="work_queue", record="item_id")],
)
async def item_page(request: Request, item_id: ItemRef) -> Any:
    """The item ``W-12`` (or ``12``); ``H-7`` is the held claim 7's page."""
    flow = work(request)
    if item_id.startswith("H-"):
        claim = int(item_id[2:])
        return back(await act(lambda: queue.claim_number(flow, claim)))
    number = int(item_id.removeprefix("W-"))
    found = await act(lambda: queue.show(flow, number))
    who: Principal = request.state.principal
    context = {
        "title": f"{KINDS.get(found.kind, found.kind)} item W-{found.id}",
        "item": found,
        "open": found.state in ("open", "in_progress"),
        "may_work": who.can(P.do_claim_work),
        "states": queue.STATES,
    }
    return pages.render(request, "work_item.html", "queues", context)


KINDS = {
    "rejection": "Rejection",
    "denial": "Denial",
    "underpayment": "Underpayment",
    "exception": "Unmatched remittance",
}
