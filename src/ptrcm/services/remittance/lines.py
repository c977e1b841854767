"""Pure helpers of remittance posting: matching 835 service lines to our claim lines, and
turning one 835 claim into ledger entries that add up to its amounts exactly.

Matching, in order (each of our lines is used at most once):

1. REF*6R, the line item control number we sent (our claim line number);
2. the procedure code and date of service, when the payer dropped REF*6R or changed a
   modifier (modifiers are not compared); when SVC06 carries the original procedure
   (the payer changed the code) the original code is the one compared;
3. the code alone, when the payer sent no service date at all.

Ties among candidates go to the line with the same modifiers, then the same charge, then
the lowest line number.

Ledger accounts (one entry per amount, signed as the 835 gives it): ``payer_payment``
(SVC03 per line, plus CLP04 minus the lines' payments at claim level), ``adjustment_CO``,
``adjustment_OA``, ``adjustment_PI``, ``adjustment_CR`` (one per CAS triplet),
``patient_responsibility`` (group PR, on the patient's balance). So a balanced claim's
entries sum to its charge (CLP03), and its ``payer_payment`` entries to CLP04.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from ptrcm.domain.ledger import LedgerEntry
from ptrcm.x12.remit835.model import Adjustment, ClaimPayment, ServicePayment

PAYMENT = "payer_payment"
PATIENT = "patient_responsibility"
PROVIDER = "provider_adjustment"
UNAPPLIED = "unapplied_payment"
SERVICE_DATES = ("472", "150")
CLAIM_DATES = ("232", "050")


class OurLine(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def line_number(self) -> int: ...

    @property
    def code(self) -> str: ...

    @property
    def modifiers(self) -> tuple[str, ...]: ...

    @property
    def date_of_service(self) -> date: ...

    @property
    def charge(self) -> Decimal: ...


L = TypeVar("L", bound=OurLine)


@dataclass(frozen=True, slots=True)
class MatchedLine:
    """One 835 service line, the claim line it pays (or None) and how it was found."""

    line: ServicePayment
    ours: OurLine | None
    how: str


def service_date(line: ServicePayment, claim: ClaimPayment) -> date | None:
    """DTM*472 (or 150) of the line, else the claim's statement start date."""
    for qualifiers, dates in ((SERVICE_DATES, line.dates), (CLAIM_DATES, claim.dates)):
        found = next((d.value for d in dates if d.qualifier in qualifiers), None)
        if found is not None:
            return found
    return None


def _best(candidates: list[L], line: ServicePayment) -> L | None:
    if not candidates:
        return None

    def rank(ours: L) -> tuple[bool, bool, int]:
        same_mods = set(ours.modifiers) == set(line.procedure.modifiers)
        return (not same_mods, ours.charge != line.charge.amount, ours.line_number)

    return min(candidates, key=rank)


def match_lines(ours: Sequence[L], claim: ClaimPayment) -> list[MatchedLine]:
    """Each 835 line of ``claim`` with the claim line it pays (see the module docstring)."""
    free = {line.line_number: line for line in ours}
    by_number = dict(free)
    found: list[tuple[L | None, str]] = []
    for line in claim.lines:
        ref = line.control_number
        hit = by_number.get(int(ref)) if ref and ref.isdigit() else None
        if hit is not None and hit.line_number in free:
            del free[hit.line_number]
            found.append((hit, "REF*6R"))
        else:
            found.append((None, ""))
    for index, line in enumerate(claim.lines):
        if found[index][0] is not None:
            continue
        code = (line.original_procedure or line.procedure).code
        how = "original code and date" if line.original_procedure else "code and date"
        day = service_date(line, claim)
        same_code = [o for o in free.values() if o.code == code]
        dated = [o for o in same_code if day is not None and o.date_of_service == day]
        pick = _best(dated, line) if day is not None else _best(same_code, line)
        if pick is not None:
            del free[pick.line_number]
            found[index] = (pick, how if day is not None else "code")
    return [MatchedLine(line, o, how) for line, (o, how) in zip(claim.lines, found, strict=True)]


