"""Posting one 835 claim (CLP) inside a file's posting: its rows, ledger entries, state,
denial and exception queues, underpayment check and secondary claim.

Rows are not written here: they go to the run's ``PendingRows`` and are written a chunk of
claims at a time (``ptrcm.services.posting_rows``). The rules are in
``ptrcm.services.posting``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ptrcm.domain.deadlines import appeal_deadline, appeal_rules_for
from ptrcm.domain.denials import ClaimOutcome, claim_outcome, classify_adjustment
from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, apply_event
from ptrcm.domain.money import Money
from ptrcm.domain.work_queue import WorkItem
from ptrcm.errors import InvariantError
from ptrcm.services import remit_lines as rl
from ptrcm.services.secondary_billing import secondary_for
from ptrcm.x12.remit_model import Adjustment, ClaimPayment

if TYPE_CHECKING:
    from ptrcm.domain.stored_claims import ClaimRecord
    from ptrcm.services.posting import _Run

EVENTS = {
    ClaimOutcome.PAID: ClaimEvent.PAID_IN_FULL,
    ClaimOutcome.PARTIALLY_PAID: ClaimEvent.PAID_PARTLY,
    ClaimOutcome.DENIED: ClaimEvent.DENIED,
    ClaimOutcome.REVERSED: ClaimEvent.REVERSED,
}


def post_claim(run: _Run, claim: ClaimPayment) -> None:
    """Post one CLP: rows, ledger entries, state, queues (a seam tests may patch)."""
    result, uow = run.result, run.uow
    result.claims += 1
    record = run.claims.get(claim.patient_control_number)
    matched = rl.match_lines(record.lines if record else (), claim)
    payment, lines = _payment_rows(run, claim, record, matched)
    segments = {claim.segment, *(line.segment for line in claim.lines)}
    pcn = claim.patient_control_number
    if record is None:
        result.unmatched += 1
        run.exception(
            f"835 claim {pcn}: no claim with this patient control number", None, claim.paid.amount
        )
        if not claim.paid.is_zero():
            run.append(
                [
                    LedgerEntry(
                        account=rl.UNAPPLIED,
                        amount=claim.paid.amount,
                        effective_date=run.day,
                        remittance_file_id=run.file_id,
                        source=run.source,
                        segment_ref=f"ST{run.st}/CLP{claim.segment}",
                        memo=f"unmatched CLP01 {pcn}",
                    )
                ]
            )
        return
    if segments & run.bad_segments:
        result.unbalanced += 1
        run.exception(
            f"claim {pcn}: 835 claim does not balance (CLP segment {claim.segment});"
            " not posted to the ledger",
            record.id,
            claim.paid.amount,
        )
        return
    ctx = rl.EntryContext(
        run.day, record.id, record.patient_id, record.payer_id, run.file_id, run.source, run.st
    )
    entries = rl.claim_entries(claim, matched, ctx)
    outcome = claim_outcome(claim.status, claim.paid, rl.all_adjustments(claim))
    if outcome is ClaimOutcome.REVERSED:
        result.reversals += 1
        run.flush()
        entries = rl.link_reversals(entries, uow.remits.open_payment_entries(record.id))
    run.append(entries)
    result.posted += 1
    result.paid += claim.paid.amount
    result.outcomes.append(
        {"pcn": pcn, "claim_id": str(record.id), "outcome": outcome.value, "paid": str(claim.paid)}
    )
    _move_state(run, record, claim, outcome)
    if outcome is ClaimOutcome.REVERSED:
        return
    _queue_denials(run, record, claim)
    if not claim.paid.is_zero():
        run.rows.checks.append((record, matched, lines))
        run.rows.links.append((record.id, payment))
    _bill_secondary(run, record, claim, matched)


def _payment_rows(
    run: _Run, claim: ClaimPayment, record: ClaimRecord | None, matched: list[rl.MatchedLine]
) -> tuple[int, list[int]]:
    """The claim payment, its lines, adjustments and remarks, held for the chunk's flush;
    returns the positions that stand for the payment's and the lines' ids."""
    rows = run.rows
    ref = f"ST{run.st}/CLP{claim.segment}"
    resp = claim.patient_responsibility
    payment = rows.add_payment(
        {
            "transaction_id": run.transaction_id,
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
        rows.add_child("adjustment", payment, None, _adjustment_row(a))
    for r in claim.remarks:
        rows.add_child("remark", payment, None, {"rarc": r.code[:6]})
    lines: list[int] = []
    for item in matched:
        line = item.line
        units = line.units
        at = rows.add_line(
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
            rows.add_child("adjustment", payment, at, _adjustment_row(a))
        for r in line.remarks:
            rows.add_child("remark", payment, at, {"rarc": r.code[:6]})
    return payment, lines


def _adjustment_row(adj: Adjustment) -> dict[str, object]:
    return {
        "group_code": adj.group,
        "carc": adj.reason[:5],
        "amount": adj.amount.amount,
        "quantity": adj.quantity,
    }


def _move_state(run: _Run, record: ClaimRecord, claim: ClaimPayment, outcome: ClaimOutcome) -> None:
    reason = f"835 {run.result.sha256[:12]} ST{run.st} CLP{claim.segment} status {claim.status}"
    try:
        step = apply_event(
            record.pcn, ClaimState(record.state), EVENTS[outcome], run.uow.actor, run.now, reason
        )
    except (InvariantError, ValueError):
        run.exception(
            f"claim {record.pcn}: state {record.state} cannot take 835 outcome"
            f" {outcome.value}; money posted, state unchanged",
            record.id,
            None,
        )
        return
    run.rows.transitions.append((record.id, record.version_id, step))
    run.claims[record.pcn] = _with_state(record, step.to_state.value)


def _with_state(record: ClaimRecord, state: str) -> ClaimRecord:
    return replace(record, state=state)


def _queue_denials(run: _Run, record: ClaimRecord, claim: ClaimPayment) -> None:
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
        return
    total = sum((d[0].amount for d in denied), Decimal("0.00"))
    top = max(denied, key=lambda d: d[0].amount)
    due = _appeal_due(run, record)
    carcs = ",".join(sorted({d[1] for d in denied}))
    reason = f"claim {record.pcn}: denied {total} CARC {carcs}; {top[2]}"
    if remarks or line_remarks:
        reason += f"; RARC {','.join(dict.fromkeys(remarks + line_remarks))}"
    run.rows.work.append(WorkItem("denial", reason, record.id, total, due, top[1]))
    run.result.denials += 1


def _appeal_due(run: _Run, record: ClaimRecord) -> date | None:
    payer = run.options.config.payer(record.payer_external_id)
    rules = appeal_rules_for(payer.payer_class if payer else "commercial")
    return None if rules is None else appeal_deadline(run.day, rules).due


def _bill_secondary(
    run: _Run, record: ClaimRecord, claim: ClaimPayment, matched: list[rl.MatchedLine]
) -> None:
    owed = sum((a.amount.amount for a in rl.all_adjustments(claim) if a.group == "PR"), Decimal(0))
    if owed <= 0 or run.options.outbox is None:
        return
    options = run.options
    found = secondary_for(run.uow, record, claim, matched, run.day, options.config, options.catalog)
    if isinstance(found, str):
        run.exception(found, record.id, None)
    elif found is not None:
        run.secondary.append(found)
