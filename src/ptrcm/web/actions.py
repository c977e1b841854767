"""What a biller does from the claim page: work its queue items (assign, note, status),
release a held claim, mark an appeal sent, correct, void, write off (a manager approves
above the biller's limit) and close. The same services as `ptrcm queue` and `ptrcm claims`.

Every route is a form POST behind ``requires(...)`` (which checks the CSRF token and the
origin of a cookie session), works in the principal's organization under its actor (the
services write the claim history, the item history and the audit rows), and answers 303
back to the claim page. A claim or item of another organization, or none, is a 404; bad
input a 400 naming what is wrong; a change on an outdated item version a 409.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ptrcm.bootstrap import Context, build_context
from ptrcm.domain.access import Permission as P
from ptrcm.domain.access import Principal
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.write_offs import WriteOffCategory
from ptrcm.errors import ConflictError, InputError
from ptrcm.rules.icd10 import Icd10Codes
from ptrcm.services.claims.lifecycle import release_claim
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.remittance.appeals import appeal_letter as make_letter
from ptrcm.services.remittance.appeals import record_outcome
from ptrcm.services.work import closure, held, queue, replacements
from ptrcm.services.work.closure import SEND_METHODS
from ptrcm.services.work.ports import WorkFlow
from ptrcm.web.auth import gate, requires
from ptrcm.web.deps import PRINTABLE

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
Text = Annotated[str, Form(max_length=2000, pattern=PRINTABLE)]
Short = Annotated[str, Form(max_length=64, pattern=PRINTABLE)]
Version = Annotated[int, Form(ge=1)]
ClaimPath = "/claims/{claim_id}"
MISSING = ("no claim", "no held claim", "no held or rejected claim", "no work item", "no write-off")


def work(request: Request) -> WorkFlow:
    found = gate(request).work_for
    principal: Principal = request.state.principal
    if found is None:
        raise HTTPException(503, "this server makes no changes")
    return found(principal)


async def act(call: Callable[[], T], *, found: bool = False) -> T:
    """Run a service in a worker thread; its refusals become 404, 409 or 400 (``found``:
    the record is known to exist, every refusal is a 400)."""
    try:
        return await run_in_threadpool(call)
    except ConflictError as exc:
        raise HTTPException(409, str(exc)) from None
    except InputError as exc:
        if not found and any(p.message.startswith(MISSING) for p in exc.problems):
            raise HTTPException(404, exc.problems[0].message) from None
        raise HTTPException(400, str(exc)) from None


def back(claim_id: str) -> RedirectResponse:
    return RedirectResponse(f"/claims/{claim_id}", status_code=303)


def _item_claim(flow: WorkFlow, item_id: int) -> str:
    return queue.show(flow, item_id).claim or ""


async def back_from_item(flow: WorkFlow, item_id: int, came_from: str) -> RedirectResponse:
    """To the item's claim page; to the item's own page when it names no claim (an 835 or
    an acknowledgment that matched none of ours) or the form was on that page."""
    pcn = await act(lambda: _item_claim(flow, item_id))
    if not pcn or came_from == "item":
        return RedirectResponse(f"/queues/items/{item_id}", status_code=303)
    return back(pcn)


@router.post("/queues/items/{item_id}/assign", dependencies=[requires(P.do_claim_work)])
async def assign(
    request: Request, item_id: int, version: Version, to: Short = "", came_from: Short = ""
) -> Any:
    flow = work(request)
    await act(lambda: queue.assign(flow, [(item_id, version)], to.strip() or None))
    return await back_from_item(flow, item_id, came_from)


@router.post("/queues/items/{item_id}/note", dependencies=[requires(P.do_claim_work)])
async def note(
    request: Request, item_id: int, version: Version, text: Text, came_from: Short = ""
) -> Any:
    flow = work(request)
    await act(lambda: queue.note(flow, item_id, version, text))
    return await back_from_item(flow, item_id, came_from)


@router.post("/queues/items/{item_id}/status", dependencies=[requires(P.do_claim_work)])
async def status(
    request: Request, item_id: int, version: Version, state: Short, reason: Text = "",
    came_from: Short = "",
) -> Any:  # fmt: skip
    flow = work(request)
    await act(lambda: queue.set_state(flow, item_id, version, state, reason))
    return await back_from_item(flow, item_id, came_from)


@router.post(f"{ClaimPath}/release", dependencies=[requires(P.do_claim_work)])
async def release(request: Request, claim_id: str, reason: Text) -> Any:
    flow = work(request)
    await act(lambda: release_claim(flow, claim_id, reason))  # type: ignore[arg-type]
    return back(claim_id)


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in text.replace(",", " ").split() if w)


@router.post(f"{ClaimPath}/fix", dependencies=[requires(P.do_claim_work)])
async def fix_held(
    request: Request, claim_id: str, diagnoses: Short = "",
    line: Annotated[int | None, Form(ge=1)] = None,
    units: Annotated[int | None, Form(ge=1, le=99)] = None, modifiers: Short = "",
    pointers: Short = "", rendering_npi: Short = "", authorization: Short = "",
) -> Any:  # fmt: skip
    """Change the fields a held claim's findings name, then scrub it again."""
    flow = work(request)
    if pointers and not all(p.isdigit() for p in _words(pointers)):
        raise HTTPException(400, "pointers: numbers of the claim's diagnoses, e.g. 1 2")
    lines = {}
    if line is not None:
        lines[line] = held.LineEdit(
            units, _words(modifiers) or None, tuple(int(p) for p in _words(pointers)) or None
        )
    edits = held.HeldEdits(
        _words(diagnoses) or None, lines, rendering_npi or None, authorization or None
    )
    context = _context(request)
    scrubber = Scrubber(
        context.config, context.catalog, Icd10Codes(), gate(request).settings.today()
    )
    result = await act(lambda: held.fix_held_claim(
        flow, scrubber, context.config, context.catalog, claim_id, edits  # type: ignore[arg-type]
    ))  # fmt: skip
    await act(lambda: held.settle_rejections(flow, claim_id, result), found=True)
    return back(claim_id)


