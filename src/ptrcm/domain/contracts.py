"""Expected payment: what a payer should allow and pay for a claim (reference §6).

A ``Contract`` holds the payer's side: the basis (fee schedule or a percentage of
charges), the multiple procedure payment reduction (MPPR), the CQ/CO assistant reduction
and sequestration. The patient's side (deductible, coinsurance, copay, out-of-pocket cap)
is ``cost_sharing.PatientTerms``. The order of operations and the rounding points are
written down in docs/expected-payment.md:

    schedule x units -> MPPR -> CQ/CO -> lesser of charge -> round (allowed, once per line)
    -> deductible -> copay -> coinsurance -> out-of-pocket cap -> sequestration (payment)

Every term is recorded as a ``Step``, so an expected amount can always be explained.
This module prices the lines; ``claim_payment`` adds the patient's terms and
sequestration for a whole claim.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.cost_sharing import check_rate
from ptrcm.domain.fees import FeeSchedule, default_fee_schedule
from ptrcm.domain.money import Money, round_cents
from ptrcm.domain.pfs import PfsYear, pfs_for, pfs_years, substitution_note
from ptrcm.domain.sequestration import MEDICARE_SCHEDULE, rate_on
from ptrcm.domain.trace import Step

ASSISTANT_MODIFIERS = frozenset({"CQ", "CO"})
ASSISTANT_RATE = Decimal("0.85")
ASSISTANT_EFFECTIVE = date(2022, 1, 1)
MPPR_PE_REDUCTION = Decimal("0.50")
MEDICARE_CLASSES = frozenset({"medicare", "medicare_advantage"})

SOURCE_MPPR = (
    "therapy MPPR (MCPM ch. 5 §10.7; CMS: the day's highest-PE unit in full, 50% of the PE"
    " of every other unit, across claims and disciplines); PE share = PE RVU / total RVU"
)
SOURCE_ASSISTANT = "reference §3 CQ/CO: 85% of the allowed amount after MPPR, from 2022"
SOURCE_LESSER = "contract: allowed is at most the billed charge"
SOURCE_ROUND = "round_cents, once per line"
SOURCE_SEQUESTRATION = (
    "sequestration on the payment by date of service (domain.sequestration: BCA 2011,"
    " CARES Act §3709, Pub. L. 117-71) or the contract's rate"
)


class Basis(StrEnum):
    FEE_SCHEDULE = "fee_schedule"
    PERCENT_OF_CHARGES = "percent_of_charges"


@dataclass(frozen=True, slots=True)
class Contract:
    """A payer's payment terms. Exactly one of ``fee_schedule`` and ``percent_of_charges``.

    MPPR needs each code's practice-expense (PE) share of its per-unit amount and whether
    the reduction applies to it. ``relative_values`` (CMS PFS years, ``domain.pfs``) give
    both for the date of service: PE RVU / total RVU, and the file's MULT PROC indicator
    5. ``pe_shares`` overrides the share of a code and ``always_therapy`` lists the codes
    MPPR applies to when no PFS row says. ``default_contract`` fills them from package
    data.
    """

    payer_id: str
    payer_class: str
    fee_schedule: FeeSchedule | None = None
    percent_of_charges: Decimal | None = None
    mppr: bool = False
    mppr_pe_reduction: Decimal = MPPR_PE_REDUCTION
    assistant_reduction: bool = False
    assistant_rate: Decimal = ASSISTANT_RATE
    assistant_effective: date = ASSISTANT_EFFECTIVE
    sequestration_rate: Decimal = Decimal("0")
    # When set, the rate by date of service (domain.sequestration); replaces the rate.
    sequestration_schedule: tuple[tuple[date, Decimal], ...] = ()
    lesser_of_charge: bool = True
    pe_shares: Mapping[str, Decimal] = field(default_factory=dict)
    always_therapy: frozenset[str] = frozenset()
    relative_values: Mapping[int, PfsYear] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.fee_schedule is None) == (self.percent_of_charges is None):
            raise ValueError("a contract needs exactly one of fee_schedule, percent_of_charges")
        if self.percent_of_charges is not None:
            check_rate("percent_of_charges", self.percent_of_charges)
        check_rate("mppr_pe_reduction", self.mppr_pe_reduction)
        check_rate("assistant_rate", self.assistant_rate)
        check_rate("sequestration_rate", self.sequestration_rate)
        for code, share in self.pe_shares.items():
            check_rate(f"pe_shares[{code}]", share)

    def pe_share(self, code: str, day: date) -> tuple[Decimal, str]:
        """The PE share of one unit of ``code`` on ``day``, and where it comes from."""
        if code in self.pe_shares:
            return self.pe_shares[code], "contract pe_shares"
        if self.relative_values:
            pfs = pfs_for(day, self.relative_values)
            rv = pfs.values.get(code)
            if rv is not None:
                return rv.pe_share, pfs.label + substitution_note(pfs, day)
        return Decimal(0), f"no PE share for {code}"

    def mppr_applies(self, code: str, day: date) -> bool:
        """Whether the therapy MPPR reduces ``code``: the PFS MULT PROC indicator 5 for
        the date of service, else the catalog's always-therapy list."""
        if not self.mppr:
            return False
        if self.relative_values:
            rv = pfs_for(day, self.relative_values).values.get(code)
            if rv is not None:
                return rv.therapy_mppr
        return code in self.always_therapy

    def sequestration_on(self, day: date) -> Decimal:
        """The sequestration rate for a claim with this date of service."""
        if self.sequestration_schedule:
            return rate_on(self.sequestration_schedule, day)
        return self.sequestration_rate

    @property
    def basis(self) -> Basis:
        return Basis.FEE_SCHEDULE if self.fee_schedule is not None else Basis.PERCENT_OF_CHARGES


