"""The claims list: what a biller filters, sorts and pages by, and the claims behind one
figure of the dashboard.

A ``ClaimFilter`` narrows claims by state, payer, payer class, location, therapist,
patient, claim number, date of service, charge and age, and optionally by a ``KpiSlice``:
the claim set one KPI counts (``DRILLS`` names every KPI and its sets). The SQL for each
set is in ``ptrcm.analytics.drilldown``, built from the same pieces as the KPI itself, so
the list behind a tile adds up to the tile. ``claim_filter_from`` reads a filter from query
parameters (a link from the dashboard); ``ClaimFilter.as_params`` writes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from ptrcm.domain.lifecycle import OPEN_AR, ClaimState
from ptrcm.domain.money import to_decimal
from ptrcm.errors import InputError

AGE_BUCKETS = ("0-30", "31-60", "61-90", "91-120", "120+")
# Upper bound (days since the first date of service) of each bucket; the last is open.
AGE_LIMITS = (30, 60, 90, 120)
STATE_GROUPS = {"open": tuple(sorted(OPEN_AR))}
SORT_KEYS = ("claim", "dos", "patient", "payer", "state", "charge", "balance", "age",
             "measure")  # fmt: skip
MAX_PAGE_SIZE = 500
SOURCE = "claims list"


@dataclass(frozen=True, slots=True)
class DrillPart:
    """One claim (or visit) set of a KPI: its name in links, what it is, and what its
    rows' *measure* holds (what the KPI sums over it; the count is ``weight`` summed)."""

    name: str
    label: str
    measure: str
    lists: str = "claims"  # or "visits": a visit count has visits behind it, not claims


_ADJ = "Claims first adjudicated in the period"
DRILLS: dict[str, tuple[DrillPart, ...]] = {
    "clean_claim_rate": (
        DrillPart("scrubbed", "Claims first scrubbed in the period", "charge"),
        DrillPart("clean", "… whose first scrub had no error", "charge"),
    ),
    "first_pass_rate": (
        DrillPart("adjudicated", _ADJ, "charge"),
        DrillPart(
            "first_pass", "… paid first time (no denial, rejection or resubmission)", "charge"
        ),
    ),
    "denial_rate": (
        DrillPart("adjudicated", _ADJ, "charge on the first adjudication"),
        DrillPart("denied", "… denied in whole or in part at first", "denied dollars"),
    ),
    "net_collection_rate": (
        DrillPart("collected", _ADJ, "collected: payer and patient payments"),
        DrillPart("collectible", _ADJ, "collectible: charge less contractual"),
    ),
    "days_in_ar": (
        DrillPart("ar", "Claims in A/R on the day", "balance on the day"),
        DrillPart(
            "charges", "Claims with a first date of service in the 90 days to the day", "charge"
        ),
    ),
    "cash_collected": (
        DrillPart("cash", "Claims with money received in the period", "cash received"),
    ),
    "visits": (DrillPart("visits", "Visits in the period", "visits", "visits"),),
    "net_revenue_per_visit": (
        DrillPart("revenue", "Claims of the period's visits", "payments × visits matched"),
        DrillPart("visits", "Visits in the period", "visits", "visits"),
    ),
    "ar_aging": (DrillPart("ar", "Claims in A/R on the day, in one cell", "balance on the day"),),
    "denial_reason": (
        DrillPart(
            "denials",
            "Claims with a denial of the reason posted in the period",
            "denied dollars of the reason",
        ),
    ),
}


def drill_part(kpi: str, part: str) -> DrillPart:
    for candidate in DRILLS.get(kpi, ()):
        if candidate.name == part:
            return candidate
    raise InputError.one(SOURCE, None, "part", f"{kpi!r} has no claim set {part!r}")


