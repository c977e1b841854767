"""Volumes, the initial denial rate, denial reasons and the four denial classes.

Definitions (docs/assess.md):

* **Volumes** by payer and month of the remittance date (BPR16, else DTM*405): claims
  answered (CLPs that are not reversals), their billed charges (CLP03), and net paid
  (CLP04 of every CLP, reversals' negative amounts included).
* **Initial denial rate**: of each claim's first answer as primary (CLP02 1, 4 or 19; the
  first by remittance date, then file order, per payer and CLP01), the share with at
  least one denial adjustment (``claim_outcome`` denied or partially paid). The share
  denied in full is given beside it.
* **Denials**: every CAS adjustment of kind ``denial`` (``domain.denials``) on a CLP that
  is not a reversal, at claim and line level; count = adjustments, dollars = their sum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ptrcm.domain.assessment.classify import DenialClass, PreventionTable, judge
from ptrcm.domain.assessment.records import PRIMARY_STATUSES, AnsweredClaim
from ptrcm.domain.deadlines import days_remaining
from ptrcm.domain.denials import (
    ClaimOutcome,
    ReasonCodes,
    claim_outcome,
    classify_adjustment,
    load_reason_codes,
)
from ptrcm.domain.money import Money, sum_money

UNDATED = "undated"


@dataclass(frozen=True, slots=True)
class VolumeRow:
    payer: str
    month: str  # YYYY-MM of the remittance date, or "undated"
    claims: int
    charged: Money
    paid: Money


@dataclass(frozen=True, slots=True)
class FirstPass:
    adjudicated: int  # claims with a first answer as primary
    with_denial: int  # ... of which at least one line or the claim was denied
    denied_in_full: int

    @property
    def denial_rate(self) -> Decimal | None:
        return None if not self.adjudicated else Decimal(self.with_denial) / self.adjudicated

    @property
    def clean_rate(self) -> Decimal | None:
        rate = self.denial_rate
        return None if rate is None else 1 - rate


@dataclass(frozen=True, slots=True)
class DenialItem:
    """One denial adjustment, classified: the evidence behind every class total."""

    source: str
    payer: str
    payer_class: str
    pcn: str
    code: str | None  # the line's procedure code; None for a claim-level adjustment
    group: str
    carc: str
    rarcs: tuple[str, ...]
    amount: Money
    category: str
    klass: DenialClass
    rule: str | None
    appeal_due: date | None
    appeal_days_left: int | None


@dataclass(frozen=True, slots=True)
class ReasonRow:
    group: str
    carc: str
    description: str
    remarks: tuple[tuple[str, str], ...]  # (RARC, words) seen with this reason
    category: str
    count: int
    dollars: Money


@dataclass(frozen=True, slots=True)
class ClassRow:
    klass: DenialClass
    count: int
    dollars: Money
    by_rule: tuple[tuple[str, int, Money], ...]  # preventable: rule id, count, dollars
    open_window_count: int  # appealable: window not yet closed on the as-of day
    open_window_dollars: Money


def month_of(day: date | None) -> str:
    return UNDATED if day is None else f"{day.year:04d}-{day.month:02d}"


def volumes(claims: Iterable[AnsweredClaim]) -> tuple[VolumeRow, ...]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    charged: dict[tuple[str, str], list[Money]] = defaultdict(list)
    paid: dict[tuple[str, str], list[Money]] = defaultdict(list)
    for claim in claims:
        key = (claim.payer, month_of(claim.paid_on))
        paid[key].append(claim.paid)
        if not claim.is_reversal:
            counts[key] += 1
            charged[key].append(claim.charge)
    return tuple(
        VolumeRow(
            payer,
            month,
            counts[(payer, month)],
            sum_money(charged[(payer, month)]),
            sum_money(paid[(payer, month)]),
        )
        for payer, month in sorted(paid)
    )


def first_answers(claims: Sequence[AnsweredClaim]) -> tuple[AnsweredClaim, ...]:
    """Each claim's first answer as primary, per payer and CLP01."""
    ordered = sorted(claims, key=lambda c: (c.paid_on or date.min, c.order))
    seen: set[tuple[str, str]] = set()
    out = []
    for claim in ordered:
        if claim.is_reversal or claim.status not in PRIMARY_STATUSES:
            continue
        key = (claim.payer_key, claim.pcn)
        if key not in seen:
            seen.add(key)
            out.append(claim)
    return tuple(out)


