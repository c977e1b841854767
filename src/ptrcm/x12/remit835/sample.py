"""Deterministic sample remittances (PT visits) for demos, tests and benchmarks.

``sample_remittance(n)`` pays ``n`` claims of three therapy lines each: most paid with a
contractual (CO-45) and coinsurance (PR-2) adjustment, every seventh denied (CLP02=4,
CO-50), every eleventh a payer-changed procedure (SVC06). Every claim and line balances
and BPR02 equals the claims paid less one PLB, so the balancing checks find nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ptrcm.domain.money import Money
from ptrcm.x12.common import PersonName, Reference
from ptrcm.x12.remit835.model import (
    Adjustment,
    AmountEntry,
    ClaimPayment,
    DateEntry,
    Party,
    Payment,
    Procedure,
    ProviderAdjustment,
    ProviderAdjustmentItem,
    Remittance,
    ServicePayment,
    Trace,
)

_CODES = (("97110", "GP", Decimal(2)), ("97140", "GP", Decimal(1)), ("97530", "GP", Decimal(1)))
_FEE = {"97110": Money.of("64.00"), "97140": Money.of("58.00"), "97530": Money.of("71.00")}
_ALLOWED = {"97110": Money.of("28.50"), "97140": Money.of("26.75"), "97530": Money.of("33.10")}
PAYER = Party(
    "PR",
    "DEMO HEALTH PLAN",
    "XV",
    "990012345",
    ("PO BOX 100",),
    "AUSTIN",
    "TX",
    "78701",
    (Reference("2U", "990012345"),),
    (("BL", "EDI SUPPORT", "TE", "5125550100"),),
)
PAYEE = Party(
    "PE",
    "RIVERSIDE PHYSICAL THERAPY",
    "XX",
    "1679576722",
    ("12 MAIN ST",),
    "AUSTIN",
    "TX",
    "78702",
    (Reference("TJ", "741234567"),),
)


def sample_line(code: str, units: Decimal, day: date, index: int, denied: bool) -> ServicePayment:
    """One service line that balances: charge − CO-45 − PR-2 = paid (or CO-50 when denied)."""
    charge = _FEE[code] * units
    allowed = _ALLOWED[code] * units
    proc = Procedure("HC", code, ("GP",))
    if denied:
        adjustments: tuple[Adjustment, ...] = (Adjustment("CO", "50", charge),)
        paid = Money.zero()
    else:
        coinsurance = allowed * Decimal("0.2")
        paid = allowed - coinsurance
        adjustments = (Adjustment("CO", "45", charge - allowed), Adjustment("PR", "2", coinsurance))
    original = Procedure("HC", code, ("GP", "59")) if index % 11 == 0 else None
    return ServicePayment(
        proc,
        charge,
        paid,
        "",
        units,
        original,
        None,
        (DateEntry("472", day),),
        adjustments,
        (Reference("6R", f"{index}-{code}"),),
        () if denied else (AmountEntry("B6", allowed),),
    )


def sample_claim(index: int, start: date = date(2026, 3, 2)) -> ClaimPayment:
    """Claim ``index``: three PT lines, paid or (every seventh) denied."""
    day = start + timedelta(days=index % 60)
    denied = index % 7 == 3
    lines = tuple(sample_line(code, units, day, index, denied) for code, _, units in _CODES)
    charge = sum((ln.charge for ln in lines), Money.zero())
    paid = sum((ln.paid for ln in lines), Money.zero())
    responsibility = sum(
        (a.amount for ln in lines for a in ln.adjustments if a.group == "PR"), Money.zero()
    )
    return ClaimPayment(
        f"PCN{index:07d}",
        "4" if denied else "1",
        charge,
        paid,
        responsibility,
        "MC",
        f"26{index:012d}",
        "11",
        "1",
        names=(
            PersonName(
                "QC", f"PATIENT{index % 997}", "ALEX", id_qualifier="MI", id=f"M{index:09d}"
            ),
        ),
        dates=(DateEntry("050", day + timedelta(days=3)),),
        lines=lines,
    )


def sample_remittance(claims: int, check: str = "CHK000001") -> Remittance:
    """A whole remittance of ``claims`` claims that balances to the cent (one PLB)."""
    built = tuple(sample_claim(i) for i in range(claims))
    interest = ProviderAdjustment(
        "1679576722",
        date(2026, 12, 31),
        (ProviderAdjustmentItem("L6", Money.of("-1.25"), "INT01"),),
    )
    total = sum((c.paid for c in built), Money.zero()) - interest.items[0].amount
    payment = Payment("I", total, "C", "CHK", date(2026, 5, 15))
    return Remittance(
        payment,
        Trace("1", check, "1999999999"),
        PAYER,
        PAYEE,
        built,
        (interest,),
        dates=(DateEntry("405", date(2026, 5, 14)),),
    )