@dataclass(frozen=True, slots=True)
class KpiSlice:
    """The claims one KPI counts for one period. A/R sets are as of ``end``; an aging cell
    names its payer class (``unknown`` for none) and bucket, a denial bar its CARC."""

    kpi: str
    part: str
    start: date
    end: date
    payer_class: str | None = None
    bucket: str | None = None
    carc: str | None = None

    def __post_init__(self) -> None:
        if self.kpi not in DRILLS:
            raise InputError.one(SOURCE, None, "kpi", f"unknown KPI {self.kpi!r}")
        drill_part(self.kpi, self.part)
        if self.end < self.start:
            raise InputError.one(SOURCE, None, "to", "the period ends before it starts")
        if self.bucket is not None and self.bucket not in AGE_BUCKETS:
            raise InputError.one(SOURCE, None, "bucket", f"one of {', '.join(AGE_BUCKETS)}")
        if self.kpi == "ar_aging" and (self.payer_class is None or self.bucket is None):
            raise InputError.one(SOURCE, None, "bucket", "an aging cell names class and bucket")
        if self.kpi == "denial_reason" and not self.carc:
            raise InputError.one(SOURCE, None, "carc", "a denial reason names its CARC")

    @property
    def lists(self) -> str:
        return drill_part(self.kpi, self.part).lists


def drilldown(
    kpi: str,
    start: date,
    end: date,
    *,
    payer_class: str | None = None,
    bucket: str | None = None,
    carc: str | None = None,
) -> dict[str, ClaimFilter]:
    """The claims-list filter of each set behind one dashboard figure, by set name: a KPI
    tile over ``start``-``end``, a chart point (a month, a week), an aging cell as of
    ``end`` (``payer_class``, ``bucket``), a denial reason's bar (``carc``). Each list is
    sorted by its measure, largest first."""
    if kpi not in DRILLS:
        raise InputError.one(SOURCE, None, "kpi", f"unknown KPI {kpi!r}")
    return {
        part.name: ClaimFilter(
            kpi=KpiSlice(kpi, part.name, start, end, payer_class, bucket, carc), sort="measure"
        )
        for part in DRILLS[kpi]
    }


