"""Chart-audit KPIs (docs/kpis.md, "Documentation audits"): the audit pass rate by
therapist or location, from each record's latest round across the audits chosen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from ptrcm.domain.chart_audit.stored import StoredResult
from ptrcm.services.chart_audit.audits import latest_round

GROUPS = ("therapist", "location")


@dataclass(frozen=True, slots=True)
class PassRate:
    group: str  # the therapist key or location id ("(none)" without one)
    records: int
    passed: int
    significant_findings: int

    @property
    def rate(self) -> Decimal | None:
        """Share of records without a significant finding, four places; None without any."""
        if not self.records:
            return None
        return (Decimal(self.passed) / Decimal(self.records)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_EVEN
        )


def pass_rates(results: Sequence[StoredResult], by: str = "therapist") -> list[PassRate]:
    """The audit pass rate per therapist (or location), plus an "all" row: each record
    counted once, by its latest result (highest round; of equal rounds, the later audit)."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {GROUPS}")
    latest = latest_round(results)
    groups: dict[str, list[StoredResult]] = {}
    for r in latest:
        key = (r.therapist if by == "therapist" else r.location) or "(none)"
        groups.setdefault(key, []).append(r)
    out = [_rate(k, v) for k, v in sorted(groups.items())]
    out.append(_rate("all", latest))
    return out


def _rate(group: str, rows: Sequence[StoredResult]) -> PassRate:
    significant = sum(1 for r in rows for _, sev in r.findings if sev == "significant")
    return PassRate(group, len(rows), sum(1 for r in rows if r.passed), significant)