def default_contract(
    payer_id: str,
    payer_class: str,
    fee_schedule: FeeSchedule | None = None,
    *,
    percent_of_charges: Decimal | None = None,
    sequestration_rate: Decimal | None = None,
) -> Contract:
    """The contract ptrcm assumes for a payer class until the practice configures one.

    Medicare and Medicare Advantage: MPPR and the CQ/CO reduction on (reference §3, §6);
    for Original Medicare, sequestration by date of service (``domain.sequestration``)
    unless ``sequestration_rate`` is given. Other classes: neither. Self-pay is 100% of
    charges. The fee schedule defaults to Medicare's national amounts from the shipped
    CMS PFS relative values, which also give MPPR its PE shares.
    """
    medicare_like = payer_class in MEDICARE_CLASSES
    schedule: tuple[tuple[date, Decimal], ...] = ()
    if sequestration_rate is None:
        sequestration_rate = Decimal(0)
        if payer_class == "medicare":
            schedule = MEDICARE_SCHEDULE
    if percent_of_charges is None and fee_schedule is None and payer_class == "self_pay":
        percent_of_charges = Decimal(1)
    if percent_of_charges is None and fee_schedule is None:
        fee_schedule = default_fee_schedule()
    return Contract(
        payer_id=payer_id,
        payer_class=payer_class,
        fee_schedule=fee_schedule,
        percent_of_charges=percent_of_charges,
        mppr=medicare_like,
        assistant_reduction=medicare_like,
        sequestration_rate=sequestration_rate,
        sequestration_schedule=schedule,
        always_therapy=frozenset(c for c, info in load_catalog().items() if info.always_therapy),
        relative_values=pfs_years(),
    )


@dataclass(frozen=True, slots=True)
class LineExpectation:
    """The expected allowed amount of one claim line, with every step that produced it."""

    line_number: int
    code: str
    date_of_service: date
    units: int
    charge: Money
    allowed: Money
    steps: tuple[Step, ...]


def per_unit_amount(line: ClaimLine, contract: Contract) -> tuple[Decimal, str]:
    """The exact per-unit amount before any reduction, and where it comes from."""
    schedule = contract.fee_schedule
    if schedule is not None:
        year = schedule.edition_year(line.date_of_service)
        edition = "" if year is None else f" ({year} amounts)"
        per_unit = schedule.rates_for(line.date_of_service).get(line.code)
        if per_unit is None:
            return Decimal(0), f"{line.code} is not on fee schedule {schedule.name}{edition}"
        return per_unit.amount, f"fee schedule {schedule.name}{edition}"
    rate = contract.percent_of_charges or Decimal(0)
    if line.units <= 0:
        return Decimal(0), "no units billed"
    return line.charge.amount * rate / line.units, f"contract: {rate} of billed charges"


def pe_per_unit(line: ClaimLine, contract: Contract) -> Decimal:
    """The practice-expense value of one unit of the line (zero when MPPR does not apply)."""
    if not contract.mppr_applies(line.code, line.date_of_service):
        return Decimal(0)
    per_unit, _ = per_unit_amount(line, contract)
    share, _ = contract.pe_share(line.code, line.date_of_service)
    return per_unit * share


def mppr_cut_per_unit(
    line: ClaimLine, contract: Contract, per_unit: Decimal
) -> tuple[Decimal, str]:
    """What MPPR takes off one reduced unit of the line, and how it was worked out.

    When the per-unit amount is the code's national PFS amount for the year, the reduced
    unit is priced as CMS prices it: ``(work + PE x (1 - reduction) + MP) x CF``, rounded
    to the cent. Otherwise (a payer's own amounts) the cut is ``per-unit x PE share x
    reduction``, the share being PE RVU / total RVU.
    """
    day, rate = line.date_of_service, contract.mppr_pe_reduction
    if contract.relative_values and line.code not in contract.pe_shares:
        pfs = pfs_for(day, contract.relative_values)
        rv = pfs.values.get(line.code)
        national = pfs.national_amount(line.code)
        if rv is not None and national is not None and national.amount == per_unit:
            rvus = rv.work + rv.pe_nonfacility * (1 - rate) + rv.mp
            reduced = round_cents(rvus * pfs.conversion_factor)
            how = (
                f"({per_unit} - {reduced}): reduced unit = (work {rv.work} + PE"
                f" {rv.pe_nonfacility} x {1 - rate} + MP {rv.mp}) x CF {pfs.conversion_factor}"
                f" ({pfs.label}{substitution_note(pfs, day)})"
            )
            return per_unit - reduced, how
    share, source = contract.pe_share(line.code, day)
    how = f"{per_unit} x PE share {share:.4f} x {rate} (PE share from {source})"
    return per_unit * share * rate, how


