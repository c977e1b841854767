"""From a 271 member's typed EB benefits to the fields of a benefits snapshot.

Which EB segments count, in order of preference: the discipline's service type (AE
physical medicine, AD occupational therapy, AF speech therapy, or PT), then the generic
health benefit plan coverage (30) or none; in-network (EB12 = Y) or unstated before
out-of-network. EB06 tells a period amount (calendar year 23, service year 22, contract 25,
years 21) from what is left of it (remaining 29). Visit limits are EB*F with quantity
qualifier VS; what is used is the limit minus what remains.

AAA rejections keep their reason code with a short meaning in our words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ptrcm.domain.money import Money
from ptrcm.x12.eligibility.benefits271 import Benefit, Member, Rejection
from ptrcm.x12.eligibility.write270 import SERVICE_TYPE

THERAPY_TYPES = frozenset({"AE", "AD", "AF", "PT"})
GENERIC_TYPES = frozenset({"30", ""})  # health benefit plan coverage, or unstated
PERIOD_TOTAL = frozenset({"21", "22", "23", "25", "32"})
PERIOD_LEFT = frozenset({"29", "33"})
ACTIVE = frozenset({"1", "2", "3", "4", "5"})
INACTIVE = frozenset({"6", "7", "8"})

AAA_MEANINGS = {
    "04": "authorized quantity exceeded",
    "15": "required data missing from the request",
    "41": "authorization or access restrictions at the payer",
    "42": "payer cannot answer now; ask again later",
    "43": "provider identifier missing or invalid",
    "44": "provider name missing or invalid",
    "50": "provider not eligible to make inquiries",
    "51": "provider not on file at the payer",
    "52": "service dates outside the provider's enrolment",
    "56": "date not accepted",
    "57": "service date missing or invalid",
    "58": "birth date missing or invalid",
    "60": "birth date is after the service date",
    "62": "death date is before the service date",
    "63": "service date is in the future",
    "71": "birth date does not match the payer's records",
    "72": "member id missing or invalid",
    "73": "subscriber name missing or invalid",
    "75": "subscriber not found",
    "76": "duplicate member id",
    "79": "request not understood",
    "80": "no response received; the transaction ended",
}


def rejection_row(rejection: Rejection) -> dict[str, str]:
    meaning = AAA_MEANINGS.get(rejection.reason, "rejected")
    return {
        "level": rejection.level,
        "reason": rejection.reason,
        "follow_up": rejection.follow_up,
        "meaning": meaning,
    }


@dataclass(frozen=True, slots=True)
class SnapshotFields:
    """The benefits a 271 member reported, ready for the snapshot table."""

    active: bool | None
    plan_start: date | None
    plan_end: date | None
    plan_year_start: date | None
    copay: Money | None
    coinsurance_rate: Decimal | None
    deductible: Money | None
    deductible_remaining: Money | None
    oop_max: Money | None
    oop_remaining: Money | None
    visit_limit: int | None
    visits_used: int | None
    authorization_required: bool | None
    rejections: tuple[dict[str, str], ...]

    def columns(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            out[name] = value.amount if isinstance(value, Money) else value
        out["rejections"] = list(self.rejections)
        return out


def _score(benefit: Benefit, discipline: str | None) -> int | None:
    """Lower is better; None for a benefit about other services."""
    wanted = SERVICE_TYPE.get(discipline or "")
    types = set(benefit.service_types) or {""}
    if (wanted and wanted in types) or (types & {"PT"} and discipline == "PT"):
        rank = 0
    elif types & GENERIC_TYPES:
        rank = 2
    elif types & THERAPY_TYPES and not wanted:
        rank = 1
    elif "1" in types:  # medical care: what therapy falls under when nothing is specific
        rank = 3
    else:
        return None
    network = {"Y": 0, "": 1, "W": 1, "U": 1}.get(benefit.in_network, 3)
    return rank * 4 + network


def _best(
    benefits: Iterable[Benefit], discipline: str | None, code: str, periods: frozenset[str] | None
) -> Benefit | None:
    ranked = []
    for index, benefit in enumerate(benefits):
        if benefit.code != code or (periods is not None and benefit.time_period not in periods):
            continue
        score = _score(benefit, discipline)
        if score is not None:
            ranked.append((score, index, benefit))
    return min(ranked, key=lambda item: (item[0], item[1]))[2] if ranked else None


def _amount(benefit: Benefit | None) -> Money | None:
    return None if benefit is None else benefit.amount


def _dates(member: Member) -> dict[str, tuple[date, date]]:
    return {d.qualifier: (d.start, d.end) for d in member.dates}


def _active(benefits: Sequence[Benefit]) -> bool | None:
    codes = {b.code for b in benefits}
    if codes & ACTIVE:
        return True
    if codes & INACTIVE:
        return False
    return None


def _visits(benefits: Sequence[Benefit], discipline: str | None) -> tuple[int | None, int | None]:
    limits = [b for b in benefits if b.code == "F" and b.quantity_qualifier == "VS"]
    total = _best(limits, discipline, "F", PERIOD_TOTAL)
    left = _best(limits, discipline, "F", PERIOD_LEFT)
    limit = None if total is None or total.quantity is None else int(total.quantity)
    if limit is None or left is None or left.quantity is None:
        return limit, None
    return limit, max(limit - int(left.quantity), 0)


def _auth_required(benefits: Sequence[Benefit], discipline: str | None) -> bool | None:
    flags = [
        (score, b.authorization_required)
        for b in benefits
        if b.authorization_required in ("Y", "N") and (score := _score(b, discipline)) is not None
    ]
    if not flags:
        return None
    return min(flags)[1] == "Y"


def snapshot_fields(
    member: Member | None, discipline: str | None, extra_rejections: Sequence[Rejection] = ()
) -> SnapshotFields:
    """The snapshot a 271 member (or only its rejections) amounts to."""
    benefits = member.benefits if member else ()
    rejections = [*extra_rejections, *(member.rejections if member else ())]
    rejections += [r for b in benefits for r in b.rejections]
    dates = _dates(member) if member else {}
    plan = dates.get("291") or dates.get("346") or dates.get("356")
    end = dates.get("347") or dates.get("357")
    coinsurance = _best(benefits, discipline, "A", None)
    limit, used = _visits(benefits, discipline)
    return SnapshotFields(
        active=_active(benefits) if not rejections or benefits else None,
        plan_start=plan[0] if plan else None,
        plan_end=end[1] if end else (plan[1] if plan and plan[1] != plan[0] else None),
        plan_year_start=plan[0] if plan else None,
        copay=_amount(_best(benefits, discipline, "B", None)),
        coinsurance_rate=None if coinsurance is None else coinsurance.percent,
        deductible=_amount(_best(benefits, discipline, "C", PERIOD_TOTAL)),
        deductible_remaining=_amount(_best(benefits, discipline, "C", PERIOD_LEFT)),
        oop_max=_amount(_best(benefits, discipline, "G", PERIOD_TOTAL)),
        oop_remaining=_amount(_best(benefits, discipline, "G", PERIOD_LEFT)),
        visit_limit=limit,
        visits_used=used,
        authorization_required=_auth_required(benefits, discipline),
        rejections=tuple(rejection_row(r) for r in rejections),
    )
