"""Claim pages and work queues over the store: ``ClaimData`` and ``WorkQueueData``.

The claim page tells what happened to one claim from the visit to the last payment: scrub
runs and their findings, the 837 batch, 999/277CA acknowledgments, every 835 payment with
each adjustment and remark explained in words (``ptrcm.domain.denials``), appeals and
patient payments. Reads go through ``ptrcm.analytics.claim_history`` and
``ptrcm.analytics.queues``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal

from ptrcm.analytics.claim_history import ClaimHistory, PaymentRecord, Row, day_of
from ptrcm.analytics.filters import Scope
from ptrcm.analytics.queues import QueueRow, QueueSort, queue_rows
from ptrcm.domain.adjustment_codes import claim_status_words
from ptrcm.domain.denials import AdjustmentKind, classify_adjustment, load_reason_codes
from ptrcm.domain.lifecycle import OPEN_AR
from ptrcm.web import ports as p

K = p.TimelineKind
ZERO = Decimal("0.00")
TRANSITION_KINDS = {
    "held": K.scrub, "rejected": K.rejected, "appealed": K.appealed,
    "closed": K.work, "voided": K.work, "corrected": K.work,
}  # fmt: skip
# ready straight from held is a biller's release (the scrubber's ready, after "scrubbed",
# is told by its scrub run)
RELEASED_FROM = ("held",)


def explain_adjustment(adj: Row, rarcs: Sequence[str]) -> str:
    """One CAS adjustment in words: group-CARC, amount, meaning and what to do next."""
    found = classify_adjustment(adj["group_code"], adj["carc"], rarcs)
    meaning = found.description or "no description in carc.csv"
    words = f"{adj['group_code']}-{adj['carc']} {adj['amount']}: {meaning} ({found.kind.value}"
    if found.is_denial:
        words += f", {found.category.value}; next: {found.action.value.replace('_', ' ')}"
    return words + ")"


def explain_remark(code: str) -> str:
    info = load_reason_codes().rarcs.get(code)
    return f"{code}: {info.description if info else 'not in rarc.csv'}"


def _payment_events(record: PaymentRecord) -> Iterator[p.TimelineEvent]:
    pay = record.payment
    on = pay["payment_date"] or day_of(pay["received_at"]) or date.min
    rarcs = [r["rarc"] for r in record.remarks]
    parts = [explain_adjustment(a, rarcs) for a in record.adjustments]
    parts += [f"remark {explain_remark(code)}" for code in dict.fromkeys(rarcs)]
    denied = pay["status_code"] == "4" or any(
        classify_adjustment(a["group_code"], a["carc"], rarcs).is_denial for a in record.adjustments
    )
    status = claim_status_words(pay["status_code"])
    kind = K.denied if denied else K.paid if pay["paid_amount"] else K.adjudicated
    title = f"835: {status}" + (" with denials" if denied and pay["status_code"] != "4" else "")
    reference = " ".join(
        x
        for x in (f"TRN {pay['trace_number']}" if pay["trace_number"] else "", pay["file_name"])
        if x
    )
    detail = f"charge {pay['charge_amount']}, paid {pay['paid_amount']}"
    yield p.TimelineEvent(
        on, kind, title, "; ".join([detail, *parts]), pay["paid_amount"], reference or None
    )


def _scrub_events(history: ClaimHistory) -> Iterator[p.TimelineEvent]:
    for run, findings in history.scrubs:
        counts = f"{run['errors']} errors, {run['warnings']} warnings"
        said = [f"{f['rule']} ({f['severity']}): {f['message']}" for f in findings]
        pack = f"{run['pack']} {run['pack_version']}" if run["pack"] else None
        yield p.TimelineEvent(
            day_of(run["scrubbed_at"]) or date.min,
            K.scrub,
            f"Scrubbed (run {run['run_number']})",
            "; ".join([counts, *said]),
            None,
            pack,
        )


def _replaces(history: ClaimHistory) -> str:
    """A correction's or a void's first history row names the claim it replaces."""
    for t in history.transitions:
        if t["from_state"] is None and str(t["reason"] or "").startswith(("correction", "void")):
            return f": {t['reason']}"
    return ""


def _events(history: ClaimHistory) -> Iterator[p.TimelineEvent]:
    claim, visit = history.claim, history.visit
    if visit is not None:
        minutes = visit["total_treatment_minutes"] or visit["total_timed_minutes"]
        who = ", ".join(x for x in (visit["therapist"], visit["credential"]) if x)
        detail = " · ".join(x for x in (who, f"{minutes} minutes" if minutes else "") if x)
        yield p.TimelineEvent(
            visit["date_of_service"],
            K.visit,
            "Visit documented",
            detail or "visit on file",
            None,
            visit["external_id"],
        )
    yield p.TimelineEvent(
        day_of(claim["created_at"]) or claim["first_date_of_service"],
        K.charge,
        f"Claim built ({claim['claim_type']})",
        f"{len(history.lines)} lines{_replaces(history)}",
        claim["total_charge"],
        claim["pcn"],
    )
    yield from _scrub_events(history)
    for v in history.versions:
        if v["submitted_at"] is None:
            continue
        batch = f"batch {v['batch_file']} (ISA {v['isa_control']}, GS {v['gs_control']})"
        yield p.TimelineEvent(
            day_of(v["submitted_at"]) or date.min,
            K.submitted,
            f"Submitted {v['batch_kind'] or claim['claim_type']}"
            f" (version {v['version_number']}, frequency {v['frequency_code']})",
            batch if v["batch_file"] else "no batch recorded",
            v["total_charge"],
            v["payer_claim_number"],
        )
    for ack in history.acks:
        reason = str((ack["detail"] or {}).get("reason", ""))
        kind = K.rejected if ack["status"] == "rejected" else K.acknowledged
        yield p.TimelineEvent(
            day_of(ack["received_at"]) or date.min,
            kind,
            f"{ack['kind']} {ack['status']}",
            reason,
            None,
            ack["file_name"],
        )
    for t in history.transitions:
        step = TRANSITION_KINDS.get(t["to_state"])
        if t["to_state"] == "ready" and t["from_state"] in RELEASED_FROM:
            step = K.work
        if step is not None:
            yield p.TimelineEvent(
                day_of(t["occurred_at"]) or date.min,
                step,
                f"State {t['from_state'] or '-'} → {t['to_state']}",
                f"{t['reason'] or 'no reason given'} (by {t['actor']})",
                None,
                None,
            )
    for record in history.payments:
        yield from _payment_events(record)
    yield from _appeal_events(history)
    yield from _work_events(history)
    for pp in history.patient_payments:
        yield p.TimelineEvent(
            day_of(pp["received_at"]) or date.min,
            K.patient,
            "Patient payment",
            pp["method"],
            pp["amount"],
            pp["reference"],
        )


def _work_events(history: ClaimHistory) -> Iterator[p.TimelineEvent]:
    for e in history.work_events:
        state = (e["detail"] or {}).get("state")
        title = f"{str(e['kind']).capitalize()} item W-{e['work_item_id']}: {e['event']}"
        said = [x for x in (e["note"], f"by {e['actor']}") if x]
        yield p.TimelineEvent(
            day_of(e["occurred_at"]) or date.min,
            K.work,
            title + (f" → {state}" if state else ""),
            "; ".join(said),
            None,
            None,
        )


def _appeal_events(history: ClaimHistory) -> Iterator[p.TimelineEvent]:
    for a in history.appeals:
        if a["submitted_on"] is not None:
            yield p.TimelineEvent(
                a["submitted_on"],
                K.appealed,
                f"Appeal level {a['level']} sent",
                f"deadline {a['deadline']}",
                None,
                None,
            )
        if a["decided_on"] is not None:
            yield p.TimelineEvent(
                a["decided_on"],
                K.appealed,
                f"Appeal level {a['level']}: {a['outcome']}",
                "recovered on appeal" if a["recovered_amount"] else "decided",
                a["recovered_amount"],
                None,
            )


def claim_detail(history: ClaimHistory) -> p.ClaimDetail:
    """The claim page's data. Paid = payer payments (net of reversals) + patient payments;
    balance = the insurance balance the A/R KPI counts (charge - payer payments - adjustments
    other than denials), zero once the claim has left A/R (closed, voided, corrected)."""
    claim = history.claim
    payer_paid = sum((r.payment["paid_amount"] for r in history.payments), ZERO)
    patient_paid = sum((pp["amount"] for pp in history.patient_payments), ZERO)
    reduced = sum(
        (
            a["amount"]
            for r in history.payments
            for a in r.adjustments
            if classify_adjustment(a["group_code"], a["carc"]).kind is not AdjustmentKind.DENIAL
        ),
        ZERO,
    )
    open_now = claim["state"] in OPEN_AR or claim["state"] == "paid"
    balance = claim["total_charge"] - payer_paid - reduced if open_now else ZERO
    lines = tuple(
        p.ClaimLine(
            ln["code"],
            tuple(m for m in (ln["modifiers"] or "").split(",") if m),
            ln["units"],
            ln["charge_amount"],
            *_allowed_paid(history, ln["id"]),
        )
        for ln in history.lines
    )
    order = {kind: i for i, kind in enumerate(K)}
    timeline = sorted(_events(history), key=lambda e: (e.on, order[e.kind]))
    visit = history.visit
    return p.ClaimDetail(
        claim_id=claim["pcn"],
        visit_id=visit["external_id"] if visit else "",
        payer_id=claim["payer"],
        date_of_service=claim["first_date_of_service"],
        therapist=(visit["therapist"] or "") if visit else "",
        status=claim["state"],
        charge=claim["total_charge"],
        paid=payer_paid + patient_paid,
        balance=balance,
        lines=lines,
        timeline=tuple(timeline),
    )


def _allowed_paid(history: ClaimHistory, line_id: int) -> tuple[Decimal | None, Decimal | None]:
    money = history.line_money.get(line_id)
    return (None, None) if money is None else (money[1], money[0])


def queue_item(row: QueueRow, today: date) -> p.QueueItem:
    return p.QueueItem(
        item_id=row.item_id,
        claim_id=row.pcn,
        payer_id=row.payer or "",
        date_of_service=row.first_date_of_service,
        reason_code=row.code,
        reason=row.reason,
        amount=row.amount,
        deadline=row.due_date,
        age_days=max(0, (today - row.since.date()).days),
    )


def queue_items(
    scope: Scope,
    name: p.QueueName,
    today: date,
    offset: int = 0,
    limit: int | None = None,
    sort: QueueSort | None = None,
) -> list[p.QueueItem]:
    return [queue_item(r, today) for r in queue_rows(scope, name.value, offset, limit, sort)]
