"""Posting one 835 claim (CLP): its rows, ledger entries, state, denial and exception
items, held in the file's ``PostingBatch`` (written a batch of claims at a time).

``post_claim`` gets everything it needs as values: the 835 claim, our stored claim (or
None), the ``ClaimContext`` of its transaction, the batch, and for a reversal the ledger
entries it may undo. It returns a ``PostedClaim`` saying what it did; the caller
(``ptrcm.services.remittance.posting``) counts it and bills the secondary payer. The rules are in
``ptrcm.services.remittance.posting``; the ledger arithmetic in ``ptrcm.services.remittance.lines``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.deadlines import appeal_deadline, appeal_rules_for
from ptrcm.domain.denials import ClaimOutcome, claim_outcome, classify_adjustment
from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, apply_event
from ptrcm.domain.money import Money
from ptrcm.domain.stored_claims import ClaimRecord
from ptrcm.domain.work_queue import WorkItem
from ptrcm.errors import InvariantError
from ptrcm.services.remittance import lines as rl
from ptrcm.services.remittance.batch import HeldPayment, PostingBatch
from ptrcm.x12.remit835.model import Adjustment, ClaimPayment

EVENTS = {
    ClaimOutcome.PAID: ClaimEvent.PAID_IN_FULL,
    ClaimOutcome.PARTIALLY_PAID: ClaimEvent.PAID_PARTLY,
    ClaimOutcome.DENIED: ClaimEvent.DENIED,
    ClaimOutcome.REVERSED: ClaimEvent.REVERSED,
}


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """Where the claims of one 835 transaction are posted, and by whom."""

    config: Config
    file_id: int
    transaction_id: int
    st: str  # ST02 of the transaction set
    source: str  # what ledger entries name as their source
    tag: str  # what transitions name as their reason's origin ("835 <sha prefix>")
    day: date  # the payment date (else production date, else today)
    now: datetime
    actor: str


@dataclass(frozen=True, slots=True)
class PostedClaim:
    """What posting one 835 claim did: ``kind`` is "posted", "unmatched" (not our
    claim; its money to ``unapplied_payment``) or "unbalanced" (not posted to the ledger)."""

    kind: str
    record: ClaimRecord | None  # our claim, in its state after the posting
    outcome: ClaimOutcome | None
    matched: tuple[rl.MatchedLine, ...]
    exceptions: tuple[str, ...]
    denied: bool = False


def post_claim(
    claim: ClaimPayment,
    record: ClaimRecord | None,
    ctx: ClaimContext,
    batch: PostingBatch,
    open_entries: Sequence[dict[str, Any]] = (),
    *,
    balanced: bool = True,
) -> PostedClaim:
    """Post one CLP into ``batch``. ``open_entries`` are the claim's ledger entries a
    reversal may undo (``RemittanceStore.open_payment_entries``, read after the
    batch was flushed); ``balanced`` is false when the reader found the claim unbalanced."""
    matched = tuple(rl.match_lines(record.lines if record else (), claim))
    payment, lines = _payment_rows(claim, record, matched, ctx, batch)
    pcn = claim.patient_control_number
    if record is None:
        reason = f"835 claim {pcn}: no claim with this patient control number"
        batch.work.append(WorkItem("exception", reason, None, claim.paid.amount))
        if not claim.paid.is_zero():
            batch.append([_unapplied(claim, ctx)])
        return PostedClaim("unmatched", None, None, matched, (reason,))
    if not balanced:
        reason = (
            f"claim {pcn}: 835 claim does not balance (CLP segment {claim.segment});"
            " not posted to the ledger"
        )
        batch.work.append(WorkItem("exception", reason, record.id, claim.paid.amount))
        return PostedClaim("unbalanced", record, None, matched, (reason,))
    entry_ctx = rl.EntryContext(
        ctx.day, record.id, record.patient_id, record.payer_id, ctx.file_id, ctx.source, ctx.st
    )
    entries = rl.claim_entries(claim, matched, entry_ctx)
    outcome = claim_outcome(claim.status, claim.paid, rl.all_adjustments(claim))
    if outcome is ClaimOutcome.REVERSED:
        entries = rl.link_reversals(entries, open_entries)
    batch.append(entries)
    moved, refused = _move_state(record, claim, outcome, ctx, batch)
    exceptions = () if refused is None else (refused,)
    if outcome is ClaimOutcome.REVERSED:
        return PostedClaim("posted", moved, outcome, matched, exceptions)
    denied = _queue_denials(record, claim, ctx, batch)
    if not claim.paid.is_zero():
        batch.checks.append((record, matched, lines))
        in_full = outcome is ClaimOutcome.PAID
        batch.paid.append(HeldPayment(record.id, payment, claim.paid.amount, in_full, ctx.day))
    return PostedClaim("posted", moved, outcome, matched, exceptions, denied)


def _unapplied(claim: ClaimPayment, ctx: ClaimContext) -> LedgerEntry:
    return LedgerEntry(
        account=rl.UNAPPLIED,
        amount=claim.paid.amount,
        effective_date=ctx.day,
        remittance_file_id=ctx.file_id,
        source=ctx.source,
        segment_ref=f"ST{ctx.st}/CLP{claim.segment}",
        memo=f"unmatched CLP01 {claim.patient_control_number}",
    )


def _payment_rows(
    claim: ClaimPayment,
    record: ClaimRecord | None,
    matched: Sequence[rl.MatchedLine],
    ctx: ClaimContext,
    batch: PostingBatch,
) -> tuple[int, list[int]]:
    """The claim payment, its lines, adjustments and remarks, held for the batch's flush;
    returns the positions that stand for the payment's and the lines' ids."""
    ref = f"ST{ctx.st}/CLP{claim.segment}"
    resp = claim.patient_responsibility
    payment = batch.add_payment(
        {
            "transaction_id": ctx.transaction_id,
            "claim_id": None if record is None else record.id,
            "pcn": claim.patient_control_number[:38],
            "payer_claim_number": claim.payer_claim_control_number[:50] or None,
            "status_code": claim.status[:2],
            "charge_amount": claim.charge.amount,
            "paid_amount": claim.paid.amount,
            "patient_responsibility": None if resp is None else resp.amount,
            "segment_ref": ref,
        }
    )
    for a in claim.adjustments:
        batch.add_child("adjustment", payment, None, _adjustment_row(a))
    for r in claim.remarks:
        batch.add_child("remark", payment, None, {"rarc": r.code[:6]})
    lines: list[int] = []
    for item in matched:
        line = item.line
        units = line.units
        at = batch.add_line(
            payment,
            {
                "claim_line_id": None if item.ours is None else item.ours.id,
                "code": line.procedure.code[:5],
                "modifiers": ",".join(line.procedure.modifiers) or None,
                "charge_amount": line.charge.amount,
                "paid_amount": line.paid.amount,
                "units_paid": None if units is None else int(units),
                "date_of_service": rl.service_date(line, claim),
                "segment_ref": f"{ref}/SVC{line.segment}",
            },
        )
        lines.append(at)
        for a in line.adjustments:
            batch.add_child("adjustment", payment, at, _adjustment_row(a))
        for r in line.remarks:
            batch.add_child("remark", payment, at, {"rarc": r.code[:6]})
    return payment, lines


def _adjustment_row(adj: Adjustment) -> dict[str, object]:
    return {
        "group_code": adj.group,
        "carc": adj.reason[:5],
        "amount": adj.amount.amount,
        "quantity": adj.quantity,
    }


def _move_state(
    record: ClaimRecord,
    claim: ClaimPayment,
    outcome: ClaimOutcome,
    ctx: ClaimContext,
    batch: PostingBatch,
) -> tuple[ClaimRecord, str | None]:
    """The claim in its new state, or unchanged with the exception raised when its state
    cannot take the 835's decision (a second ``paid`` on a paid claim, say)."""
    reason = f"{ctx.tag} ST{ctx.st} CLP{claim.segment} status {claim.status}"
    state = ClaimState(record.state)
    try:
        step = apply_event(record.pcn, state, EVENTS[outcome], ctx.actor, ctx.now, reason)
    except (InvariantError, ValueError):
        refused = (
            f"claim {record.pcn}: state {record.state} cannot take 835 outcome"
            f" {outcome.value}; money posted, state unchanged"
        )
        batch.work.append(WorkItem("exception", refused, record.id, None))
        return record, refused
    batch.transitions.append((record.id, record.version_id, step))
    return replace(record, state=step.to_state.value), None


