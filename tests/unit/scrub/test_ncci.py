"""N rules through the pure engine: NCCI pairs, MUEs, payability and evaluations per day."""

from __future__ import annotations

from dataclasses import replace

from ptrcm.rules.engine import run_rules

from .factory import base, context, findings, rule


def _with(*services: dict[str, object], **changes: object) -> dict[str, object]:
    timed = sum(int(str(s.get("minutes", 0))) for s in services if str(s["code"]) != "97010")
    return base(services=list(services), total_timed_minutes=timed, **changes)


def test_n001_fires_when_97530_is_billed_with_97140_without_59() -> None:
    record = _with({"code": "97140", "minutes": 15}, {"code": "97530", "minutes": 15})
    (hit,) = findings("N001", record)
    assert (hit.code, hit.line, hit.fix) == ("97530", 2, None)


def test_n001_does_not_fire_with_xu_on_the_column_two_code() -> None:
    record = _with(
        {"code": "97140", "minutes": 15},
        {"code": "97530", "minutes": 15, "modifiers": ["GP", "XU"]},
    )
    assert findings("N001", record) == []


def test_n001_mentions_unverified_pack_rows() -> None:
    record = _with({"code": "97110", "minutes": 15}, {"code": "97150"})
    (hit,) = findings("N001", record)
    assert "unverified" in hit.message


def test_n001_fires_on_group_therapy_with_a_one_on_one_code() -> None:
    # NCCI ch. XI: 97150 with one-on-one codes only in distinct time blocks (59/X).
    (hit,) = findings("N001", _with({"code": "97530", "minutes": 15}, {"code": "97150"}))
    assert hit.code == "97150"


def test_n001_fires_on_a_re_evaluation_with_97530_naming_the_ptp_quarter() -> None:
    # APTA's 2020 NCCI update: 97530 or 97150 with 97164 needs 59/X (PTP 2020Q1).
    (hit,) = findings("N001", _with({"code": "97530", "minutes": 15}, {"code": "97164"}))
    assert hit.code == "97164" and "2020Q1" in hit.message


def test_n001_does_not_fire_on_the_evaluation_edits_cms_withdrew_in_2020() -> None:
    # 97530 with 97161-97163 (and 97150 with them) were deleted from the PTP table.
    assert findings("N001", _with({"code": "97530", "minutes": 15}, {"code": "97161"})) == []


def test_n002_fires_on_an_indicator_zero_pair() -> None:
    ctx = context(_with({"code": "97140", "minutes": 15}, {"code": "97530", "minutes": 15}))
    rows = tuple({**r, "indicator": 0} for r in ctx.pack.params["ncci_pairs"])
    pack = replace(ctx.pack, params={**ctx.pack.params, "ncci_pairs": rows}, _derived={})
    (hit,) = run_rules(replace(ctx, pack=pack), [rule("N002")])
    assert hit.code == "97530"


def test_n002_does_not_fire_on_the_shipped_indicator_one_pairs() -> None:
    assert (
        findings("N002", _with({"code": "97140", "minutes": 15}, {"code": "97530", "minutes": 15}))
        == []
    )


def test_n003_fires_when_97035_has_three_units() -> None:
    (hit,) = findings("N003", _with({"code": "97035", "minutes": 38}))
    assert hit.code == "97035" and "MUE allows 2" in hit.message


def test_n003_does_not_fire_at_the_mue() -> None:
    assert findings("N003", _with({"code": "97035", "minutes": 30})) == []


def test_n003_adds_the_cq_and_therapist_lines_of_a_date_of_service_edit() -> None:
    # MAI 3 is a date-of-service edit: 97035 split into a PTA and a PT line still counts 3.
    record = _with({"code": "97035", "minutes": 38, "assistant_minutes": 15})
    record["rendering"] = {"npi": "1234567893", "credential": "PTA"}
    record["supervising"] = {"npi": "1245319599", "credential": "PT"}
    c = context(record)
    assert len([ln for ln in c.charges.lines if ln.code == "97035"]) == 2
    (hit,) = findings("N003", record)
    assert "3 units on this date of service" in hit.message and "MAI 3" in hit.message


def test_n004_fires_on_97014_for_medicare_with_g0283_as_the_fix() -> None:
    record = base()
    record["services"].append({"code": "97014"})
    (hit,) = findings("N004", record)
    assert hit.fix is not None and (hit.fix.kind, hit.fix.value) == ("replace_code", "G0283")
    assert "unverified" in hit.message


def test_n004_fires_on_97010_for_medicare_without_a_fix() -> None:
    record = base()
    record["services"].append({"code": "97010"})
    (hit,) = findings("N004", record)
    assert hit.fix is None


def test_n004_does_not_fire_on_97014_for_a_commercial_payer() -> None:
    record = base(payer_id="COMMERCIAL")
    record["services"].append({"code": "97014"})
    assert findings("N004", record) == []


def test_n005_fires_on_an_evaluation_and_a_re_evaluation_on_one_visit() -> None:
    record = base()
    record["services"] += [{"code": "97161"}, {"code": "97164"}]
    (hit,) = findings("N005", record)
    assert hit.code == "97164"


def test_n005_fires_when_an_earlier_visit_that_day_had_an_evaluation() -> None:
    earlier = base(visit_id="V-0")
    earlier["services"].append({"code": "97162"})
    record = base()
    record["services"].append({"code": "97164"})
    (hit,) = findings("N005", record, [earlier])
    assert "earlier visit" in hit.message


def test_n005_does_not_fire_on_one_evaluation() -> None:
    record = base()
    record["services"].append({"code": "97163"})
    assert findings("N005", record) == []


def test_n005_does_not_fire_on_two_slp_evaluations() -> None:
    record = base(
        discipline="SLP",
        rendering={"credential": "SLP"},
        services=[{"code": "92523"}, {"code": "92610"}],
        total_timed_minutes=0,
    )
    assert findings("N005", record) == []


def test_n005_fires_on_two_slp_evaluations_where_the_pack_limits_slp() -> None:
    record = base(
        discipline="SLP",
        rendering={"credential": "SLP"},
        services=[{"code": "92523"}, {"code": "92610"}],
        total_timed_minutes=0,
    )
    limited = {"evaluation_limited_disciplines": ("PT", "OT", "SLP")}
    (hit,) = findings("N005", record, params=limited)
    assert hit.code == "92610"
