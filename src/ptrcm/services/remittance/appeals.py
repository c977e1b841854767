"""Denials worked as appeals: the queue, the letter, and the outcome.

* ``appeal_queue``: open ``denial`` work items ranked by ``domain.deadlines.prioritize``
  (dollars weighted by how near the deadline is; expired ones last). Deadlines were set
  when the 835 was posted: Medicare 120 days from the remittance date + 5 days receipt.
* ``appeal_letter``: the letter of ``domain.appeal_letter`` for the claim's largest denial
  on its latest remittance, with the category's documentation checklist; the letter is
  kept on a pending appeal row.
* ``record_outcome``: won, lost or partial with the amount recovered, so recovery can be
  measured.
* ``recover_appeals`` (called by posting): a later 835 that pays the claim answers its
  pending or won appeals. The claim payment is linked to each, and what it paid is the
  amount recovered: a pending appeal is decided by it (overturned when the claim is paid
  in full, partial otherwise, on the payment date); a won appeal recorded without an
  amount takes the amount paid (an amount the biller recorded is kept). So the appeal
  recovery KPI (docs/kpis.md) counts dollars the payer actually sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.appeal_letter import DenialNotice, LetterSender, render_appeal_letter
from ptrcm.domain.codes import Catalog
from ptrcm.domain.deadlines import WorkItem, appeal_deadline, appeal_rules_for, prioritize
from ptrcm.domain.denials import classify_adjustment
from ptrcm.domain.money import Money
from ptrcm.errors import InputError
from ptrcm.services.claims.building import stored_claim
from ptrcm.services.money_in_ports import MoneyInUnitOfWork, MoneyInWork
from ptrcm.services.remittance.secondary import stored_visit

OUTCOMES = {"won": "overturned", "lost": "upheld", "partial": "partial"}


@dataclass(frozen=True, slots=True)
class AppealPayment:
    """A posted 835 payment of a claim, as an appeal's answer."""

    claim_id: int
    claim_payment_id: int
    paid: Decimal
    in_full: bool  # the 835 paid the claim in full (patient share aside)
    day: date  # the payment's date


def recover_appeals(uow: MoneyInUnitOfWork, payments: Sequence[AppealPayment]) -> int:
    """Link each claim's first payment here to the claim's pending or won appeals that no
    payment answered yet, and fill the amount recovered (module docstring); returns the
    appeals answered. Writes inside the caller's unit of work."""
    first: dict[int, AppealPayment] = {}
    for payment in payments:
        first.setdefault(payment.claim_id, payment)
    links = []
    for appeal in uow.appeals.unanswered(list(first)):
        paid = first[int(appeal["claim_id"])]
        links.append((int(appeal["id"]), paid.claim_payment_id))
        if appeal["outcome"] == "pending":
            outcome = OUTCOMES["won" if paid.in_full else "partial"]
            uow.appeals.decide(int(appeal["id"]), outcome, paid.paid, paid.day)
        elif not appeal["recovered_amount"]:
            decided = appeal["decided_on"]
            uow.appeals.decide(int(appeal["id"]), appeal["outcome"], paid.paid, decided)
    uow.appeals.link(links)
    return len(links)


@dataclass(frozen=True, slots=True)
class QueueRow:
    claim: str
    amount: Decimal
    due: date
    days_left: int
    score: Decimal
    carc: str | None
    reason: str


def appeal_queue(unit_of_work: MoneyInWork, as_of: date) -> list[QueueRow]:
    """Open denials, most valuable and most urgent first."""
    with unit_of_work() as uow:
        items = uow.work.items("denial", state="open")
        pcns = {r.id: r.pcn for r in uow.claims.by_ids(i["claim_id"] for i in items).values()}
    by_id = {str(i["id"]): i for i in items if i["due_date"] is not None}
    work = [
        WorkItem(k, Money(i["amount"] or Decimal("0.00")), i["due_date"]) for k, i in by_id.items()
    ]
    rows = []
    for ranked in prioritize(work, as_of):
        item = by_id[ranked.item.item_id]
        rows.append(
            QueueRow(
                pcns.get(item["claim_id"], "?"),
                ranked.item.amount.amount,
                ranked.item.due,
                ranked.days_left,
                ranked.score,
                item["carc"],
                item["reason"] or "",
            )
        )
    return rows


