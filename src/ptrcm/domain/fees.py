"""Fee schedules: the allowed amount per unit of a code.

The built-in default (``data/fees_default.csv``) is a Medicare-like *illustrative* schedule
[D]: the figures are in the range of national non-facility amounts but were not taken
from the CMS physician fee schedule files, which were not gathered. A payer's own schedule
(CSV ``code,allowed``) replaces it through ``fee_schedule`` in ``ptrcm.toml``. The KX
threshold's year-to-date amount, expected payments and the synthetic payer all use the
same schedule, so they agree with each other.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ptrcm.domain.money import Money
from ptrcm.errors import InputError


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    name: str
    allowed: Mapping[str, Money]

    def allowed_for(self, code: str, units: int = 1) -> Money:
        """Allowed amount for ``units`` of ``code``; zero for a code the schedule lacks."""
        per_unit = self.allowed.get(code)
        return Money.zero() if per_unit is None else per_unit * units


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
    text = resources.files("ptrcm.data").joinpath("fees_default.csv").read_text(encoding="utf-8")
    return parse_fee_schedule(text, "built-in Medicare-like default")
