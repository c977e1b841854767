"""Post an 835 remittance into the store: payments, every adjustment, reversals, provider
adjustments, work queues, claim states and secondary claims — one file, one transaction.

The flow, top to bottom: ``post_remittance`` scans the file, takes the organization's
posting lock, and for each transaction set that is not a duplicate posts each claim with
``ptrcm.services.remittance.claim_posting.post_claim`` into a ``PostingBatch``
(``ptrcm.services.remittance.batch``), which writes a batch of claims at a time. Rules:

* Posted once: a file whose SHA-256 this organization already posted changes nothing
  (``already_posted``). A payment or claim payment posted before under another file (a
  re-sent, re-enveloped or repeated copy; identities in ``ptrcm.services.remittance.identity``)
  posts no money: it becomes an ``exception`` work item naming the original posting.
* Serialized: postings of one organization wait for each other
  (``MoneyInUnitOfWork.serialize_posting``), so two copies posted at once are still
  posted once; the second finds the first "already posted". A unique key on the payment's
  identity backs it.
* Fast and flat: the file is read a chunk of claims at a time (``RemittanceSource``:
  ``CLAIMS_PER_FLUSH`` claims held at once, whatever the file's size); each chunk's
  stored claims and earlier claim payments are looked up in bulk by patient control
  number, and its rows written one statement per table.
* Atomic: everything is written in one unit of work and committed once, at the end. A
  failure midway rolls the whole file back; the secondary 837 is written to a temporary
  name and renamed into the outbox only after the commit.
* One bad claim never rejects the file: a claim whose patient control number is not ours
  goes to the ``exception`` queue (its payment to ``unapplied_payment``); a claim the
  reader found unbalanced goes to the ``exception`` queue with the finding and is not
  posted to the ledger; a claim whose state cannot take the 835's decision (a second
  ``paid``, say) is posted and flagged in the ``exception`` queue.
* Reversals (CLP02 = 22) are new entries with the 835's negative amounts, each naming
  the entry it reverses (``reverses_entry_id``); nothing is ever edited.
* PLB amounts go to ``provider_adjustment`` with their reason and reference, signed as
  their effect on the payment (a PLB of 25.00 withheld is -25.00), so per transaction
  ``payer_payment`` + ``unapplied_payment`` + ``provider_adjustment`` = BPR02.
* Denials (classified by ``domain.denials``) go to the ``denial`` queue with their dollars
  and the appeal deadline (``domain.deadlines``, from the remittance date); a payment of a
  claim with a pending or won appeal answers it (``services.appeals.recover_appeals``).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.codes import Catalog
from ptrcm.domain.denials import ClaimOutcome
from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.stored_claims import ClaimRecord
from ptrcm.domain.work_queue import WorkItem
from ptrcm.errors import InputError
from ptrcm.services.money_in_ports import MoneyInUnitOfWork, MoneyInWork
from ptrcm.services.remittance import lines as rl
from ptrcm.services.remittance.batch import PostingBatch
from ptrcm.services.remittance.claim_posting import ClaimContext, PostedClaim, post_claim
from ptrcm.services.remittance.identity import (
    PostedRegister,
    describe_claim,
    describe_payment,
    is_reversal,
    payer_key,
)
from ptrcm.services.remittance.secondary import (
    SecondaryClaim,
    SecondaryLookup,
    StoreControlNumbers,
    secondary_file,
    secondary_for,
)
from ptrcm.services.remittance.underpayments import ContractTerms, check_claim, same_day_lines
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835.model import ClaimPayment, Remittance, RemittanceDocument
from ptrcm.x12.remit835.stream import SetClaims, SetStart
from ptrcm.x12.remittance_file import RemittanceSource

# Claims written per flush: the store splits its own IN lists, so this is a batching
# choice of posting (one multi-row write per table and flush), not a database bound.
CLAIMS_PER_FLUSH = 500
# Claims posted between two refreshes of the read model (claim facts) inside the file's
# transaction: the claims to refresh at the commit are never more than these.
CLAIMS_PER_REFRESH = 10_000
# New objects (net of those freed) between two young passes of the garbage collector while
# a file posts: more than a chunk of claims holds (see ``_collector_relaxed``).
POSTING_GC_THRESHOLD = 20_000


__all__ = ["PostingOptions", "PostingResult", "post_remittance", "read_remittance"]


@dataclass(frozen=True, slots=True)
class PostingOptions:
    """Configuration (payer classes, secondary payers) and where secondary claims go."""

    config: Config
    catalog: Catalog
    outbox: Path | None = None
    # Keep each claim's outcome in ``PostingResult.outcomes`` (what ``ptrcm remit post
    # --format json`` prints); a caller that does not show them keeps memory flat.
    outcomes: bool = True


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
    duplicates: list[str] = field(default_factory=list)  # also in ``exceptions``
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


def open_remittance(path: Path) -> RemittanceSource:
    """The 835 at ``path`` ready to be read as events (streamed when it can be);
    ``InputError`` when it is missing or not an 835, ``X12Error`` when unreadable."""
    if not path.is_file():
        raise InputError.one(str(path), None, None, "no such file")
    source = RemittanceSource.open(path)
    document = source.document
    if document is not None and not isinstance(document, RemittanceDocument):
        raise InputError.one(str(path), None, None, f"not an 835 (read as {document.kind})")
    return source


def post_remittance(
    unit_of_work: MoneyInWork,
    path: str | os.PathLike[str],
    options: PostingOptions,
) -> PostingResult:
    """Post the 835 at ``path`` (see the module docstring for the rules)."""
    p = Path(path)
    source = open_remittance(p)
    result = PostingResult(file=str(path), sha256=source.sha256)
    with _collector_relaxed(), unit_of_work() as uow:
        uow.serialize_posting()
        if uow.remits.file_id(source.sha256) is not None:
            for _ in source.events(CLAIMS_PER_FLUSH):  # read only for its findings
                pass
            result.findings = [str(f) for f in source.findings]
            result.already_posted = True
            return result
        posting = _FilePosting(uow, options, result, source, p.name)
        for event in source.events(CLAIMS_PER_FLUSH):
            if isinstance(event, SetClaims):
                posting.post_claims(event.claims)
            elif isinstance(event, SetStart):
                posting.begin_transaction(event.head)
            else:
                posting.end_transaction(event.remit)
        result.findings = [str(f) for f in source.findings]
        posting.flush()  # a duplicate transaction's exception item
        pending = posting.write_secondary()
        uow.commit()
    if pending is not None:
        final = pending.with_name(pending.name.removesuffix(".tmp"))
        os.replace(pending, final)
        result.outbox_file = str(final)
    return result


@contextmanager
def _collector_relaxed() -> Iterator[None]:
    """Run the cyclic garbage collector's young passes less often while a file posts.

    A chunk of claims holds tens of thousands of small objects (claims, rows, ledger
    entries) until it is written. With Python's default threshold (a pass per 700 new
    objects) the collector walks them again and again and promotes them to the old
    generation, whose full passes over the whole program follow: measured 0.47 s of 3.4 s
    of CPU on a 10,000-claim file, 0.004 s with ``POSTING_GC_THRESHOLD``. Cycles are still
    collected, only later: what waits is bounded by the threshold. Two postings at once in
    one process may leave the higher threshold set, which costs nothing but the same."""
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], POSTING_GC_THRESHOLD), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


class _FilePosting:
    """The posting of one file inside one unit of work (this module's own state), fed a
    transaction set at a time and, inside it, a chunk of claims at a time: nothing it
    holds grows with the file but the counts, the exceptions and (with
    ``PostingOptions.outcomes``) the outcome of each claim."""

    def __init__(
        self,
        uow: MoneyInUnitOfWork,
        options: PostingOptions,
        result: PostingResult,
        source: RemittanceSource,
        name: str,
    ) -> None:
        self.uow, self.options, self.result, self.name = uow, options, result, name
        self.source_file = source
        self.now = uow.clock()
        self.file_id = uow.remits.add_file(name, result.sha256, self.now)
        self.source = f"835 {result.sha256[:16]} {name}"[:255]
        self.claims: dict[str, ClaimRecord] = {}  # the chunk's stored claims by PCN
        self.register = PostedRegister.from_store(uow.remits.posted_payments(source.traces), ())
        self.unbalanced: set[str] = set()  # segment refs of this file's unbalanced claims
        self.secondary: list[SecondaryClaim] = []
        self.lookup = SecondaryLookup(uow)
        self.batch = PostingBatch()
        self.contracts: dict[tuple[int, date], ContractTerms] = {}
        self.expectations: dict[Any, Any] = {}  # expected amounts by contract and lines
        self.ctx: ClaimContext | None = None  # None while the open set is a duplicate
        self.set_claims = 0
        self.original: str | None = None  # where the open set was posted before
        self.unrefreshed = 0  # claims posted since the read model was last refreshed

    def begin_transaction(self, remit: Remittance) -> None:
        """A transaction set's header: its payment (unless posted before)."""
        self.ctx, self.set_claims = None, 0
        self.original = self.register.payment_duplicate(remit)
        if self.original is not None:
            return
        pay = remit.payment
        day = pay.payment_date or remit.production_date or self.now.date()
        transaction_id = self.uow.remits.add_transaction(
            self.file_id,
            st_control=remit.control_number[:9],
            trace_number=None if remit.trace is None else remit.trace.number[:50],
            payment_method=pay.method[:3] or None,
            payment_amount=pay.amount.amount,
            payment_date=pay.payment_date,
            payer_key=payer_key(remit),
        )
        self.register.add_payment(remit, f"{self.name} ST{remit.control_number}")
        self.result.transactions += 1
        self.ctx = ClaimContext(
            self.options.config, self.file_id, transaction_id, remit.control_number,
            self.source, f"835 {self.result.sha256[:12]}", day, self.now, self.uow.actor,
        )  # fmt: skip

    def post_claims(self, claims: Sequence[ClaimPayment]) -> None:
        """The next claims of the open set: the stored claims and the claim payments
        already posted for their PCNs are read for them alone, after the held rows of
        the claims before them were written."""
        self.result.claims += len(claims)
        self.set_claims += len(claims)
        ctx = self.ctx
        if ctx is None:
            return  # the set's payment was posted before: its claims are not posted again
        self.flush()
        self.unrefreshed += len(claims)
        if self.unrefreshed > CLAIMS_PER_REFRESH:
            self.uow.refresh_read_model()
            self.unrefreshed = len(claims)
        pcns = [c.patient_control_number for c in claims]
        self.claims = self.uow.claims.by_pcn(pcns)
        self.register.load_claims(
            self.uow.remits.posted_claim_payments(pcns), (self.file_id, self.name),
            self.unbalanced,
        )  # fmt: skip
        if self.options.outbox is not None:  # the claims that may bill a secondary
            owing = [self.claims.get(c.patient_control_number) for c in claims if _owed(c)]
            self.lookup.prefetch([r for r in owing if r is not None])
        bad = self.source_file.bad_segments
        for claim in claims:
            self._post_claim(claim, ctx, bad)
            if len(self.batch) >= CLAIMS_PER_FLUSH:
                self.flush()

    def end_transaction(self, remit: Remittance) -> None:
        """The set's SE: its PLB, or the exception of a set posted before."""
        ctx = self.ctx
        if ctx is None:  # the set's payment was posted before (``self.original``)
            reason = (
                f"{describe_payment(remit)} already posted from {self.original};"
                f" its {self.set_claims} claims not posted again"
            )
            self._duplicate(reason, None, remit.payment.amount.amount)
            return
        self._post_provider_adjustments(remit, ctx)
        self.flush()

    def _post_claim(self, claim: ClaimPayment, ctx: ClaimContext, bad: set[int]) -> None:
        original = self.register.claim_duplicate(claim)
        record = self.claims.get(claim.patient_control_number)
        if original is not None:
            reason = f"{describe_claim(claim)} already posted from {original}; not posted again"
            self._duplicate(reason, None if record is None else record.id, claim.paid.amount)
            return
        open_entries: Sequence[dict[str, Any]] = ()
        if record is not None and is_reversal(claim):
            self.flush()  # the entries it undoes may still be in the batch
            open_entries = self.uow.remits.open_payment_entries(record.id)
        balanced = claim.segment not in bad and not any(ln.segment in bad for ln in claim.lines)
        posted = post_claim(claim, record, ctx, self.batch, open_entries, balanced=balanced)
        ref = f"ST{ctx.st}/CLP{claim.segment}"
        if posted.kind != "unbalanced":
            self.register.add_claim(claim, f"{self.name} {ref}")
        else:
            self.unbalanced.add(ref)
        self._count(claim, posted)
        if posted.record is not None:
            self.claims[posted.record.pcn] = posted.record
        moved = posted.record
        if posted.kind == "posted" and moved and posted.outcome is not ClaimOutcome.REVERSED:
            self._bill_secondary(moved, claim, posted.matched, ctx.day)

    def _count(self, claim: ClaimPayment, posted: PostedClaim) -> None:
        result = self.result
        result.exceptions.extend(posted.exceptions)
        if posted.kind == "unmatched":
            result.unmatched += 1
            return
        if posted.kind == "unbalanced" or posted.record is None or posted.outcome is None:
            result.unbalanced += 1
            return
        result.posted += 1
        result.paid += claim.paid.amount
        result.reversals += posted.outcome is ClaimOutcome.REVERSED
        result.denials += posted.denied
        if not self.options.outcomes:
            return
        result.outcomes.append(
            {
                "pcn": claim.patient_control_number,
                "claim_id": str(posted.record.id),
                "outcome": posted.outcome.value,
                "paid": str(claim.paid),
            }
        )

    def _duplicate(self, reason: str, claim_id: int | None, amount: Decimal) -> None:
        self.batch.work.append(WorkItem("exception", reason, claim_id, amount))
        self.result.exceptions.append(reason)
        self.result.duplicates.append(reason)

    def _post_provider_adjustments(self, remit: Remittance, ctx: ClaimContext) -> None:
        entries = []
        for plb in remit.provider_adjustments:
            for item in plb.items:
                memo = f"PLB {item.reason}" + (f" ref {item.reference}" if item.reference else "")
                entries.append(
                    LedgerEntry(
                        account=rl.PROVIDER,
                        amount=-item.amount.amount,
                        effective_date=ctx.day,
                        remittance_file_id=self.file_id,
                        source=self.source,
                        segment_ref=f"ST{ctx.st}/PLB{plb.segment}",
                        memo=memo[:500],
                    )
                )
                self.result.provider_adjustments += item.amount.amount
        self.batch.append(entries)

    def flush(self) -> None:
        """Write the held rows of the claims posted so far (one statement per table)."""
        self.result.underpayments += self.batch.flush(self.uow, self._check)
        self.result.ledger_entries = self.batch.ledger_entries

    def _check(
        self, posted: Sequence[tuple[ClaimRecord, Sequence[rl.MatchedLine], Sequence[int]]]
    ) -> int:
        config = self.options.config
        others = same_day_lines(self.uow, [record for record, _, _ in posted])
        return sum(
            check_claim(
                self.uow,
                record,
                matched,
                line_ids,
                config,
                self.contracts,
                others.get(record.id, ()),
                self.expectations,
            )
            for record, matched, line_ids in posted
        )

    def _bill_secondary(self, record: ClaimRecord, claim: ClaimPayment,
                        matched: Sequence[rl.MatchedLine], day: date) -> None:  # fmt: skip
        if self.options.outbox is None or not _owed(claim):
            return
        config, catalog = self.options.config, self.options.catalog
        found = secondary_for(
            self.uow, record, claim, list(matched), day, config, catalog, self.lookup
        )
        if isinstance(found, str):
            self.batch.work.append(WorkItem("exception", found, record.id, None))
            self.result.exceptions.append(found)
        elif found is not None:
            self.secondary.append(found)

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


def _owed(claim: ClaimPayment) -> bool:
    """True when the payer left the patient a share (what a secondary may cover)."""
    owed = sum((a.amount.amount for a in rl.all_adjustments(claim) if a.group == "PR"), Decimal(0))
    return owed > 0
