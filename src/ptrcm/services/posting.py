"""Post an 835 remittance into the store: payments, every adjustment, reversals, provider
adjustments, work queues, claim states and secondary claims — one file, one transaction.

Rules (the matching and ledger accounts are in ``ptrcm.services.remit_lines``):

* Idempotent: a file whose SHA-256 this organization already posted changes nothing and
  the result says so (``already_posted``); the unique (org, sha256) constraint backs it.
* Atomic: everything is written in one unit of work and committed once, at the end. A
  failure midway rolls the whole file back; the secondary 837 is written to a temporary
  name and renamed into the outbox only after the commit.
* One bad claim never rejects the file: a claim whose patient control number is not ours
  goes to the ``exception`` queue (its payment to ``unapplied_payment``); a claim the
  reader found unbalanced goes to the ``exception`` queue with the finding and is not
  posted to the ledger; a claim whose state cannot take the 835's decision is posted and
  flagged in the ``exception`` queue.
* Reversals (CLP02 = 22) are new entries with the 835's negative amounts, each naming
  the entry it reverses (``reverses_entry_id``); nothing is ever edited.
* PLB amounts go to ``provider_adjustment`` with their reason and reference, signed as
  their effect on the payment (a PLB of 25.00 withheld is -25.00), so per transaction
  ``payer_payment`` + ``unapplied_payment`` + ``provider_adjustment`` = BPR02.
* Denials (classified by ``domain.denials``) go to the ``denial`` queue with their dollars
  and the appeal deadline (``domain.deadlines``, from the remittance date).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ptrcm.config import Config
from ptrcm.domain.codes import Catalog
from ptrcm.domain.deadlines import appeal_deadline, appeal_rules_for
from ptrcm.domain.denials import ClaimOutcome, claim_outcome, classify_adjustment
from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, apply_event
from ptrcm.domain.money import Money
from ptrcm.errors import InputError, InvariantError
from ptrcm.services import remit_lines as rl
from ptrcm.services.secondary_billing import (
    SecondaryClaim,
    StoreControlNumbers,
    secondary_file,
    secondary_for,
)
from ptrcm.services.underpayments import ContractTerms, check_claim
from ptrcm.store.posting_repo import WorkItem
from ptrcm.store.records import LedgerEntry
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit_model import Adjustment, ClaimPayment, Remittance, RemittanceDocument

if TYPE_CHECKING:
    from ptrcm.store.claim_store import ClaimRecord
    from ptrcm.store.money_in_uow import MoneyInUnitOfWork

EVENTS = {
    ClaimOutcome.PAID: ClaimEvent.PAID_IN_FULL,
    ClaimOutcome.PARTIALLY_PAID: ClaimEvent.PAID_PARTLY,
    ClaimOutcome.DENIED: ClaimEvent.DENIED,
    ClaimOutcome.REVERSED: ClaimEvent.REVERSED,
}


@dataclass(frozen=True, slots=True)
class PostingOptions:
    """Configuration (payer classes, secondary payers) and where secondary claims go."""

    config: Config
    catalog: Catalog
    outbox: Path | None = None


@dataclass(slots=True)
class PostingResult:
    file: str
    sha256: str
    already_posted: bool = False
    transactions: int = 0
    claims: int = 0
    posted: int = 0
    unmatched: int = 0
    unbalanced: int = 0
    reversals: int = 0
    denials: int = 0
    underpayments: int = 0
    paid: Decimal = Decimal("0.00")
    provider_adjustments: Decimal = Decimal("0.00")
    ledger_entries: int = 0
    findings: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    outcomes: list[dict[str, str]] = field(default_factory=list)
    secondary_claims: list[str] = field(default_factory=list)
    outbox_file: str | None = None

    @property
    def needs_attention(self) -> bool:
        return bool(self.unmatched or self.unbalanced or self.exceptions or self.findings)


def read_remittance(path: Path) -> tuple[bytes, RemittanceDocument]:
    """The file's bytes and its 835 model; ``InputError`` when it is not a readable 835."""
    if not path.is_file():
        raise InputError.one(str(path), None, None, "no such file")
    data = path.read_bytes()
    document = read_x12(data, source=str(path))
    if not isinstance(document, RemittanceDocument):
        raise InputError.one(str(path), None, None, f"not an 835 (read as {document.kind})")
    return data, document


def post_remittance(
    unit_of_work: Callable[[], MoneyInUnitOfWork],
    path: str | os.PathLike[str],
    options: PostingOptions,
) -> PostingResult:
    """Post the 835 at ``path`` (see the module docstring for the rules)."""
    p = Path(path)
    data, document = read_remittance(p)
    sha = hashlib.sha256(data).hexdigest()
    result = PostingResult(file=str(path), sha256=sha)
    result.findings = [str(f) for f in document.findings]
    with unit_of_work() as uow:
        if uow.remits.file_id(sha) is not None:
            result.already_posted = True
            return result
        run = _Run(uow, options, result, document, p.name)
        for remit in document.transactions:
            run.post_transaction(remit)
        pending = run.write_secondary()
        uow.commit()
    if pending is not None:
        final = pending.with_name(pending.name.removesuffix(".tmp"))
        os.replace(pending, final)
        result.outbox_file = str(final)
    return result


