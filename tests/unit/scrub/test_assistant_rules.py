"""CQ/CO per billed unit (M003/M004), assistants' visits (M008-M010) and codes of another
discipline (M011), through the pure engine. Sources: CMS "Billing Examples Using CQ/CO
Modifiers"; CY 2022 PFS final rule (86 FR 64996); MBPM ch. 15 §230.1-230.2."""

from __future__ import annotations

from typing import Any

from .factory import base, findings, service

SUPERVISOR = {"npi": "1245319599", "name": "Ana Ruiz", "credential": "PT"}


def _pta(**changes: Any) -> dict[str, Any]:
    record = base(
        rendering={"npi": "1234567893", "credential": "PTA", "name": "Lee Park"},
        supervising=SUPERVISOR,
        **changes,
    )
    service(record, "97110")["assistant_minutes"] = 30
    return record


def _cms_example(**fields: Any) -> dict[str, Any]:
    # CMS billing examples: PTA 23 + PT 13 minutes of 97110, PT 30 minutes of 97140.
    services = [
        {"code": "97110", "minutes": 36, "assistant_minutes": 23, **fields},
        {"code": "97140", "minutes": 30},
    ]
    record = _pta(total_timed_minutes=66)
    record["services"] = services
    return record


def test_m003_fires_when_the_cms_example_bills_no_unit_with_cq() -> None:
    (hit,) = findings("M003", _cms_example(modifiers=["GP"]))
    assert hit.code == "97110" and hit.fix is None  # one unit with CQ, one without
    assert "bill 1 unit(s) with CQ and 1 without it" in hit.message


def test_m003_does_not_fire_when_ptrcm_splits_the_cms_example() -> None:
    assert findings("M003", _cms_example()) == []
    assert findings("M004", _cms_example()) == []


def test_m004_fires_when_the_cms_example_bills_both_units_with_cq() -> None:
    (hit,) = findings("M004", _cms_example(modifiers=["GP", "CQ"]))
    assert hit.code == "97110" and "bill 1 unit(s) with CQ" in hit.message


def test_m004_does_not_fire_when_the_emr_splits_the_lines_as_cms_does() -> None:
    record = _cms_example()
    record["services"][0:1] = [
        {"code": "97110", "minutes": 23, "assistant_minutes": 23, "units": 1,
         "modifiers": ["GP", "CQ"]},
        {"code": "97110", "minutes": 13, "units": 1, "modifiers": ["GP"]},
    ]  # fmt: skip
    assert findings("M004", record) == []
    assert findings("M003", record) == []
    assert findings("U002", record) == []


def test_m008_fires_when_a_pta_visit_names_no_supervising_therapist() -> None:
    record = _pta()
    del record["supervising"]
    (hit,) = findings("M008", record)
    assert "supervising" in hit.message


def test_m008_does_not_fire_with_a_supervising_therapist_or_for_a_therapist() -> None:
    assert findings("M008", _pta()) == []
    assert findings("M008", base()) == []


def test_m009_fires_when_a_pta_visit_records_no_assistant_minutes() -> None:
    record = _pta()
    service(record, "97110")["assistant_minutes"] = 0
    (hit,) = findings("M009", record)
    assert "assistant minutes" in hit.message


def test_m009_does_not_fire_when_assistant_minutes_are_recorded() -> None:
    assert findings("M009", _pta()) == []


def test_m010_fires_on_an_evaluation_by_a_pta_and_never_suggests_cq() -> None:
    record = _pta()
    record["services"].append({"code": "97161"})
    (hit,) = findings("M010", record)
    assert hit.code == "97161" and hit.fix is None
    assert findings("M003", record) == []  # never "add CQ" to an evaluation


def test_m010_does_not_fire_on_an_evaluation_by_the_therapist() -> None:
    record = base()
    record["services"].append({"code": "97161"})
    assert findings("M010", record) == []


def test_m011_fires_on_a_speech_code_on_a_pt_visit_and_names_gn() -> None:
    record = base()
    record["services"].append({"code": "92507"})
    (hit,) = findings("M011", record)
    assert hit.code == "92507" and "SLP visit with GN" in hit.message
    assert findings("M001", record) == []  # not "add GP"


def test_m011_fires_on_an_ot_evaluation_on_a_pt_visit_naming_the_pt_codes() -> None:
    record = base()
    record["services"].append({"code": "97165"})
    (hit,) = findings("M011", record)
    assert "97161-97163" in hit.message


def test_m011_does_not_fire_on_codes_of_the_visits_discipline() -> None:
    record = base()
    record["services"].append({"code": "97161"})
    assert findings("M011", record) == []