def _context(request: Request) -> Context:
    settings = gate(request).settings
    if settings.config is None:
        return build_context()
    return Context(settings.config, load_catalog())


@router.post(f"{ClaimPath}/appeal-letter", dependencies=[requires(P.do_claim_work)])
async def appeal_letter(request: Request, claim_id: str) -> Any:
    """Make the appeal letter for the claim's denial (kept on a pending appeal, editable
    when it is marked sent)."""
    flow = work(request)
    context = _context(request)
    today = gate(request).settings.today()
    await act(lambda: closure.claim_state(flow, claim_id))
    await act(
        lambda: make_letter(flow, claim_id, today, context.config, context.catalog), found=True
    )
    return back(claim_id)


@router.post(f"{ClaimPath}/appeal-outcome", dependencies=[requires(P.do_claim_work)])
async def appeal_outcome(
    request: Request, claim_id: str, outcome: Short, on: Annotated[date, Form()],
    amount: Short = "0.00",
) -> Any:  # fmt: skip
    """Record the payer's answer to the appeal (won, lost, partial; the amount recovered:
    a later 835 that pays the claim fills it when none is given)."""
    flow = work(request)
    value = _amount(amount)
    if value < 0:
        raise HTTPException(400, "amount: zero or more")
    await act(lambda: record_outcome(flow, claim_id, outcome, value, on))
    return back(claim_id)


@router.post(f"{ClaimPath}/appeal-sent", dependencies=[requires(P.do_claim_work)])
async def appeal_sent(
    request: Request, claim_id: str, method: Short, on: Annotated[date, Form()],
    letter: Annotated[str, Form(max_length=20000)] = "",
) -> Any:  # fmt: skip
    flow = work(request)
    text = letter if letter.strip() else None
    await act(lambda: closure.appeal_sent(flow, claim_id, on, method, text))
    return back(claim_id)


@router.post(f"{ClaimPath}/correct", dependencies=[requires(P.do_claim_work)])
async def correct(
    request: Request, claim_id: str, reason: Text, line: Annotated[int | None, Form()] = None,
    units: Annotated[int | None, Form(ge=1, le=99)] = None, modifiers: Short = "",
) -> Any:  # fmt: skip
    flow = work(request)
    changes = {}
    if line is not None:
        mods = tuple(m for m in modifiers.replace(",", " ").split() if m) or None
        changes[line] = replacements.LineChange(units, mods)
    await act(lambda: replacements.correct_claim(flow, claim_id, reason, changes))
    return back(claim_id)


@router.post(f"{ClaimPath}/void", dependencies=[requires(P.do_claim_work)])
async def void(request: Request, claim_id: str, reason: Text) -> Any:
    flow = work(request)
    await act(lambda: replacements.void_claim(flow, claim_id, reason))
    return back(claim_id)


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise HTTPException(400, "amount: not an amount such as 25.00") from None
    if value != value.quantize(Decimal("0.01")):
        raise HTTPException(400, "amount: in whole cents")
    return value


@router.post(f"{ClaimPath}/write-off", dependencies=[requires(P.do_claim_work)])
async def write_off(
    request: Request, claim_id: str, amount: Short, category: Short, reason: Text
) -> Any:
    flow = work(request)
    who: Principal = request.state.principal
    today = gate(request).settings.today()
    value = _amount(amount)
    await act(lambda: closure.write_off(flow, claim_id, value, category, reason, today, who.role))
    return back(claim_id)


@router.post("/write-offs/{write_off_id}/decision", dependencies=[requires(P.approve_write_offs)])
async def decide_write_off(request: Request, write_off_id: int, decision: Short) -> Any:
    if decision not in ("approve", "refuse"):
        raise HTTPException(400, "decision: approve or refuse")
    flow = work(request)
    who: Principal = request.state.principal
    approve = decision == "approve"
    claim_id = await act(lambda: closure.write_off_claim(flow, write_off_id))
    await act(lambda: closure.approve_write_off(flow, write_off_id, who.role, approve))
    return back(claim_id)


@router.post(f"{ClaimPath}/close", dependencies=[requires(P.do_claim_work)])
async def close(request: Request, claim_id: str, reason: Text) -> Any:
    flow = work(request)
    await act(lambda: closure.close_claim(flow, claim_id, reason))
    return back(claim_id)


def claim_actions(request: Request, claim_id: str) -> dict[str, Any]:
    """What the claim page needs to offer its actions (nothing for a role without them)."""
    who: Principal | None = getattr(request.state, "principal", None)
    if who is None or not who.can(P.do_claim_work) or gate(request).work_for is None:
        return {"actions": None}
    flow = work(request)
    return {
        "actions": {
            "items": queue.claim_items(flow, claim_id),
            "pending_write_offs": closure.pending_write_offs(flow, claim_id),
            "appeal": closure.pending_appeal(flow, claim_id),
            "fix": held.fix_fields(flow, claim_id),  # type: ignore[arg-type]
            "may_approve": who.can(P.approve_write_offs),
            "methods": SEND_METHODS,
            "categories": [c.value for c in WriteOffCategory],
            "states": queue.STATES,
        }
    }