def expected_line_allowed(
    line: ClaimLine, contract: Contract, *, holds_full_unit: bool = True
) -> LineExpectation:
    """Expected allowed amount of one line (reference §6; MCPM ch. 5 for the units).

    ``holds_full_unit`` says whether this line carries the day's highest-PE unit, which
    MPPR pays in full; every other unit of an always-therapy code has its PE component
    reduced by ``mppr_pe_reduction``. Alone on its day a line holds that unit. The amount
    is rounded to the cent once, at the end, with ``round_cents``.
    """
    units = max(line.units, 0)
    per_unit, basis_source = per_unit_amount(line, contract)
    amount = per_unit * units
    steps = [Step("base", Decimal(0), amount, basis_source, f"{per_unit} x {units} units")]
    if contract.mppr_applies(line.code, line.date_of_service) and units > 0:
        reduced_units = units - 1 if holds_full_unit else units
        per_cut, how = mppr_cut_per_unit(line, contract, per_unit)
        cut = per_cut * reduced_units
        detail = f"{reduced_units} unit(s) x {how}" + (
            "; highest-PE unit of the day paid in full" if holds_full_unit else ""
        )
        steps.append(Step("mppr", amount, amount - cut, SOURCE_MPPR, detail))
        amount -= cut
    if (
        contract.assistant_reduction
        and ASSISTANT_MODIFIERS & set(line.modifiers)
        and line.date_of_service >= contract.assistant_effective
    ):
        reduced = amount * contract.assistant_rate
        detail = f"{contract.assistant_rate} x {amount}"
        steps.append(Step("assistant_cq_co", amount, reduced, SOURCE_ASSISTANT, detail))
        amount = reduced
    if contract.lesser_of_charge and amount > line.charge.amount:
        steps.append(Step("lesser_of_charge", amount, line.charge.amount, SOURCE_LESSER))
        amount = line.charge.amount
    allowed = round_cents(amount)
    steps.append(Step("round", amount, allowed, SOURCE_ROUND))
    return LineExpectation(
        line.line_number,
        line.code,
        line.date_of_service,
        units,
        line.charge,
        Money(allowed),
        tuple(steps),
    )


def full_unit_lines(
    lines: Iterable[ClaimLine], contract: Contract, others: Iterable[ClaimLine] = ()
) -> frozenset[int]:
    """Line numbers holding the highest-PE unit of their date of service (MPPR, §6).

    MPPR counts every therapy service of the patient on the date, on all claims and in
    all disciplines (MCPM ch. 5 §10.7; Novitas, "MPPR for therapy services": "the MPPR
    applies to all therapy services furnished to a patient on the same day, regardless
    of whether the services are provided in one therapy discipline or multiple"). The
    services are ranked by PE; equal PE ranks by the higher total fee schedule amount.
    ``others`` are the patient's lines on the day's other claims: when one of them holds
    the day's highest rank, none of ``lines`` does; on a full tie the other claim keeps
    it. Ties within ``lines`` go to the lowest line number, so the answer does not
    depend on line order.
    """
    best: dict[date, tuple[Decimal, Decimal, int]] = {}

    def rank(line: ClaimLine, tiebreak: int) -> None:
        if line.units <= 0 or not contract.mppr_applies(line.code, line.date_of_service):
            return
        per_unit, _ = per_unit_amount(line, contract)
        key = (pe_per_unit(line, contract), per_unit, tiebreak)
        current = best.get(line.date_of_service)
        if current is None or key > current:
            best[line.date_of_service] = key

    for line in others:
        rank(line, 1)
    for line in lines:
        rank(line, -line.line_number)
    return frozenset(-number for _, _, number in best.values() if number < 0)


def expected_allowed(
    lines: Iterable[ClaimLine], contract: Contract, others: Iterable[ClaimLine] = ()
) -> tuple[LineExpectation, ...]:
    """Expected allowed amount per line (MPPR per date across the patient's claims, §6).

    ``others``: the patient's lines of the same dates on other claims (see
    ``full_unit_lines``).
    """
    items = tuple(lines)
    full = full_unit_lines(items, contract, others)
    return tuple(
        expected_line_allowed(line, contract, holds_full_unit=line.line_number in full)
        for line in items
    )
