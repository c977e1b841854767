"""CQ/CO per billed unit: CMS's "Billing Examples Using CQ/CO Modifiers for Services
Furnished In Whole or In Part by PTAs and OTAs" and the CY 2022 PFS final rule (86 FR
64996). Each case names the scenario it encodes."""

from __future__ import annotations

from datetime import date

import pytest

from ptrcm.config import load_config
from ptrcm.domain.assistants import assistant_units, final_unit_rule_on
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.contracts import default_contract, expected_allowed
from ptrcm.domain.visits import Provider, Service, Visit
from ptrcm.services.claims.charging import charge_visit

CATALOG = load_catalog()
CONFIG = load_config()


def _visit(*services: Service, day: date = date(2026, 3, 2)) -> Visit:
    return Visit(
        visit_id="V-1",
        patient_id="P-1",
        date_of_service=day,
        payer_id="MEDICARE",
        discipline="PT",
        rendering=Provider("PTA", "1234567893"),
        supervising=Provider("PT", "1245319599", "Ana Ruiz"),
        services=services,
        diagnoses=("M54.16",),
    )


def _lines(
    *services: Service, day: date = date(2026, 3, 2)
) -> list[tuple[str, tuple[str, ...], int]]:
    charges = charge_visit(_visit(*services, day=day), CONFIG, CATALOG)
    return [(ln.code, ln.modifiers, ln.units) for ln in charges.lines]


def test_cms_example_pta_23_and_pt_13_minutes_of_97110_with_pt_30_of_97140() -> None:
    # CMS billing examples: PTA 23 and PT 13 minutes of 97110, PT 30 minutes of 97140;
    # 66 minutes, 4 units. The PTA's full 15 minutes are a CQ unit; the last 97110 unit
    # is the PT's (13 leftover minutes reach 8 on their own); 97140 is the PT's.
    lines = _lines(Service("97110", 36, assistant_minutes=23), Service("97140", 30))
    assert lines == [
        ("97110", ("GP",), 1),
        ("97110", ("GP", "CQ"), 1),
        ("97140", ("GP",), 2),
    ]


def test_a_unit_the_assistant_furnished_in_whole_carries_cq() -> None:
    # 86 FR 64996: a 15-minute unit the PTA furnishes in whole, without the PT.
    assert _lines(Service("97110", 15, assistant_minutes=15)) == [("97110", ("GP", "CQ"), 1)]


def test_assistant_eight_minutes_of_the_final_unit_and_therapist_fewer_carry_cq() -> None:
    # 86 FR 64996: the PTA furnishes 8 or more minutes of the final unit, the PT fewer.
    lines = _lines(Service("97110", 24, assistant_minutes=9))
    assert lines == [("97110", ("GP",), 1), ("97110", ("GP", "CQ"), 1)]


def test_therapist_meeting_the_threshold_bills_the_final_unit_without_cq() -> None:
    # CY 2022 revision: the PT's 10 minutes reach the 8-minute threshold on their own, so
    # the one unit is billed without CQ although the PTA furnished 10 of its 20 minutes.
    assert _lines(Service("97110", 20, assistant_minutes=10)) == [("97110", ("GP",), 1)]


def test_both_under_eight_minutes_of_the_final_unit_the_ten_percent_standard_decides() -> None:
    # 86 FR 64996: PT and PTA each under 8 minutes of the final unit: de minimis 10%.
    assert _lines(Service("97110", 12, assistant_minutes=5)) == [("97110", ("GP", "CQ"), 1)]
    # PT 22 (a full unit and 7 left over) and PTA 1: the final unit's 8 minutes hold 1 of
    # the PTA's, over 10%.
    assert assistant_units(2, 23, 1, timed=True) == 1


def test_before_2022_the_final_unit_follows_the_ten_percent_standard() -> None:
    # CY 2020 rule (84 FR 62702-62707): 10% de minimis per billed unit; the CY 2022 final
    # unit threshold does not apply yet.
    assert final_unit_rule_on(date(2021, 12, 31)) == "de_minimis"
    assert final_unit_rule_on(date(2022, 1, 1)) == "threshold"
    lines = _lines(Service("97110", 20, assistant_minutes=10), day=date(2021, 6, 1))
    assert lines == [("97110", ("GP", "CQ"), 1)]


@pytest.mark.parametrize(
    ("minutes", "assistant", "expected"),
    [(30, 3, 0), (30, 4, 1), (10, 1, 0), (10, 2, 1)],
)
def test_an_untimed_service_carries_cq_over_ten_percent(
    minutes: int, assistant: int, expected: int
) -> None:
    assert assistant_units(1, minutes, assistant, timed=False) == expected


def test_evaluations_never_get_an_assistant_modifier() -> None:
    assert _lines(Service("97161", 45, assistant_minutes=45)) == [("97161", ("GP",), 1)]


def test_expected_payment_reduces_only_the_cq_units_to_85_percent() -> None:
    charges = charge_visit(_visit(Service("97110", 30, assistant_minutes=15)), CONFIG, CATALOG)
    assert [(ln.modifiers, ln.units) for ln in charges.lines] == [
        (("GP",), 1),
        (("GP", "CQ"), 1),
    ]
    contract = default_contract("MEDICARE", "medicare")
    items = expected_allowed(charges.lines, contract)
    kinds = [[s.term for s in item.steps] for item in items]
    assert "assistant_cq_co" not in kinds[0]
    assert "assistant_cq_co" in kinds[1]
