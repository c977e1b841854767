"""The records an assessment is computed from: answered claims (835) and billed claims (837).

The service layer reads the files into these values; nothing here knows X12. Money is
``Money`` (Decimal cents); a missing date is ``None`` and is reported, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ptrcm.domain.money import Money

# CLP06 / SBR09 claim filing indicator -> the payer class the rule packs use. Codes from
# the X12 5010 code list for the element (MB Medicare Part B, MA Part A, 16 HMO Medicare
# risk = Medicare Advantage, MC Medicaid, WC workers' compensation, CI commercial, BL Blue
# Cross/Blue Shield, HM HMO, 12-15 and 17 PPO/POS/EPO/indemnity/dental; 09 self-pay).
FILING_CLASS = {
    "MA": "medicare",
    "MB": "medicare",
    "16": "medicare_advantage",
    "MC": "medicaid",
    "WC": "workers_comp",
    "CI": "commercial",
    "BL": "commercial",
    "HM": "commercial",
    "12": "commercial",
    "13": "commercial",
    "14": "commercial",
    "15": "commercial",
    "17": "commercial",
    "CH": "commercial",
    "09": "self_pay",
    "ZZ": "self_pay",
}
UNKNOWN_CLASS = "unknown"
REVERSAL_STATUS = "22"
PRIMARY_STATUSES = frozenset({"1", "4", "19"})  # processed as primary (or denied)


def payer_class_of(filing_indicator: str) -> str:
    return FILING_CLASS.get(filing_indicator.strip().upper(), UNKNOWN_CLASS)


@dataclass(frozen=True, slots=True)
class Adjusted:
    """One CAS adjustment: group, reason (CARC), amount, and the remarks (RARC) beside it."""

    group: str
    carc: str
    amount: Money
    rarcs: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """The CARC, by the name ``domain.denials.AdjustmentLike`` reads."""
        return self.carc


@dataclass(frozen=True, slots=True)
class AnsweredLine:
    """One SVC line of an 835 claim."""

    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Money
    paid: Money
    allowed: Money | None  # AMT*B6 when the payer sent it
    service_date: date | None
    adjustments: tuple[Adjusted, ...]


@dataclass(frozen=True, slots=True)
class AnsweredClaim:
    """One CLP of an 835: who answered, for which claim, what was paid and adjusted.

    ``order`` is the claim's place in the files as read (file name order, then segment),
    so "first" and "latest" answers are decided the same way on every run.
    """

    payer: str  # the payer's name as the 835 gives it (N1*PR)
    payer_key: str  # TRN03, else the N1*PR id, else the name (the posting's payer key)
    payer_class: str
    pcn: str  # CLP01, the practice's patient control number
    status: str  # CLP02
    charge: Money
    paid: Money
    paid_on: date | None  # BPR16, else DTM*405
    patient_key: str  # NM1*QC id, else name (MPPR across the patient's claims of a day)
    service_date: date | None  # claim DTM*232, else the first line's date
    adjustments: tuple[Adjusted, ...]  # claim-level CAS
    lines: tuple[AnsweredLine, ...]
    order: int
    source: str  # file name and segment, for the evidence lists

    @property
    def is_reversal(self) -> bool:
        if self.status == REVERSAL_STATUS or self.paid.amount < 0:
            return True
        every = (*self.adjustments, *(a for line in self.lines for a in line.adjustments))
        return any(a.group == "CR" for a in every)

    def all_adjustments(self) -> tuple[tuple[AnsweredLine | None, Adjusted], ...]:
        return (
            *((None, a) for a in self.adjustments),
            *((line, a) for line in self.lines for a in line.adjustments),
        )


@dataclass(frozen=True, slots=True)
class BilledClaim:
    """One CLM of an 837: the claim as billed (for A/R aging and days in A/R)."""

    pcn: str  # CLM01
    payer_key: str  # 2010BB NM1*PR id
    payer_class: str  # from SBR09
    charge: Money
    first_date: date  # first date of service
    source: str
