"""Fee schedules: the allowed amount per unit of a code.

The built-in default is Medicare's national non-facility fee schedule, computed from
CMS's published PFS relative values for each year shipped (``domain.pfs``: total RVU x
conversion factor, GPCI 1.000, rounded to the cent); a date of service uses its year's
edition. A payer's own schedule (CSV ``code,allowed``) replaces it through
``fee_schedule`` in ``ptrcm.toml``. The KX threshold's year-to-date amount, expected
payments and the synthetic payer all use the same schedule, so they agree with each
other.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from ptrcm.domain.money import Money, round_cents
from ptrcm.domain.pfs import pfs_years
from ptrcm.errors import InputError


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Allowed amount per unit by code; ``editions`` when the amounts change by year.

    ``allowed`` is the current amounts. ``editions`` maps a calendar year of service to
    that year's amounts (the built-in Medicare schedule); a year without an edition uses
    the nearest one. A schedule without editions has one set of amounts for every date.
    """

    name: str
    allowed: Mapping[str, Money]
    editions: Mapping[int, Mapping[str, Money]] = field(default_factory=dict)

    def allowed_for(self, code: str, units: int = 1) -> Money:
        """Allowed amount for ``units`` of ``code``; zero for a code the schedule lacks."""
        per_unit = self.allowed.get(code)
        return Money.zero() if per_unit is None else per_unit * units

    def edition_year(self, day: date) -> int | None:
        """The year whose amounts apply on ``day`` (None: the schedule has no editions)."""
        if not self.editions:
            return None
        if day.year in self.editions:
            return day.year
        return min(self.editions, key=lambda y: (abs(y - day.year), -y))

    def rates_for(self, day: date) -> Mapping[str, Money]:
        """The per-unit amounts in force for a date of service."""
        year = self.edition_year(day)
        return self.allowed if year is None else self.editions[year]

    def scaled(self, rate: Decimal, name: str) -> FeeSchedule:
        """Every amount times ``rate``, rounded to the cent per unit (a contract's %)."""

        def scale(rates: Mapping[str, Money]) -> dict[str, Money]:
            return {code: Money(round_cents(m.amount * rate)) for code, m in rates.items()}

        return FeeSchedule(
            name, scale(self.allowed), {y: scale(r) for y, r in self.editions.items()}
        )


def parse_fee_schedule(text: str, name: str) -> FeeSchedule:
    """A schedule from CSV text with the columns ``code`` and ``allowed`` (decimal strings)."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"code", "allowed"} <= set(reader.fieldnames):
        raise InputError.one(name, 1, None, "a fee schedule needs the columns code,allowed")
    out: dict[str, Money] = {}
    for number, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        if not code:
            raise InputError.one(name, number, "code", "is empty")
        try:
            out[code] = Money.of(row.get("allowed") or "")
        except (TypeError, ValueError) as exc:
            raise InputError.one(name, number, "allowed", str(exc)) from None
    return FeeSchedule(name, out)


@cache
def default_fee_schedule() -> FeeSchedule:
    """Medicare's national non-facility amounts from the shipped PFS years (``domain.pfs``)."""
    years = pfs_years()
    editions = {year: pfs.national_amounts() for year, pfs in sorted(years.items())}
    releases = ", ".join(f"{y} {p.release}" for y, p in sorted(years.items()))
    return FeeSchedule(
        f"CMS PFS national non-facility ({releases})", editions[max(editions)], editions
    )