def first_pass(claims: Sequence[AnsweredClaim]) -> FirstPass:
    adjudicated = with_denial = full = 0
    for claim in first_answers(claims):
        adjudicated += 1
        every = [a for _, a in claim.all_adjustments()]
        outcome = claim_outcome(claim.status, claim.paid, every)
        if outcome in (ClaimOutcome.DENIED, ClaimOutcome.PARTIALLY_PAID):
            with_denial += 1
        if outcome is ClaimOutcome.DENIED:
            full += 1
    return FirstPass(adjudicated, with_denial, full)


def denial_items(
    claims: Iterable[AnsweredClaim],
    as_of: date,
    table: PreventionTable | None = None,
    codes: ReasonCodes | None = None,
) -> tuple[DenialItem, ...]:
    codes = codes or load_reason_codes()
    items = []
    for claim in sorted(claims, key=lambda c: c.order):
        if claim.is_reversal:
            continue
        for line, adj in claim.all_adjustments():
            modifiers = line.modifiers if line is not None else ()
            found = classify_adjustment(
                adj.group, adj.carc, adj.rarcs, line_modifiers=modifiers, codes=codes
            )
            if not found.is_denial:
                continue
            verdict = judge(found, claim.payer_class, claim.paid_on, table)
            due = verdict.appeal_due
            items.append(
                DenialItem(
                    claim.source,
                    claim.payer,
                    claim.payer_class,
                    claim.pcn,
                    None if line is None else line.code,
                    found.group,
                    found.carc,
                    found.rarcs,
                    adj.amount,
                    str(found.category),
                    verdict.klass,
                    verdict.rule,
                    due,
                    None if due is None else days_remaining(due, as_of),
                )
            )
    return tuple(items)


def reasons(items: Iterable[DenialItem], codes: ReasonCodes | None = None) -> tuple[ReasonRow, ...]:
    """Denials by group and CARC, most dollars first (then most, then code)."""
    codes = codes or load_reason_codes()
    grouped: dict[tuple[str, str], list[DenialItem]] = defaultdict(list)
    for item in items:
        grouped[(item.group, item.carc)].append(item)
    rows = []
    for (group, carc), found in grouped.items():
        info = codes.carcs.get(carc)
        remarks = sorted({r for item in found for r in item.rarcs})
        words = tuple((r, codes.rarcs[r].description if r in codes.rarcs else "") for r in remarks)
        rows.append(
            ReasonRow(
                group,
                carc,
                info.description if info else "not in the CARC table",
                words,
                found[0].category,
                len(found),
                sum_money(i.amount for i in found),
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.dollars.amount, -r.count, r.group, r.carc)))


def classes(items: Sequence[DenialItem]) -> tuple[ClassRow, ...]:
    out = []
    for klass in DenialClass:
        found = [i for i in items if i.klass is klass]
        rules: dict[str, list[DenialItem]] = defaultdict(list)
        for item in found:
            if item.rule is not None:
                rules[item.rule].append(item)
        by_rule = tuple(
            (rule, len(rows), sum_money(r.amount for r in rows))
            for rule, rows in sorted(rules.items())
        )
        still_open = [
            i for i in found if i.appeal_days_left is not None and i.appeal_days_left >= 0
        ]
        out.append(
            ClassRow(
                klass,
                len(found),
                sum_money(i.amount for i in found),
                by_rule,
                len(still_open),
                sum_money(i.amount for i in still_open),
            )
        )
    return tuple(out)