class _Run:
    """The posting of one file inside one unit of work."""

    def __init__(
        self,
        uow: MoneyInUnitOfWork,
        options: PostingOptions,
        result: PostingResult,
        document: RemittanceDocument,
        name: str,
    ) -> None:
        self.uow, self.options, self.result = uow, options, result
        self.now = uow.clock()
        self.file_id = uow.remits.add_file(name, result.sha256, self.now)
        self.source = f"835 {result.sha256[:16]} {name}"[:255]
        self.claims = uow.claims.by_pcn(c.patient_control_number for c in document.claims)
        self.bad_segments = {
            f.segment for f in document.findings if f.segment_id in ("CLP", "SVC") and f.segment
        }
        self.secondary: list[SecondaryClaim] = []
        self.pending: list[LedgerEntry] = []
        self.contracts: dict[tuple[int, date], ContractTerms] = {}

    def post_transaction(self, remit: Remittance) -> None:
        pay = remit.payment
        self.day = pay.payment_date or remit.production_date or self.now.date()
        self.st = remit.control_number
        self.transaction_id = self.uow.remits.add_transaction(
            self.file_id,
            st_control=remit.control_number[:9],
            trace_number=None if remit.trace is None else remit.trace.number[:50],
            payment_method=pay.method[:3] or None,
            payment_amount=pay.amount.amount,
            payment_date=pay.payment_date,
        )
        self.result.transactions += 1
        for claim in remit.claims:
            post_claim(self, claim)
        self._post_provider_adjustments(remit)
        self.flush()

    def _post_provider_adjustments(self, remit: Remittance) -> None:
        entries = []
        for plb in remit.provider_adjustments:
            for item in plb.items:
                memo = f"PLB {item.reason}" + (f" ref {item.reference}" if item.reference else "")
                entries.append(
                    LedgerEntry(
                        account=rl.PROVIDER,
                        amount=-item.amount.amount,
                        effective_date=self.day,
                        remittance_file_id=self.file_id,
                        source=self.source,
                        segment_ref=f"ST{self.st}/PLB{plb.segment}",
                        memo=memo[:500],
                    )
                )
                self.result.provider_adjustments += item.amount.amount
        self.append(entries)

    def append(self, entries: list[LedgerEntry]) -> None:
        """Buffered: written in bulk by ``flush`` (before any reversal looks entries up)."""
        self.pending.extend(entries)
        self.result.ledger_entries += len(entries)

    def flush(self) -> None:
        self.uow.remits.add_ledger_entries(self.pending)
        self.pending = []

    def exception(self, reason: str, claim_id: int | None, amount: Decimal | None) -> None:
        self.uow.work.add(WorkItem("exception", reason, claim_id, amount))
        self.result.exceptions.append(reason)

    def write_secondary(self) -> Path | None:
        outbox = self.options.outbox
        if not self.secondary or outbox is None:
            return None
        controls = StoreControlNumbers(self.uow)
        text = secondary_file(self.secondary, self.options.config, controls, self.now)
        outbox.mkdir(parents=True, exist_ok=True)
        pending = outbox / f"secondary-{self.result.sha256[:12]}.837p.tmp"
        pending.write_text(text, encoding="ascii")
        self.result.secondary_claims = [s.claim.claim_id for s in self.secondary]
        return pending


def post_claim(run: _Run, claim: ClaimPayment) -> None:
    """Post one CLP: rows, ledger entries, state, queues (a seam tests may patch)."""
    result, uow = run.result, run.uow
    result.claims += 1
    record = run.claims.get(claim.patient_control_number)
    matched = rl.match_lines(record.lines if record else (), claim)
    payment_id, line_ids = _payment_rows(run, claim, record, matched)
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
        found = check_claim(uow, record, matched, line_ids, run.options.config, run.contracts)
        result.underpayments += found
    if not claim.paid.is_zero():
        uow.appeals.link_payment(record.id, payment_id)
    _bill_secondary(run, record, claim, matched)


def _payment_rows(
    run: _Run, claim: ClaimPayment, record: ClaimRecord | None, matched: list[rl.MatchedLine]
) -> tuple[int, list[int]]:
    remits = run.uow.remits
    line_ids: list[int] = []
    ref = f"ST{run.st}/CLP{claim.segment}"
    resp = claim.patient_responsibility
    payment_id = remits.add_claim_payment(
        run.transaction_id,
        claim_id=None if record is None else record.id,
        pcn=claim.patient_control_number[:38],
        payer_claim_number=claim.payer_claim_control_number[:50] or None,
        status_code=claim.status[:2],
        charge_amount=claim.charge.amount,
        paid_amount=claim.paid.amount,
        patient_responsibility=None if resp is None else resp.amount,
        segment_ref=ref,
    )
    adjustments = [_adjustment_row(payment_id, None, a) for a in claim.adjustments]
    remarks = [
        {"claim_payment_id": payment_id, "line_payment_id": None, "rarc": r.code[:6]}
        for r in claim.remarks
    ]
    for item in matched:
        line = item.line
        units = line.units
        line_id = remits.add_line_payment(
            payment_id,
            claim_line_id=None if item.ours is None else item.ours.id,
            code=line.procedure.code[:5],
            modifiers=",".join(line.procedure.modifiers) or None,
            charge_amount=line.charge.amount,
            paid_amount=line.paid.amount,
            units_paid=None if units is None else int(units),
            date_of_service=rl.service_date(line, claim),
            segment_ref=f"{ref}/SVC{line.segment}",
        )
        line_ids.append(line_id)
        adjustments += [_adjustment_row(payment_id, line_id, a) for a in line.adjustments]
        remarks += [
            {"claim_payment_id": payment_id, "line_payment_id": line_id, "rarc": r.code[:6]}
            for r in line.remarks
        ]
    remits.add_adjustments(adjustments)
    remits.add_remarks(remarks)
    return payment_id, line_ids


def _adjustment_row(payment_id: int, line_id: int | None, adj: Adjustment) -> dict[str, object]:
    return {
        "claim_payment_id": payment_id,
        "line_payment_id": line_id,
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
    run.uow.claims.record_transition(record.id, record.version_id, step)
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
    run.uow.work.add(WorkItem("denial", reason, record.id, total, due, top[1]))
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
