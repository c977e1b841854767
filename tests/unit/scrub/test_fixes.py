"""Safe fixes: applied as a pure Visit -> Visit, and re-scrubbing shows the defect gone."""

from __future__ import annotations

from typing import Any

import pytest

from ptrcm.rules.fixes import apply_fixes

from .factory import base, scrubber, service, visit


def _scrub(record: dict[str, Any]) -> tuple[Any, Any]:
    s = scrubber()
    v = visit(record)
    return s, s.scrub([v], keep_charges=True)


def _defects() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    r = base()
    service(r, "97110")["units"] = 3
    cases.append(("U002", r))
    cases.append(("U003", base(total_timed_minutes=45)))
    r = base()
    r["services"].append({"code": "97012", "units": 2})
    cases.append(("U004", r))
    r = base(services=[{"code": "97110", "minutes": 6, "units": 1}, {"code": "97012"}])
    r["total_timed_minutes"] = 6
    cases.append(("U005", r))
    r = base()
    service(r, "97110")["modifiers"] = ["59"]
    cases.append(("M001", r))
    r = base()
    service(r, "97140")["modifiers"] = ["GO"]
    cases.append(("M002", r))
    r = base()
    service(r, "97110").update(assistant_minutes=30, modifiers=["GP"])
    cases.append(("M003", r))
    r = base()
    service(r, "97110")["modifiers"] = ["GP", "CQ"]
    cases.append(("M004", r))
    r = base()
    r["services"].append({"code": "97014"})
    cases.append(("N004", r))
    return cases


@pytest.mark.parametrize(("rule_id", "record"), _defects(), ids=[c[0] for c in _defects()])
def test_a_safe_fix_resolves_its_finding_on_rescrub(rule_id: str, record: dict[str, Any]) -> None:
    s, report = _scrub(record)
    claimed = {(f.rule, f.code) for f in report.findings if f.fix is not None}
    assert rule_id in {r for r, _ in claimed}
    v = visit(record)
    result = apply_fixes(v, report.findings, report.charges[v.visit_id])
    assert result.changed
    again = s.scrub([result.visit]).findings
    assert not claimed & {(f.rule, f.code) for f in again}


def test_kx_missing_is_never_fixed_automatically() -> None:
    _s, report = _scrub(base(kx_ytd_allowed="2470.00"))
    kx = [f for f in report.findings if f.rule == "M005"]
    assert kx and all(f.fix is None for f in kx)
    v = visit(base(kx_ytd_allowed="2470.00"))
    fixed = apply_fixes(v, report.findings, report.charges[v.visit_id]).visit
    assert all("KX" not in (x.modifiers or ()) for x in fixed.services)


def test_an_ncci_pair_is_never_given_59_automatically() -> None:
    record = base(services=[{"code": "97140", "minutes": 15}, {"code": "97530", "minutes": 15}])
    record["total_timed_minutes"] = 30
    _s, report = _scrub(record)
    assert [f.fix for f in report.findings if f.rule == "N001"] == [None]


def test_fixing_keeps_the_modifiers_ptrcm_computed() -> None:
    record = base()
    service(record, "97110")["assistant_minutes"] = 15  # one PTA unit, one PT unit
    service(record, "97110")["units"] = 3
    s, report = _scrub(record)
    v = visit(record)
    fixed = apply_fixes(v, report.findings, report.charges[v.visit_id]).visit
    assert fixed.services[0].modifiers is None and fixed.services[0].units == 2
    rescrub = s.scrub([fixed], keep_charges=True)
    lines = [(ln.modifiers, ln.units) for ln in rescrub.charges[v.visit_id].lines]
    assert lines[:2] == [(("GP",), 1), (("GP", "CQ"), 1)]


def test_a_visit_without_fixable_findings_is_returned_unchanged() -> None:
    _s, report = _scrub(base())
    v = visit(base())
    result = apply_fixes(v, report.findings, report.charges[v.visit_id])
    assert result.visit == v and not result.changed


def test_a_fix_on_one_code_keeps_another_codes_cq_split_entries() -> None:
    record = base()
    record["services"] = [
        {"code": "97110", "minutes": 23, "assistant_minutes": 23, "units": 1,
         "modifiers": ["GP", "CQ"]},
        {"code": "97110", "minutes": 13, "units": 1, "modifiers": ["GP"]},
        {"code": "97140", "minutes": 30, "modifiers": ["59"]},  # M001: GP missing
    ]  # fmt: skip
    record["rendering"] = {"npi": "1234567893", "credential": "PTA"}
    record["supervising"] = {"npi": "1245319599", "credential": "PT"}
    record["total_timed_minutes"] = 66
    s, report = _scrub(record)
    v = visit(record)
    fixed = apply_fixes(v, report.findings, report.charges[v.visit_id]).visit
    assert fixed.services[:2] == v.services[:2]
    again = {f.rule for f in s.scrub([fixed]).findings}
    assert not again & {"M001", "M003", "M004", "U002"}