@dataclass(frozen=True, slots=True)
class ClaimFilter:
    """Every criterion is optional; all given must hold. Payer, location and therapist are
    external ids (therapist: NPI) and meet claims as the KPIs do (docs/kpis.md, Filters)."""

    states: tuple[str, ...] = ()
    payer: str | None = None
    payer_class: str | None = None
    location: str | None = None
    therapist: str | None = None
    patient: str | None = None  # the patient's MRN (external id)
    claim: str | None = None  # the start of our claim number, or the payer's claim number
    dos_from: date | None = None  # on the first date of service
    dos_to: date | None = None
    min_charge: Decimal | None = None
    max_charge: Decimal | None = None
    age: str | None = None  # bucket of days from the first date of service to today
    kpi: KpiSlice | None = None
    sort: str = "dos"
    descending: bool = True
    page: int = 1
    size: int = 50

    def __post_init__(self) -> None:
        expanded: list[str] = []
        for state in self.states:
            expanded.extend(STATE_GROUPS.get(state, (state,)))
        known = {s.value for s in ClaimState}
        for state in expanded:
            if state not in known:
                raise InputError.one(SOURCE, None, "state", f"unknown claim state {state!r}")
        object.__setattr__(self, "states", tuple(dict.fromkeys(expanded)))
        if self.age is not None and self.age not in AGE_BUCKETS:
            raise InputError.one(SOURCE, None, "age", f"one of {', '.join(AGE_BUCKETS)}")
        if self.sort not in SORT_KEYS:
            raise InputError.one(SOURCE, None, "sort", f"one of {', '.join(SORT_KEYS)}")
        if self.page < 1:
            raise InputError.one(SOURCE, None, "page", "pages start at 1")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise InputError.one(SOURCE, None, "size", f"between 1 and {MAX_PAGE_SIZE}")
        if self.dos_from and self.dos_to and self.dos_to < self.dos_from:
            raise InputError.one(SOURCE, None, "dos_to", "before dos_from")
        low, high = self.min_charge, self.max_charge
        if low is not None and high is not None and high < low:
            raise InputError.one(SOURCE, None, "max_charge", "below min_charge")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def as_params(self) -> dict[str, str]:
        """Query parameters that ``claim_filter_from`` reads back into this filter."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "kpi" and value is not None:
                out |= _slice_params(value)
            elif f.name == "states" and value:
                out["state"] = ",".join(value)
            elif f.name == "descending":
                out["dir"] = "desc" if value else "asc"
            elif value is not None and value != f.default and f.name != "kpi":
                out[f.name] = value.isoformat() if isinstance(value, date) else str(value)
        return out


def _slice_params(s: KpiSlice) -> dict[str, str]:
    out = {"kpi": s.kpi, "part": s.part, "from": s.start.isoformat(), "to": s.end.isoformat()}
    for name in ("payer_class", "bucket", "carc"):
        value = getattr(s, name)
        if value is not None:
            out[f"kpi_{name}"] = value
    return out


def _day(params: Mapping[str, str], name: str) -> date | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError.one(SOURCE, None, name, "a date as YYYY-MM-DD") from None


def _amount(params: Mapping[str, str], name: str) -> Decimal | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        value = to_decimal(text)
    except (TypeError, ValueError):
        raise InputError.one(SOURCE, None, name, "an amount such as 125.00") from None
    if value < 0:
        raise InputError.one(SOURCE, None, name, "must not be negative")
    return value


def _whole(params: Mapping[str, str], name: str, default: int) -> int:
    text = (params.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise InputError.one(SOURCE, None, name, "a whole number")
    return int(text)


def _text(params: Mapping[str, str], name: str) -> str | None:
    text = (params.get(name) or "").strip()
    if len(text) > 80 or not text.isprintable():
        raise InputError.one(SOURCE, None, name, "at most 80 printable characters")
    return text or None


def claim_filter_from(params: Mapping[str, str]) -> ClaimFilter:
    """The filter named by query parameters: ``state`` (comma-separated, ``open`` for open
    A/R), ``payer``, ``payer_class``, ``location``, ``therapist``, ``patient``, ``claim``,
    ``dos_from``/``dos_to``, ``min_charge``/``max_charge``, ``age``, ``sort``, ``dir``,
    ``page``, ``size``; and for the claims behind a KPI ``kpi``, ``part``, ``from``,
    ``to`` and ``kpi_payer_class``/``kpi_bucket``/``kpi_carc``."""
    states = tuple(s.strip() for s in (params.get("state") or "").split(",") if s.strip())
    direction = (params.get("dir") or "desc").strip()
    if direction not in ("asc", "desc"):
        raise InputError.one(SOURCE, None, "dir", "asc or desc")
    kpi = None
    if _text(params, "kpi"):
        start, end = _day(params, "from"), _day(params, "to")
        if start is None or end is None:
            raise InputError.one(SOURCE, None, "from", "a KPI's claims need from and to")
        kpi = KpiSlice(
            str(_text(params, "kpi")), _text(params, "part") or "", start, end,
            _text(params, "kpi_payer_class"), _text(params, "kpi_bucket"),
            _text(params, "kpi_carc"),
        )  # fmt: skip
    return ClaimFilter(
        states=states, payer=_text(params, "payer"), payer_class=_text(params, "payer_class"),
        location=_text(params, "location"), therapist=_text(params, "therapist"),
        patient=_text(params, "patient"), claim=_text(params, "claim"),
        dos_from=_day(params, "dos_from"), dos_to=_day(params, "dos_to"),
        min_charge=_amount(params, "min_charge"), max_charge=_amount(params, "max_charge"),
        age=_text(params, "age"), kpi=kpi, sort=_text(params, "sort") or "dos",
        descending=direction == "desc", page=_whole(params, "page", 1),
        size=_whole(params, "size", 50),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClaimRow:
    claim: str  # PCN (CLM01)
    patient: str  # MRN
    patient_name: str
    payer: str
    payer_class: str | None
    state: str
    first_dos: date
    last_dos: date
    charge: Decimal
    paid: Decimal  # payer and patient payments to date
    balance: Decimal  # charge less payments and non-denial adjustments
    age_days: int  # from the first date of service to today
    location: str | None
    therapist: str | None
    measure: Decimal | None = None  # under a KPI slice: what the KPI sums for this claim
    weight: int = 1  # under a KPI slice: how many of the KPI's counted items it is


@dataclass(frozen=True, slots=True)
class ClaimPage:
    """One page of rows, and the whole filtered set's count and sums."""

    rows: tuple[ClaimRow, ...]
    total: int
    charge: Decimal
    balance: Decimal
    measure: Decimal  # sums of the slice's measure and weight (charge and count without one)
    weight: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass(frozen=True, slots=True)
class VisitRow:
    visit: str
    patient: str
    patient_name: str
    date_of_service: date
    payer: str
    location: str | None
    therapist: str | None
    discipline: str


@dataclass(frozen=True, slots=True)
class VisitPage:
    rows: tuple[VisitRow, ...]
    total: int
    page: int
    size: int
