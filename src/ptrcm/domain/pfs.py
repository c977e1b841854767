"""Medicare Physician Fee Schedule relative values, per code and calendar year.

Shipped as package data, one file per year (``data/pfs_rvu_YYYY.toml``), each copied
from CMS's published PFS Relative Value File and naming its release (e.g. RVU26C), file
name and where it was read. The national non-facility amount of a code is
``total RVU x conversion factor`` (GPCI 1.000), rounded to the cent as CMS's fee
schedule amounts are; its practice-expense (PE) share, ``PE RVU / total RVU``, is what the
therapy multiple procedure payment reduction takes half of (reference §6).

A date of service in a year without a shipped file uses the nearest shipped year;
``pfs_for`` says when it did, and every step built from it says so too.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

from ptrcm.domain.money import Money, round_cents

PFS_FILES = ("pfs_rvu_2025.toml", "pfs_rvu_2026.toml")
# PFS status codes paid from their RVUs (A active, R restricted coverage, T paid when no
# other service is billed); B bundled, I not valid for Medicare, N non-covered are not.
PAYABLE_STATUSES = frozenset({"A", "R", "T"})
THERAPY_MPPR_INDICATOR = "5"  # MULT PROC 5: 50% of PE for certain therapy services


@dataclass(frozen=True, slots=True)
class RelativeValues:
    """One code's row of the PFS Relative Value File (national, no modifier)."""

    code: str
    status: str
    work: Decimal
    pe_nonfacility: Decimal
    pe_facility: Decimal
    mp: Decimal
    mult_proc: str
    confirmed: bool = True

    @property
    def total_nonfacility(self) -> Decimal:
        return self.work + self.pe_nonfacility + self.mp

    @property
    def pe_share(self) -> Decimal:
        """Non-facility PE RVU over the total non-facility RVU (0 when the total is 0)."""
        total = self.total_nonfacility
        return self.pe_nonfacility / total if total else Decimal(0)

    @property
    def payable(self) -> bool:
        return self.status in PAYABLE_STATUSES

    @property
    def therapy_mppr(self) -> bool:
        """Subject to the therapy MPPR (MULT PROC indicator 5)."""
        return self.mult_proc == THERAPY_MPPR_INDICATOR


@dataclass(frozen=True, slots=True)
class PfsYear:
    """One calendar year's relative values, conversion factor and source."""

    year: int
    release: str
    source_file: str
    read_from: str
    conversion_factor: Decimal
    values: Mapping[str, RelativeValues]
    note: str = ""

    @property
    def label(self) -> str:
        return f"CMS PFS {self.year} {self.release} ({self.source_file})"

    def national_amount(self, code: str) -> Money | None:
        """Non-facility national amount of one unit; 0 when not payable; None when absent."""
        rv = self.values.get(code)
        if rv is None:
            return None
        if not rv.payable:
            return Money.zero()
        return Money(round_cents(rv.total_nonfacility * self.conversion_factor))

    def national_amounts(self) -> dict[str, Money]:
        return {code: m for code in self.values if (m := self.national_amount(code)) is not None}


def _decimal(raw: Any, where: str) -> Decimal:
    if not isinstance(raw, str):
        raise ValueError(f"{where}: must be a decimal string")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{where}: {raw!r} is not a decimal") from None
    if value < 0:
        raise ValueError(f"{where}: must not be negative")
    return value


def parse_pfs(text: str, name: str) -> PfsYear:
    """One year's file (TOML: ``[meta]`` year, release, source, CF; ``[codes]`` rows)."""
    doc = tomllib.loads(text)
    meta = doc.get("meta", {})
    for key in ("year", "release", "source_file", "read_from", "conversion_factor"):
        if key not in meta:
            raise ValueError(f"{name}: meta.{key} is missing")
    values: dict[str, RelativeValues] = {}
    for code, row in doc.get("codes", {}).items():
        where = f"{name}: codes.{code}"
        rv = RelativeValues(
            code=code,
            status=str(row["status"]),
            work=_decimal(row["work"], f"{where}.work"),
            pe_nonfacility=_decimal(row["pe_nonfacility"], f"{where}.pe_nonfacility"),
            pe_facility=_decimal(row["pe_facility"], f"{where}.pe_facility"),
            mp=_decimal(row["mp"], f"{where}.mp"),
            mult_proc=str(row["mult_proc"]),
            confirmed=bool(row.get("confirmed", True)),
        )
        total = row.get("total_nonfacility")
        if total is not None and _decimal(total, f"{where}.total_nonfacility") != (
            rv.total_nonfacility
        ):
            raise ValueError(f"{where}: work + PE + MP is not the file's total")
        values[code] = rv
    return PfsYear(
        year=int(meta["year"]),
        release=str(meta["release"]),
        source_file=str(meta["source_file"]),
        read_from=str(meta["read_from"]),
        conversion_factor=_decimal(meta["conversion_factor"], f"{name}: meta.conversion_factor"),
        values=values,
        note=str(meta.get("note", "")),
    )


@cache
def pfs_years() -> Mapping[int, PfsYear]:
    """Every shipped year's relative values, by year (parsed once)."""
    out: dict[int, PfsYear] = {}
    for name in PFS_FILES:
        text = resources.files("ptrcm.data").joinpath(name).read_text(encoding="utf-8")
        pfs = parse_pfs(text, name)
        out[pfs.year] = pfs
    return out


def pfs_for(day: date, years: Mapping[int, PfsYear] | None = None) -> PfsYear:
    """The PFS year of a date of service: its own year, else the nearest shipped one."""
    table = pfs_years() if years is None else years
    if not table:
        raise ValueError("no PFS relative values are loaded")
    if day.year in table:
        return table[day.year]
    return table[min(table, key=lambda y: (abs(y - day.year), -y))]


def substitution_note(pfs: PfsYear, day: date) -> str:
    """Text saying a year's values stand in for another year's (empty when they do not)."""
    if pfs.year == day.year:
        return ""
    return f" [unconfirmed: no PFS file shipped for {day.year}; {pfs.year} values used]"
