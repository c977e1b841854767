"""Post an 835 remittance into the store: payments, every adjustment, reversals, provider
adjustments, work queues, claim states and secondary claims — one file, one transaction.

Rules (the matching and ledger accounts are in ``ptrcm.services.remit_lines``):

* Idempotent: a file whose SHA-256 this organization already posted changes nothing and
  the result says so (``already_posted``); the unique (org, sha256) constraint backs it.
* Fast: a chunk of claims is gathered in memory and written one statement per table
  (``ptrcm.services.posting_rows``); claims are looked up in bulk by patient control
  number, once per file.
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ptrcm.config import Config
from ptrcm.domain.codes import Catalog
from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.work_queue import WorkItem
from ptrcm.errors import InputError
from ptrcm.services import remit_lines as rl
from ptrcm.services.posting_claim import post_claim
from ptrcm.services.posting_rows import PendingRows
from ptrcm.services.secondary_billing import SecondaryClaim, StoreControlNumbers, secondary_file
from ptrcm.services.underpayments import ContractTerms, check_claim
from ptrcm.store.scoped import CHUNK
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit_model import Remittance, RemittanceDocument

if TYPE_CHECKING:
    from ptrcm.domain.stored_claims import ClaimRecord
    from ptrcm.store.money_in_uow import MoneyInUnitOfWork

__all__ = ["PostingOptions", "PostingResult", "post_claim", "post_remittance", "read_remittance"]


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
        self.rows = PendingRows()
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
            if len(self.rows) >= CHUNK:
                self.flush()
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
        """Held: written in bulk by ``flush`` (before any reversal looks entries up)."""
        self.rows.ledger.extend(entries)
        self.result.ledger_entries += len(entries)

    def flush(self) -> None:
        """Write the held rows of the claims posted so far (one statement per table)."""
        self.result.underpayments += self.rows.flush(self.uow, self._check)

    def _check(self, record: ClaimRecord, matched: Sequence[rl.MatchedLine],
               line_ids: Sequence[int]) -> int:  # fmt: skip
        config = self.options.config
        return check_claim(self.uow, record, matched, line_ids, config, self.contracts)

    def exception(self, reason: str, claim_id: int | None, amount: Decimal | None) -> None:
        self.rows.work.append(WorkItem("exception", reason, claim_id, amount))
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