def _queue_denials(
    record: ClaimRecord, claim: ClaimPayment, ctx: ClaimContext, batch: PostingBatch
) -> bool:
    denied: list[tuple[Money, str, str]] = []
    remarks = tuple(r.code for r in claim.remarks)
    line_remarks = tuple(r.code for line in claim.lines for r in line.remarks)
    for line in claim.lines:
        codes = remarks + tuple(r.code for r in line.remarks)
        for adj in line.adjustments:
            found = classify_adjustment(adj.group, adj.reason, codes)
            if found.is_denial:
                denied.append((adj.amount, adj.reason, f"{found.category} ({found.action})"))
    for adj in claim.adjustments:
        found = classify_adjustment(adj.group, adj.reason, remarks)
        if found.is_denial:
            denied.append((adj.amount, adj.reason, f"{found.category} ({found.action})"))
    if not denied:
        return False
    total = sum((d[0].amount for d in denied), Decimal("0.00"))
    top = max(denied, key=lambda d: d[0].amount)
    due = _appeal_due(record, ctx)
    carcs = ",".join(sorted({d[1] for d in denied}))
    reason = f"claim {record.pcn}: denied {total} CARC {carcs}; {top[2]}"
    if remarks or line_remarks:
        reason += f"; RARC {','.join(dict.fromkeys(remarks + line_remarks))}"
    batch.work.append(WorkItem("denial", reason, record.id, total, due, top[1]))
    return True


def _appeal_due(record: ClaimRecord, ctx: ClaimContext) -> date | None:
    payer = ctx.config.payer(record.payer_external_id)
    rules = appeal_rules_for(payer.payer_class if payer else "commercial")
    return None if rules is None else appeal_deadline(ctx.day, rules).due