def adjustment_account(group: str) -> str:
    return PATIENT if group == "PR" else f"adjustment_{group}"


def adjustment_memo(adj: Adjustment, remarks: Sequence[str] = ()) -> str:
    memo = f"{adj.group}-{adj.reason}"
    if adj.quantity is not None:
        memo += f" qty {adj.quantity}"
    if remarks:
        memo += " RARC " + ",".join(remarks)
    return memo


@dataclass(frozen=True, slots=True)
class EntryContext:
    """What every ledger entry of one 835 claim carries besides its amount."""

    effective_date: date
    claim_id: int
    patient_id: int
    payer_id: int
    file_id: int
    source: str
    st: str


def claim_entries(
    claim: ClaimPayment, matched: Sequence[MatchedLine], ctx: EntryContext
) -> list[LedgerEntry]:
    """Ledger entries of one matched, balanced 835 claim (amounts exactly as sent)."""
    claim_ref = f"ST{ctx.st}/CLP{claim.segment}"
    out: list[LedgerEntry] = []
    for item in matched:
        line = item.line
        ref = f"{claim_ref}/SVC{line.segment}"
        line_id = None if item.ours is None else item.ours.id
        codes = tuple(r.code for r in line.remarks)
        if not line.paid.is_zero():
            memo = f"SVC {line.procedure.code} paid"
            out.append(_entry(ctx, PAYMENT, line.paid.amount, line_id, ref, memo))
        for adj in line.adjustments:
            account = adjustment_account(adj.group)
            memo = adjustment_memo(adj, codes)
            out.append(_entry(ctx, account, adj.amount.amount, line_id, ref, memo))
    residual = claim.paid.amount - sum((m.line.paid.amount for m in matched), Decimal("0.00"))
    if residual != 0:
        memo = f"CLP02 {claim.status} claim-level payment"
        out.append(_entry(ctx, PAYMENT, residual, None, claim_ref, memo))
    remarks = tuple(r.code for r in claim.remarks)
    for adj in claim.adjustments:
        account = adjustment_account(adj.group)
        memo = adjustment_memo(adj, remarks)
        out.append(_entry(ctx, account, adj.amount.amount, None, claim_ref, memo))
    return out


def _entry(
    ctx: EntryContext,
    account: str,
    amount: Decimal,
    line_id: int | None,
    ref: str,
    memo: str,
) -> LedgerEntry:
    return LedgerEntry(
        account=account,
        amount=amount,
        effective_date=ctx.effective_date,
        patient_id=ctx.patient_id if account == PATIENT else None,
        payer_id=ctx.payer_id,
        claim_id=ctx.claim_id,
        claim_line_id=line_id,
        remittance_file_id=ctx.file_id,
        source=ctx.source,
        segment_ref=ref,
        memo=memo,
    )


def link_reversals(
    entries: Sequence[LedgerEntry], open_entries: Sequence[dict[str, Any]]
) -> list[LedgerEntry]:
    """Each reversal entry pointed at the latest open entry it undoes: same account, same
    claim line, opposite amount. Entries with no such original stay unlinked."""
    pool = list(reversed(open_entries))
    out = []
    for entry in entries:
        hit = next(
            (
                o
                for o in pool
                if o["account"] == entry.account
                and o["claim_line_id"] == entry.claim_line_id
                and o["amount"] == -entry.amount
            ),
            None,
        )
        if hit is None:
            out.append(entry)
            continue
        pool.remove(hit)
        out.append(replace(entry, reverses_entry_id=int(hit["id"])))
    return out


def all_adjustments(claim: ClaimPayment) -> list[Adjustment]:
    return [*claim.adjustments, *(a for line in claim.lines for a in line.adjustments)]