def _denial(uow: MoneyInUnitOfWork, claim_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    payments = [p for p in uow.remits.claim_payments(claim_id) if p["status_code"] != "22"]
    for payment in reversed(payments):
        denied = [
            a
            for a in uow.remits.adjustments(payment["id"])
            if classify_adjustment(a["group_code"], a["carc"]).is_denial
        ]
        if denied:
            return payment, denied
    raise InputError.one("CLAIM_ID", None, None, f"claim {claim_id} has no posted denial")


def appeal_letter(
    unit_of_work: MoneyInWork,
    pcn: str,
    as_of: date,
    config: Config,
    catalog: Catalog,
) -> str:
    """The appeal letter for the claim's largest denial; kept on a pending appeal."""
    with unit_of_work() as uow:
        record = uow.claims.by_pcn([pcn]).get(pcn)
        visit = None if record is None else stored_visit(uow, record)
        if record is None or visit is None:
            raise InputError.one("CLAIM_ID", None, None, f"no claim {pcn} with a stored visit")
        payment, denied = _denial(uow, record.id)
        top = max(denied, key=lambda a: a["amount"])
        lines = {lp["id"]: lp["claim_line_id"] for lp in uow.remits.line_payments(payment["id"])}
        numbers = {line.id: line.line_number for line in record.lines}
        disputed = tuple(
            sorted(
                {
                    numbers[lines[a["line_payment_id"]]]
                    for a in denied
                    if lines.get(a["line_payment_id"]) in numbers
                }
            )
        )
        remit_date = uow.remits.payment_date(payment["transaction_id"]) or as_of
        remarks = uow.remits.remarks(payment["id"])
        rarcs = tuple(dict.fromkeys(r["rarc"] for r in remarks))
        remark_lines = tuple(
            (r["rarc"], numbers[lines[r["line_payment_id"]]])
            for r in remarks
            if lines.get(r["line_payment_id"]) in numbers
        )
        payer = config.payer(record.payer_external_id)
        rules = appeal_rules_for(payer.payer_class if payer else "commercial")
        if rules is None:
            raise InputError.one("CLAIM_ID", None, None, f"claim {pcn}: payer has no appeals")
        deadline = appeal_deadline(remit_date, rules)
        notice = DenialNotice(
            payer.name if payer else record.payer_external_id,
            remit_date,
            top["group_code"],
            top["carc"],
            Money(sum((a["amount"] for a in denied), Decimal("0.00"))),
            rarcs,
            payment["payer_claim_number"],
            disputed,
            remark_lines,
        )
        clinic = config.clinic
        address = (clinic.address.line1, f"{clinic.address.city}, {clinic.address.state}")
        sender = LetterSender(clinic.name, clinic.npi, address)
        claim = stored_claim(visit, record.pcn, record.lines)
        letter = render_appeal_letter(claim, notice, deadline, sender, as_of)
        work_id = next((i["id"] for i in uow.work.items("denial", claim_id=record.id)), None)
        if not any(a["outcome"] == "pending" for a in uow.appeals.for_claim(record.id)):
            uow.appeals.add(record.id, work_id, deadline.due, letter)
        uow.commit()
    return letter


def record_outcome(
    unit_of_work: MoneyInWork,
    pcn: str,
    outcome: str,
    amount: Decimal,
    on: date,
) -> int:
    """Record won/lost/partial and the amount recovered; returns the appeal id."""
    if outcome not in OUTCOMES:
        raise InputError.one("--outcome", None, None, "must be won, lost or partial")
    with unit_of_work() as uow:
        record = uow.claims.by_pcn([pcn]).get(pcn)
        if record is None:
            raise InputError.one("CLAIM_ID", None, None, f"no claim {pcn}")
        pending = [a for a in uow.appeals.for_claim(record.id) if a["outcome"] == "pending"]
        denials = uow.work.items("denial", state="open", claim_id=record.id)
        if pending:
            appeal_id = int(pending[-1]["id"])
        else:
            due = denials[0]["due_date"] if denials and denials[0]["due_date"] else on
            appeal_id = uow.appeals.add(record.id, denials[0]["id"] if denials else None, due)
        uow.appeals.decide(appeal_id, OUTCOMES[outcome], amount, on)
        for item in denials:
            uow.work.close(item["id"])
        uow.commit()
    return appeal_id
