"""270 eligibility and 276 claim status requests: structure, codes and counts.

pyx12 has no 5010 maps for these, so the checks are ptrcm's own.
"""

from __future__ import annotations

from datetime import date

from ptrcm.domain.visits import Person
from ptrcm.x12.eligibility.write270 import (
    EligibilityInquiry,
    service_types_for,
    write_270,
    write_276,
)
from ptrcm.x12.envelope import CounterControlNumbers
from tests.unit.x12_write import factory as f

CARLOS = Person("Carlos", "Lopez", date(1949, 2, 3), "M")
MARIA = Person("Maria", "Lopez", date(1951, 6, 14), "F")


def _hl_parents_are_earlier_levels(segs: list[str]) -> bool:
    seen: set[str] = set()
    for s in segs:
        if s.startswith("HL*"):
            parts = s.split("*")
            if parts[2] and parts[2] not in seen:
                return False
            seen.add(parts[1])
    return True


def _se_count_is_right(segs: list[str]) -> bool:
    start = next(i for i, s in enumerate(segs) if s.startswith("ST*"))
    end = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    return segs[end].split("*")[1] == str(end - start + 1)


def test_service_types_follow_the_discipline_with_30_as_the_generic_inquiry() -> None:
    assert service_types_for("PT") == ("AE",)
    assert service_types_for("OT") == ("AD",)
    assert service_types_for("SLP") == ("AF",)
    assert service_types_for(None) == ("30",)


def test_a_270_for_a_dependent_asks_at_the_dependent_level() -> None:
    q = EligibilityInquiry("E1", CARLOS, "1EG4", date(2026, 3, 2), ("AE",), MARIA)
    text = write_270(
        [q], f.CONFIG.payers["COMMERCIAL"], f.CONFIG.clinic, f.SETTINGS,
        CounterControlNumbers(), f.NOW,
    )  # fmt: skip
    segs = f.segments(text)
    assert segs[1].startswith("GS*HS*") and segs[2] == "ST*270*0001*005010X279A1"
    assert "HL*3*2*22*1" in segs and "HL*4*3*23*0" in segs
    assert segs.index("NM1*03*1*Lopez*Maria") < segs.index("EQ*AE")
    assert "NM1*IL*1*Lopez*Carlos****MI*1EG4" in segs
    assert _hl_parents_are_earlier_levels(segs) and _se_count_is_right(segs)


def test_a_276_carries_each_claims_control_number_charge_and_dates() -> None:
    claims = [f.claim(subscriber=f.SUBSCRIBER), f.claim(visit_id="V-9")]
    text = write_276(
        claims, f.CONFIG.payers["MEDICARE"], f.CONFIG.clinic, f.SETTINGS,
        CounterControlNumbers(), f.NOW,
    )  # fmt: skip
    segs = f.segments(text)
    assert segs[1].startswith("GS*HR*") and segs[2] == "ST*276*0001*005010X212"
    assert "TRN*1*V-1001" in segs and "TRN*1*V-9" in segs
    assert f"AMT*T3*{claims[0].total_charge.amount.normalize():f}" in segs
    assert "DTP*472*RD8*20260302-20260302" in segs
    assert "NM1*QC*1*Lopez*Maria" in segs
    assert _hl_parents_are_earlier_levels(segs) and _se_count_is_right(segs)
