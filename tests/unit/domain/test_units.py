"""The unit engine against the reference §1: CMS examples, the 0–130 table, properties."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from ptrcm.cli import app
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.units import UnitMethod, compute_units, per_code_units, total_units_cms

CATALOG = load_catalog()
TIMED_15 = sorted(c for c in CATALOG.timed_15 if CATALOG[c].add_on_of is None and c != "97129")

# Reference §1.1: the table of total minutes to units, written out as ranges.
REFERENCE_TABLE = [
    (0, 7, 0), (8, 22, 1), (23, 37, 2), (38, 52, 3), (53, 67, 4), (68, 82, 5),
    (83, 97, 6), (98, 112, 7), (113, 127, 8), (128, 142, 9),
]  # fmt: skip


def table_units(minutes: int) -> int:
    return next(u for lo, hi, u in REFERENCE_TABLE if lo <= minutes <= hi)


def cli_units(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["units", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.output)
    return data


# --- CMS worked examples (MCPM ch. 5 §20.2), through `ptrcm units --format json` ---------


def test_24_and_23_minutes_give_two_units_to_the_larger_leftover() -> None:
    data = cli_units("97112=24", "97110=23")
    assert data["units"] == {"97112": 2, "97110": 1}
    assert data["total_timed_minutes"] == 47
    assert data["method"] == "cms"


def test_twenty_and_twenty_minutes_give_three_units_never_three_on_one_code() -> None:
    data = cli_units("97112=20", "97110=20")
    units = data["units"]
    assert isinstance(units, dict)
    assert sorted(units.values()) == [1, 2]
    assert data["ties"] == [{"leftover": 5, "codes": ["97112", "97110"], "chosen": ["97112"]}]


def test_seven_leftover_minutes_beat_three() -> None:
    data = cli_units("97110=33", "97140=7", "--explain")
    assert data["units"] == {"97110": 2, "97140": 1}
    explanation = data["explanation"]
    assert isinstance(explanation, list)
    assert "97140: 7 left over beats 3 → 1 unit" in explanation


def test_four_codes_of_49_minutes_give_three_units_and_nothing_to_the_smallest() -> None:
    data = cli_units("97110=18", "97140=13", "97116=10", "97035=8")
    assert data["units"] == {"97110": 1, "97140": 1, "97116": 1, "97035": 0}


def test_a_lone_service_under_eight_minutes_gets_no_unit() -> None:
    assert cli_units("97110=7")["units"] == {"97110": 0}


def test_several_short_services_pooling_to_eight_minutes_give_one_unit_to_the_longest() -> None:
    assert cli_units("97110=5", "97140=3")["units"] == {"97110": 1, "97140": 0}


def test_untimed_codes_get_one_unit_and_their_minutes_do_not_count() -> None:
    data = cli_units("97010=30", "97110=7")
    assert data["units"] == {"97010": 1, "97110": 0}
    assert data["total_timed_minutes"] == 7


# --- per-code comparison cases (reference §1.2) ---------------------------------------


@pytest.mark.parametrize(
    ("pairs", "cms", "ama"),
    [
        (["97110=33", "97140=7"], {"97110": 2, "97140": 1}, {"97110": 2, "97140": 0}),
        (["97112=24", "97110=23"], {"97112": 2, "97110": 1}, {"97112": 2, "97110": 2}),
        (["97110=7", "97140=7"], {"97110": 1, "97140": 0}, {"97110": 0, "97140": 0}),
        (
            ["97110=18", "97140=13", "97116=10", "97035=8"],
            {"97110": 1, "97140": 1, "97116": 1, "97035": 0},
            {"97110": 1, "97140": 1, "97116": 1, "97035": 1},
        ),
        (["97530=38"], {"97530": 3}, {"97530": 3}),
    ],
)
def test_per_code_method_differs_from_total_time_where_the_reference_says(
    pairs: list[str], cms: dict[str, int], ama: dict[str, int]
) -> None:
    assert cli_units(*pairs, "--method", "cms")["units"] == cms
    assert cli_units(*pairs, "--method", "ama")["units"] == ama


# --- every total from 0 to 130 minutes, both methods -----------------------------------


@pytest.mark.parametrize("minutes", range(131))
def test_every_total_from_0_to_130_minutes_matches_the_reference_table(minutes: int) -> None:
    expected = table_units(minutes)
    assert total_units_cms(minutes) == expected
    for method in UnitMethod:
        result = compute_units([("97110", minutes)], method, CATALOG)
        assert result.units == {"97110": expected}, method
    # Split over two codes: the total-time method still pools to the table's figure;
    # the per-code method counts each half on its own.
    a, b = minutes // 2, minutes - minutes // 2
    cms = compute_units([("97110", a), ("97140", b)], UnitMethod.CMS, CATALOG)
    assert sum(cms.units.values()) == expected
    ama = compute_units([("97110", a), ("97140", b)], UnitMethod.AMA, CATALOG)
    assert ama.units == {"97110": table_units(a), "97140": table_units(b)}


# --- properties -------------------------------------------------------------------------

services = st.lists(
    st.tuples(st.sampled_from(TIMED_15), st.integers(min_value=0, max_value=90)),
    min_size=1,
    max_size=6,
    unique_by=lambda pair: pair[0],
)


@given(services)
def test_total_time_units_sum_to_the_pooled_total(pairs: list[tuple[str, int]]) -> None:
    result = compute_units(pairs, UnitMethod.CMS, CATALOG)
    total = sum(m for _, m in pairs)
    assert sum(result.units.values()) == total_units_cms(total) == result.total_units


@given(services)
def test_per_code_units_sum_to_each_codes_own_units(pairs: list[tuple[str, int]]) -> None:
    result = compute_units(pairs, UnitMethod.AMA, CATALOG)
    assert sum(result.units.values()) == sum(per_code_units(m) for _, m in pairs)


@given(services)
def test_a_code_with_15k_minutes_gets_at_least_k_units_under_total_time(
    pairs: list[tuple[str, int]],
) -> None:
    result = compute_units(pairs, UnitMethod.CMS, CATALOG)
    for code, minutes in pairs:
        assert result.units[code] >= minutes // 15


@given(services)
def test_no_code_gets_a_unit_below_8_minutes_under_the_per_code_method(
    pairs: list[tuple[str, int]],
) -> None:
    result = compute_units(pairs, UnitMethod.AMA, CATALOG)
    for code, minutes in pairs:
        if minutes < 8:
            assert result.units[code] == 0


@given(services)
def test_no_code_gets_more_than_one_unit_beyond_its_full_units(
    pairs: list[tuple[str, int]],
) -> None:
    result = compute_units(pairs, UnitMethod.CMS, CATALOG)
    for code, minutes in pairs:
        assert result.units[code] <= minutes // 15 + 1


@given(services)
def test_the_result_is_the_same_every_time(pairs: list[tuple[str, int]]) -> None:
    assert compute_units(pairs, UnitMethod.CMS, CATALOG) == compute_units(
        pairs, UnitMethod.CMS, CATALOG
    )


# --- ties, add-ons, 30-minute codes, duplicates ----------------------------------------


def test_a_tie_goes_to_the_code_with_more_total_minutes_before_documentation_order() -> None:
    result = compute_units([("97110", 9), ("97112", 24)], UnitMethod.CMS, CATALOG)
    assert result.units == {"97110": 0, "97112": 2}
    assert result.ties[0].codes == ("97112", "97110")
    assert result.ties[0].chosen == ("97112",)


def test_an_equal_tie_goes_to_the_code_documented_first_and_is_reported() -> None:
    result = compute_units([("97140", 7), ("97110", 7)], UnitMethod.CMS, CATALOG)
    assert result.units == {"97140": 1, "97110": 0}
    assert any("provider's choice" in step for step in result.explain())


def test_cognitive_add_on_takes_the_units_after_the_first() -> None:
    result = compute_units([("97129", 20), ("97130", 18)], UnitMethod.CMS, CATALOG)
    assert result.units == {"97129": 1, "97130": 2}


def test_a_cognitive_session_documented_on_the_primary_alone_bills_only_its_first_unit() -> None:
    # CPT 2020: 97129 is the initial 15 minutes (once per day), 97130 each additional 15.
    # 38 minutes are 3 units: one of 97129 and two of 97130.
    result = compute_units([("97129", 38)], UnitMethod.CMS, CATALOG)
    assert result.units == {"97129": 1, "97130": 2}
    per_code = compute_units([("97129", 23)], UnitMethod.AMA, CATALOG)
    assert per_code.units == {"97129": 1, "97130": 1}
    assert compute_units([("97129", 22)], UnitMethod.CMS, CATALOG).units == {"97129": 1}


def test_thirty_minute_codes_are_not_pooled_and_need_16_minutes() -> None:
    result = compute_units([("98960", 15), ("97110", 7)], UnitMethod.CMS, CATALOG)
    assert result.units == {"98960": 0, "97110": 0}
    assert per_code_units(16, 30) == 1
    assert per_code_units(45, 30) == 1
    assert per_code_units(46, 30) == 2


def test_the_same_code_documented_twice_is_one_line_with_its_minutes_added() -> None:
    result = compute_units([("97110", 10), ("97110", 10)], UnitMethod.CMS, CATALOG)
    assert result.units == {"97110": 1}
    assert result.total_timed_minutes == 20


def test_a_timed_code_without_minutes_gets_no_unit() -> None:
    result = compute_units([("97110", None), ("97140", 20)], UnitMethod.CMS, CATALOG)
    assert result.units == {"97110": 0, "97140": 1}


def test_units_cli_rejects_unknown_codes_and_bad_minutes_with_exit_2() -> None:
    runner = CliRunner()
    bad_minutes = runner.invoke(app, ["units", "97110=ten"])
    assert bad_minutes.exit_code == 2
    assert "97110=ten" in bad_minutes.output
    unknown = runner.invoke(app, ["units", "99999=10"])
    assert unknown.exit_code == 2
    no_minutes = runner.invoke(app, ["units", "97110"])
    assert no_minutes.exit_code == 2
