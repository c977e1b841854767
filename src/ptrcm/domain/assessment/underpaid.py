"""Underpayments in an assessment: each paid line's allowed amount against the expected one.

* Lines checked: lines of CLPs that are not reversals, with no denial adjustment, and
  something paid or allowed.
* Allowed: AMT*B6 when the payer sent it, else paid + patient responsibility (group PR) +
  sequestration (CO-253), as the posting's underpayment check does.
* Expected: ``domain.contracts.expected_allowed`` under the payer class's default contract
  (MPPR and CQ/CO for Medicare and Medicare Advantage), with the supplied fee schedule or
  Medicare's national PFS amounts; MPPR counts the patient's lines of the same day on that
  payer's other claims in the files.
* A line is underpaid when it was allowed at least one cent less than expected. Lines
  whose code is not on the schedule, or with no date of service, or of an unknown payer
  class, are counted as not priced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ptrcm.domain.assessment.records import UNKNOWN_CLASS, AnsweredClaim, AnsweredLine
from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.contracts import Contract, default_contract, expected_allowed
from ptrcm.domain.denials import AdjustmentKind, classify_adjustment
from ptrcm.domain.fees import FeeSchedule
from ptrcm.domain.money import Money, sum_money

SEQUESTRATION_CARC = "253"


@dataclass(frozen=True, slots=True)
class Underpaid:
    source: str
    payer: str
    pcn: str
    code: str
    service_date: date
    units: int
    expected: Money
    allowed: Money

    @property
    def variance(self) -> Money:
        return self.expected - self.allowed


@dataclass(frozen=True, slots=True)
class Underpayments:
    checked: int  # lines considered
    priced: int  # ... with an expected amount
    not_priced: int
    items: tuple[Underpaid, ...]
    schedule: str

    @property
    def total(self) -> Money:
        return sum_money(i.variance for i in self.items)


def _has_denial(line: AnsweredLine) -> bool:
    return any(
        classify_adjustment(a.group, a.carc, a.rarcs).kind is AdjustmentKind.DENIAL
        for a in line.adjustments
    )


def allowed_of(line: AnsweredLine) -> Money:
    if line.allowed is not None:
        return line.allowed
    extra = [a.amount for a in line.adjustments if a.group == "PR"]
    extra += [
        a.amount for a in line.adjustments if a.group == "CO" and a.carc == SEQUESTRATION_CARC
    ]
    return line.paid + sum_money(extra)


def _claim_lines(claim: AnsweredClaim) -> list[tuple[AnsweredLine, ClaimLine | None]]:
    out: list[tuple[AnsweredLine, ClaimLine | None]] = []
    for number, line in enumerate(claim.lines, start=1):
        day = line.service_date or claim.service_date
        if day is None:
            out.append((line, None))
            continue
        units = max(line.units, 1)
        out.append(
            (
                line,
                ClaimLine(number, day, line.code, line.modifiers, units, units, line.charge, (1,)),
            )
        )
    return out


def underpayments(claims: Sequence[AnsweredClaim], schedule: FeeSchedule | None) -> Underpayments:
    live = [c for c in claims if not c.is_reversal]
    contracts: dict[tuple[str, str], Contract] = {}
    built = {c.order: _claim_lines(c) for c in live}
    day_index: dict[tuple[str, str, date], list[tuple[int, ClaimLine]]] = defaultdict(list)
    for claim in live:
        for _, cl in built[claim.order]:
            if cl is not None:
                day_index[(claim.payer_key, claim.patient_key, cl.date_of_service)].append(
                    (claim.order, cl)
                )
    checked = priced = not_priced = 0
    found: list[Underpaid] = []
    for claim in sorted(live, key=lambda c: c.order):
        pairs = [
            (line, cl)
            for line, cl in built[claim.order]
            if not _has_denial(line) and (line.paid.amount > 0 or line.allowed is not None)
        ]
        checked += len(pairs)
        key = (claim.payer_key, claim.payer_class)
        if claim.payer_class == UNKNOWN_CLASS:
            not_priced += len(pairs)
            continue
        contract = contracts.get(key)
        if contract is None:
            contract = contracts[key] = default_contract(
                claim.payer_key, claim.payer_class, schedule
            )
        table = contract.fee_schedule
        usable = []
        for line, cl in pairs:
            if (
                cl is None
                or table is None
                or table.rates_for(cl.date_of_service).get(cl.code) is None
            ):
                not_priced += 1
            else:
                usable.append((line, cl))
        priced += len(usable)
        if not usable:
            continue
        mine = [cl for _, cl in built[claim.order] if cl is not None]
        others = [
            other
            for cl in mine
            for order, other in day_index[(claim.payer_key, claim.patient_key, cl.date_of_service)]
            if order != claim.order
        ]
        expected = {e.line_number: e for e in expected_allowed(mine, contract, others)}
        for line, cl in usable:
            want = expected[cl.line_number].allowed
            got = allowed_of(line)
            if (want - got).amount >= Money.of("0.01").amount:
                found.append(
                    Underpaid(
                        claim.source,
                        claim.payer,
                        claim.pcn,
                        cl.code,
                        cl.date_of_service,
                        cl.units,
                        want,
                        got,
                    )
                )
    name = schedule.name if schedule is not None else "Medicare national PFS (default)"
    return Underpayments(checked, priced, not_priced, tuple(found), name)
