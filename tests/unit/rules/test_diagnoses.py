"""D rules: each fires on its defect and stays quiet on clean data (real ICD-10-CM set)."""

from __future__ import annotations

from ptrcm.domain.visits import Provider, Service, Visit
from ptrcm.rules import diagnoses as d
from ptrcm.rules.packs import builtin_packs

from .builders import make_context, make_pack, make_visit


def _slp_visit(*diagnoses: str) -> Visit:
    return make_visit(
        discipline="SLP",
        rendering=Provider(credential="SLP", npi="1234567893"),
        services=(Service("92507"),),
        diagnoses=diagnoses,
    )


def test_d001_fires_on_a_code_that_does_not_exist() -> None:
    ctx = make_context(make_visit(diagnoses=("M54.16", "M54.99")))
    (hit,) = d.check_code_exists(ctx)
    assert "Diagnosis 2 'M54.99'" in hit.message and hit.line is None


def test_d001_does_not_fire_on_m54_16() -> None:
    assert list(d.check_code_exists(make_context(make_visit(diagnoses=("M54.16",))))) == []


def test_d001_does_not_fire_on_a_code_written_without_its_dot() -> None:
    assert list(d.check_code_exists(make_context(make_visit(diagnoses=("M5416",))))) == []


def test_d002_fires_on_a_category_that_has_subcodes() -> None:
    (hit,) = d.check_code_billable(make_context(make_visit(diagnoses=("M54.1",))))
    assert "M54.1 is a category" in hit.message


def test_d002_does_not_fire_on_a_code_that_does_not_exist_which_is_d001s() -> None:
    assert list(d.check_code_billable(make_context(make_visit(diagnoses=("M54.99",))))) == []


def test_d002_does_not_fire_on_a_leaf_code() -> None:
    visit = make_visit(diagnoses=("M54.16", "S33.5XXA"))
    assert list(d.check_code_billable(make_context(visit))) == []


def test_d003_fires_once_for_the_visit_when_there_is_no_diagnosis() -> None:
    (hit,) = d.check_pointers(make_context(make_visit(diagnoses=())))
    assert hit.line is None and "no diagnosis" in hit.message


def test_d003_fires_on_a_line_pointing_past_the_last_diagnosis() -> None:
    services = (Service("97110", minutes=30, dx_pointers=(1, 3)), Service("97140", minutes=10))
    (hit,) = d.check_pointers(make_context(make_visit(services=services)))
    assert (hit.line, hit.code) == (1, "97110") and "diagnosis 3" in hit.message


def test_d003_does_not_fire_when_every_pointer_names_a_diagnosis() -> None:
    services = (Service("97110", minutes=30, dx_pointers=(2,)), Service("97140", minutes=10))
    assert list(d.check_pointers(make_context(make_visit(services=services)))) == []


def test_d004_fires_on_a_fall_listed_first() -> None:
    (hit,) = d.check_external_cause_first(
        make_context(make_visit(diagnoses=("W19.XXXA", "S33.5XXA")))
    )
    assert "W19.XXXA" in hit.message


def test_d004_does_not_fire_when_the_external_cause_is_secondary() -> None:
    visit = make_visit(diagnoses=("S33.5XXA", "W19.XXXA"))
    assert list(d.check_external_cause_first(make_context(visit))) == []


def test_d005_fires_on_speech_therapy_for_low_back_pain() -> None:
    (hit,) = d.check_crosswalk(make_context(_slp_visit("M54.16")))
    assert (hit.line, hit.code) == (1, "92507") and "M54.16" in hit.message


def test_d005_does_not_fire_on_speech_therapy_for_dysphagia() -> None:
    ctx = make_context(_slp_visit("R13.12"))
    assert list(d.check_crosswalk(ctx)) == []


def test_d005_does_not_fire_on_therapeutic_exercise_for_radiculopathy() -> None:
    assert list(d.check_crosswalk(make_context())) == []


def test_d005_fires_when_no_pointed_diagnosis_is_a_therapy_condition() -> None:
    services = (Service("97110", minutes=30, dx_pointers=(1,)), Service("97140", minutes=10))
    visit = make_visit(diagnoses=("E11.9", "M62.81"), services=services)
    found = list(d.check_crosswalk(make_context(visit)))
    assert [(h.line, h.code) for h in found] == [(1, "97110")]


def test_d005_reads_the_payers_prefix_list_from_the_pack() -> None:
    visit = make_visit(diagnoses=("S33.5XXA",))
    pack = make_pack(therapy_dx_prefixes=["M"])
    assert len(list(d.check_crosswalk(make_context(visit, pack=pack)))) == 2


def test_d005_reads_a_code_specific_crosswalk_row_from_the_pack() -> None:
    pack = make_pack(dx_crosswalk=[{"codes": ["92507"], "prefixes": ["M54.1"]}])
    ctx = make_context(_slp_visit("M54.16"), pack=pack)
    assert list(d.check_crosswalk(ctx)) == []


def test_d005_default_prefixes_agree_with_the_shipped_medicare_pack() -> None:
    medicare = builtin_packs()["medicare"].versions[-1]
    assert tuple(medicare.param("therapy_dx_prefixes")) == d.DEFAULT_THERAPY_DX_PREFIXES
