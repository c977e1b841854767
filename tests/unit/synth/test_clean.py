"""Clean synthetic visits are billed right and look like a real outpatient rehab clinic."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from itertools import pairwise

from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.fees import default_fee_schedule
from ptrcm.domain.money import Money
from ptrcm.rules.kx import lines_allowed
from ptrcm.synth.schedule import is_open
from ptrcm.synth.tables import kx_group, kx_threshold, load_tables
from tests.unit.synth.checks import (
    ASSIST,
    CATALOG,
    DISC,
    PAIRS,
    PAYERS,
    assistant_counts,
    engine_units,
    icd_billable,
    icd_exists,
    timed_minutes,
)
from tests.unit.synth.conftest import Run


def _day(value: str) -> date:
    return date.fromisoformat(value)


def test_billed_units_are_the_unit_engines_for_the_payers_method(clean_run: Run) -> None:
    for v in clean_run.visits:
        units = engine_units(v)
        billed: Counter[str] = Counter()
        for s in v["services"]:
            billed[s["code"]] += s["units"]
        assert all(units[c] == n >= 1 for c, n in billed.items()), v["visit_id"]


def test_discipline_modifier_on_every_line_and_assistant_modifier_on_each_assistant_unit(
    clean_run: Run,
) -> None:
    # CQ/CO per billed unit (CMS CQ/CO billing examples; CY 2022 PFS final rule).
    assisted = split = 0
    for v in clean_run.visits:
        for s in v["services"]:
            assert s["modifiers"][0] == DISC[v["discipline"]]
            assisted += ASSIST.get(v["discipline"]) in s["modifiers"]
        for expected, billed in assistant_counts(v).values():
            assert expected == billed, v["visit_id"]
        codes = [s["code"] for s in v["services"]]
        split += len(codes) - len(set(codes))
        if v["rendering"]["credential"] in ("PTA", "OTA"):
            assert v["supervising"]["credential"] == v["rendering"]["credential"][:2]
    assert assisted > 100 and split > 0


def _allowed(v: dict[str, object]) -> Decimal:
    """The visit's allowed amount as the scrubber's KX count takes it (after MPPR, CQ/CO)."""
    services = v["services"]
    assert isinstance(services, list)
    lines = [
        ClaimLine(i, DAY, s["code"], tuple(s["modifiers"]), s["units"], s["units"],
                  Money.zero(), (1,))
        for i, s in enumerate(services, start=1)
    ]  # fmt: skip
    return lines_allowed(lines, default_fee_schedule())


DAY = date(2026, 1, 1)


def test_kx_exactly_when_the_year_to_date_amount_with_the_visit_passes_the_threshold(
    clean_run: Run,
) -> None:
    with_kx = 0
    for v in clean_run.visits:
        kx = [("KX" in s["modifiers"]) for s in v["services"]]
        if v["payer_id"] != "MEDICARE":
            assert not any(kx)
            continue
        allowed = _allowed(v)
        over = Decimal(v["kx_ytd_allowed"]) + allowed > kx_threshold(
            _day(v["date_of_service"]).year
        )
        assert kx == [over] * len(kx), v["visit_id"]
        with_kx += over
    assert with_kx > 20


def test_kx_amounts_run_per_year_and_threshold_group(clean_run: Run) -> None:
    last: dict[tuple[str, int, str], Decimal] = {}
    for v in clean_run.visits:
        if v["payer_id"] != "MEDICARE":
            continue
        key = (v["patient_id"], _day(v["date_of_service"]).year, kx_group(v["discipline"]))
        ytd = Decimal(v["kx_ytd_allowed"])
        assert ytd >= last.get(key, Decimal(0))
        last[key] = ytd + _allowed(v)


def test_diagnoses_are_billable_icd10_cm_codes(clean_run: Run) -> None:
    codes = {d for v in clean_run.visits for d in v["diagnoses"]}
    assert len(codes) > 40
    assert [c for c in codes if not icd_billable(c)] == []


def test_every_diagnosis_in_the_tables_is_billable_and_every_invalid_one_is_not() -> None:
    tables = load_tables()
    listed = {c for cond in tables.conditions for combo in cond.dx for c in combo}
    listed |= {c for cond in tables.conditions for c in cond.extra}
    assert [c for c in sorted(listed) if not icd_billable(c)] == []
    assert [c for c in tables.invalid_diagnoses if icd_exists(c)] == []
    assert [c for c in tables.invalid_siblings.values() if icd_exists(c)] == []
    assert set(tables.invalid_siblings) >= listed
    assert all(icd_billable(c) and c[0] in "VWXY" for c in tables.external_causes)
    for code in listed:  # D002 truncates a billable code to its parent
        parent = code[:-1].rstrip(".")
        assert icd_exists(parent) and not icd_billable(parent), code


def test_no_ncci_pair_and_no_code_twice_for_a_patient_on_one_date(clean_run: Run) -> None:
    per_day: dict[tuple[str, str], list[str]] = defaultdict(list)
    for v in clean_run.visits:
        codes = {s["code"] for s in v["services"]}
        assert not [p for p in PAIRS if set(p) <= codes], v["visit_id"]
        per_day[(v["patient_id"], v["date_of_service"])].extend(codes)
    assert all(len(c) == len(set(c)) for c in per_day.values())


def test_minutes_totals_and_counters_are_consistent(clean_run: Run) -> None:
    for v in clean_run.visits:
        dos = _day(v["date_of_service"])
        assert v["total_timed_minutes"] == timed_minutes(v)
        assert v["total_treatment_minutes"] >= v["total_timed_minutes"]
        plan = v["plan_of_care"]
        assert _day(plan["start"]) <= dos <= _day(plan["through"])
        assert 0 < (_day(plan["certified_on"]) - _day(plan["start"])).days <= 30
        assert (_day(plan["through"]) - _day(plan["start"])).days <= 90
        assert 0 <= v["episode_visit_number"] - v["last_progress_report_visit"] <= 9
        assert 0 <= (dos - _day(v["eligibility_verified_on"])).days <= 30
        assert v["coverage"]["active"] and _day(v["coverage"]["start"]) <= dos
        payer = PAYERS[v["payer_id"]]
        assert ("authorization" in v) == payer.auth_required
        if payer.auth_required:
            auth = v["authorization"]
            assert auth["visits_used"] < auth["visits_authorized"]
            assert _day(auth["start"]) <= dos <= _day(auth["end"])
        if payer.visit_limit_per_year is not None:
            assert v["benefits"]["visits_used"] < v["benefits"]["visit_limit"]
        for s in v["services"]:
            assert (s.get("minutes") is not None) == CATALOG.is_timed(s["code"])
            assert s["code"] != "97014" or v["payer_id"] not in ("MEDICARE", "MEDICARE_ADV")


def test_progress_reports_come_at_least_every_ten_treatment_days(clean_run: Run) -> None:
    episodes: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for v in clean_run.visits:
        key = (v["patient_id"], v["discipline"])
        episodes[key].append((v["episode_visit_number"], v["last_progress_report_visit"]))
    long_ones = [e for e in episodes.values() if len(e) > 12]
    assert long_ones
    for seq in long_ones:
        reports = sorted({last for _, last in seq})
        assert all(b - a <= 9 for a, b in pairwise(reports))


def test_pt_no_show_rate_is_about_eleven_percent(clean_run: Run) -> None:
    pt = [a for a in clean_run.appointments if a["discipline"] == "PT"]
    rate = sum(a["status"] == "no_show" for a in pt) / len(pt)
    assert 0.08 <= rate <= 0.14
    late = sum(a["status"] == "late_cancel" for a in pt) / len(pt)
    assert 0.03 <= late <= 0.09


def test_no_shows_vary_by_hour(clean_run: Run) -> None:
    by_hour: dict[int, list[bool]] = defaultdict(list)
    for a in clean_run.appointments:
        by_hour[int(a["start"][:2])].append(a["status"] == "no_show")
    early_late = by_hour[7] + by_hour[17] + by_hour[18]
    midday = by_hour[9] + by_hour[10] + by_hour[11]
    assert sum(early_late) / len(early_late) > sum(midday) / len(midday)


def test_medicare_has_about_a_third_of_visits_and_pt_the_most(clean_run: Run) -> None:
    payers = Counter(v["payer_id"] for v in clean_run.visits)
    assert 0.25 <= payers["MEDICARE"] / len(clean_run.visits) <= 0.42
    assert set(payers) == set(PAYERS)
    disciplines = Counter(v["discipline"] for v in clean_run.visits)
    assert disciplines["PT"] > disciplines["OT"] + disciplines["SLP"]
    assert disciplines["OT"] > 0 and disciplines["SLP"] > 0


def test_medicare_patients_are_mostly_65_or_older(clean_run: Run) -> None:
    ages = []
    for v in clean_run.visits:
        if v["payer_id"] == "MEDICARE":
            born, dos = _day(v["patient"]["birth_date"]), _day(v["date_of_service"])
            ages.append((dos - born).days // 365)
    assert sum(a >= 65 for a in ages) / len(ages) > 0.85


def test_late_december_is_quieter_than_january(clean_run: Run) -> None:
    def per_open_day(first: date, last: date) -> float:
        days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
        open_days = sum(is_open(d) for d in days)
        visits = sum(first <= _day(v["date_of_service"]) <= last for v in clean_run.visits)
        return visits / open_days

    assert per_open_day(date(2025, 12, 20), date(2025, 12, 31)) < per_open_day(
        date(2026, 1, 12), date(2026, 1, 31)
    )
    assert all(is_open(_day(v["date_of_service"])) for v in clean_run.visits)


def test_evaluations_open_episodes_and_assistants_render_some_visits(clean_run: Run) -> None:
    firsts = [v for v in clean_run.visits if v["episode_visit_number"] == 1]
    assert firsts and all(v["visit_type"] == "evaluation" for v in firsts)
    credentials = Counter(v["rendering"]["credential"] for v in clean_run.visits)
    assert credentials["PTA"] > 0 and credentials["OTA"] > 0
    assert Counter(v["place_of_service"] for v in clean_run.visits)["11"] > 0.9 * len(
        clean_run.visits
    )
