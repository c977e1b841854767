"""U rules through the pure engine: each fires on its defect and stays quiet on clean data."""

from __future__ import annotations

from ptrcm.rules.engine import Severity

from .factory import base, findings, service


def test_u001_fires_when_a_timed_code_has_no_minutes() -> None:
    record = base()
    del service(record, "97140")["minutes"]
    service(record, "97140")["units"] = 1
    (hit,) = findings("U001", record)
    assert (hit.code, hit.line, hit.fix) == ("97140", 2, None)


def test_u001_does_not_fire_for_an_untimed_code_without_minutes() -> None:
    record = base(services=[{"code": "97110", "minutes": 23}, {"code": "97010"}])
    record["total_timed_minutes"] = 23
    assert findings("U001", record) == []


def test_u002_fires_when_billed_units_exceed_the_cms_total_time_units() -> None:
    record = base()
    service(record, "97110")["units"] = 3
    (hit,) = findings("U002", record)
    assert hit.code == "97110" and hit.severity is Severity.ERROR
    assert hit.fix is not None and (hit.fix.kind, hit.fix.value) == ("set_units", 2)


def test_u002_fires_on_a_per_code_payer_when_seven_minutes_are_billed() -> None:
    record = base(payer_id="COMMERCIAL")
    service(record, "97140")["minutes"] = 7
    service(record, "97140")["units"] = 1
    record["total_timed_minutes"] = 37
    (hit,) = findings("U002", record)
    assert hit.code == "97140" and hit.fix is not None and hit.fix.value is None


def test_u002_does_not_fire_when_billed_units_follow_the_method() -> None:
    record = base()
    service(record, "97110")["units"] = 2
    service(record, "97140")["units"] = 1
    assert findings("U002", record) == []


def test_u003_fires_with_a_safe_fix_when_the_total_disagrees() -> None:
    (hit,) = findings("U003", base(total_timed_minutes=45))
    assert hit.fix is not None and (hit.fix.kind, hit.fix.value) == ("set_total_timed_minutes", 40)


def test_u003_fires_without_a_fix_when_a_timed_code_lacks_minutes() -> None:
    record = base(total_timed_minutes=45)
    del service(record, "97140")["minutes"]
    (hit,) = findings("U003", record)
    assert hit.fix is None


def test_u003_does_not_fire_when_the_total_matches() -> None:
    assert findings("U003", base()) == []


def test_u004_fires_when_an_untimed_code_has_two_units() -> None:
    record = base(payer_id="COMMERCIAL")
    record["services"].append({"code": "97012", "units": 2})
    (hit,) = findings("U004", record)
    assert hit.code == "97012" and hit.fix is not None and hit.fix.value == 1


def test_u004_does_not_fire_on_one_unit_of_an_untimed_code() -> None:
    record = base(payer_id="COMMERCIAL")
    record["services"].append({"code": "97012", "units": 1})
    assert findings("U004", record) == []


def test_u005_fires_when_a_lone_six_minute_service_is_billed() -> None:
    record = base(services=[{"code": "97110", "minutes": 6, "units": 1}, {"code": "97010"}])
    record["total_timed_minutes"] = 6
    (hit,) = findings("U005", record)
    assert hit.code == "97110" and hit.fix is not None and hit.fix.value is None
    assert findings("U002", record) == []  # one defect, one finding


def test_u005_does_not_fire_when_short_services_pool_to_eight_minutes() -> None:
    record = base(
        services=[
            {"code": "97110", "minutes": 5, "units": 1},
            {"code": "97140", "minutes": 3},
        ],
        total_timed_minutes=8,
    )
    assert findings("U005", record) == []


def test_u006_fires_on_a_code_outside_the_catalog() -> None:
    record = base()
    record["services"].append({"code": "97799"})
    (hit,) = findings("U006", record)
    assert hit.code == "97799" and hit.severity is Severity.WARNING


def test_u006_does_not_fire_on_catalog_codes() -> None:
    assert findings("U006", base()) == []


def test_u007_fires_when_treatment_time_is_less_than_timed_minutes() -> None:
    (hit,) = findings("U007", base(total_treatment_minutes=35))
    assert "35" in hit.message


def test_u007_does_not_fire_when_treatment_time_covers_timed_minutes() -> None:
    assert findings("U007", base(total_treatment_minutes=40)) == []


def test_u008_fires_when_97129_is_billed_three_units() -> None:
    record = base(services=[{"code": "97129", "minutes": 40, "units": 3}], total_timed_minutes=40)
    (hit,) = findings("U008", record)
    assert hit.code == "97129" and "2 of 97130" in hit.message


def test_u008_does_not_fire_when_ptrcm_splits_97129_and_97130() -> None:
    record = base(services=[{"code": "97129", "minutes": 40}], total_timed_minutes=40)
    assert findings("U008", record) == []


def test_u002_does_not_fire_on_a_code_billed_as_an_assistant_and_a_therapist_line() -> None:
    # CMS CQ/CO examples bill a split code as two lines; U002 counts the code's units once,
    # also for a payer that does not require CQ/CO.
    record = base(payer_id="COMMERCIAL", discipline="OT",
                  rendering={"npi": "1234567893", "credential": "OTA"},
                  services=[{"code": "97535", "minutes": 12, "units": 1, "modifiers": ["GO"]},
                            {"code": "97535", "minutes": 12, "assistant_minutes": 12, "units": 1,
                             "modifiers": ["GO", "CO"]}],
                  total_timed_minutes=24)  # fmt: skip
    assert findings("U002", record) == []
    service(record, "97535")["units"] = 2
    (hit,) = findings("U002", record)
    assert "billed 3 unit(s)" in hit.message
