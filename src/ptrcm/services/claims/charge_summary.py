"""A biller's summary of charge building over a visit file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.codes import Catalog
from ptrcm.domain.visits import Visit
from ptrcm.services.claims.charging import charge_visit


@dataclass
class PayerTotals:
    visits: int = 0
    lines: int = 0
    units: int = 0
    charges: Decimal = Decimal("0.00")


@dataclass
class ChargeSummary:
    visits: int = 0
    lines: int = 0
    units: int = 0
    timed_minutes: int = 0
    timed_units: int = 0
    charges: Decimal = Decimal("0.00")
    by_payer: dict[str, PayerTotals] = field(default_factory=dict)
    units_by_code: Counter[str] = field(default_factory=Counter)
    units_differ: int = 0  # lines where the EMR's billed units differ from the payer's method
    dropped: Counter[str] = field(default_factory=Counter)  # documented, zero units
    ties: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "visits": self.visits,
            "lines": self.lines,
            "units": self.units,
            "timed_minutes": self.timed_minutes,
            "charges": str(self.charges),
            "timed_units": self.timed_units,
            "minutes_per_timed_unit": _ratio(self.timed_minutes, self.timed_units),
            "by_payer": {
                k: {
                    "visits": v.visits,
                    "lines": v.lines,
                    "units": v.units,
                    "charges": str(v.charges),
                }
                for k, v in sorted(self.by_payer.items())
            },
            "units_by_code": dict(self.units_by_code.most_common()),
            "lines_with_units_differing_from_payer_method": self.units_differ,
            "documented_but_not_billable": dict(self.dropped.most_common()),
            "visits_with_unit_ties": self.ties,
        }


def _ratio(a: int, b: int) -> str | None:
    return None if b == 0 else str((Decimal(a) / Decimal(b)).quantize(Decimal("0.1")))


def summarize_charges(visits: Iterable[Visit], config: Config, catalog: Catalog) -> ChargeSummary:
    """Charge every visit by its payer's method and total the result for a biller."""
    s = ChargeSummary()
    for visit in visits:
        charges = charge_visit(visit, config, catalog)
        payer = s.by_payer.setdefault(visit.payer_id, PayerTotals())
        s.visits += 1
        payer.visits += 1
        s.timed_minutes += charges.unit_result.total_timed_minutes
        s.timed_units += charges.unit_result.total_units
        s.ties += bool(charges.unit_result.ties)
        for code in charges.dropped:
            s.dropped[code] += 1
        for line in charges.lines:
            s.lines += 1
            payer.lines += 1
            s.units += line.units
            payer.units += line.units
            s.charges += line.charge.amount
            payer.charges += line.charge.amount
            s.units_by_code[line.code] += line.units
            s.units_differ += line.units != line.expected_units
    return s
