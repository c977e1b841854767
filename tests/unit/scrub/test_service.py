"""The scrub service: history by date, findings in input order, as-of per visit, payers."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from ptrcm.errors import InputError

from .factory import base, scrubber, service, visit


def test_an_earlier_visit_later_in_the_file_is_still_history() -> None:
    later = base(visit_id="V-2", date_of_service="2026-03-05")
    earlier = base(visit_id="V-1", date_of_service="2026-03-02", kx_ytd_allowed="2350.00")
    report = scrubber().scrub([visit(later), visit(earlier)])
    assert {f.visit_id for f in report.findings if f.rule == "M005"} == {"V-2"}


def test_findings_come_in_input_order_then_line() -> None:
    a = base(visit_id="V-9", total_timed_minutes=45)
    service(a, "97140")["modifiers"] = ["GO"]
    b = base(visit_id="V-1", patient_id="P-2", total_timed_minutes=45)
    report = scrubber().scrub([visit(a), visit(b)])
    keys = [(f.visit_id, f.line) for f in report.findings if f.rule in ("U003", "M002")]
    assert keys == [("V-9", None), ("V-9", 2), ("V-1", None)]


def test_as_of_can_follow_each_visit_like_daily_scrubbing() -> None:
    old = base(payer_id="COMMERCIAL", date_of_service="2025-06-02")
    s = scrubber()
    assert "C001" in {f.rule for f in s.scrub([visit(old)]).findings}
    s.__init__(  # type: ignore[misc]
        s.config, s.catalog, s.diagnoses, lambda v: v.date_of_service + timedelta(days=1)
    )
    assert "C001" not in {f.rule for f in s.scrub([visit(old)]).findings}
    assert s._as_of(visit(old)) == date(2025, 6, 3)


def test_a_visit_naming_an_unknown_payer_is_bad_input() -> None:
    with pytest.raises(InputError, match="NOPE"):
        scrubber().scrub([visit(base(payer_id="NOPE"))])


def test_self_pay_has_no_annual_visit_limit() -> None:
    record = base(payer_id="SELF_PAY", benefits={"visits_used": 80})
    assert "A005" not in {f.rule for f in scrubber().scrub([visit(record)]).findings}


def test_a_payer_fee_schedule_file_feeds_the_kx_count(tmp_path: Path) -> None:
    (tmp_path / "fees.csv").write_text("code,allowed\n97110,1400.00\n97140,27.60\n")
    config = '[payers.MEDICARE]\nfee_schedule = "fees.csv"\n'
    rules = {f.rule for f in scrubber(config, tmp_path).scrub([visit(base())]).findings}
    assert "M005" in rules
    assert "M005" not in {f.rule for f in scrubber().scrub([visit(base())]).findings}


def test_a_missing_fee_schedule_file_is_bad_input(tmp_path: Path) -> None:
    config = '[payers.MEDICARE]\nfee_schedule = "nope.csv"\n'
    with pytest.raises(InputError, match=r"nope\.csv"):
        scrubber(config, tmp_path).scrub([visit(base())])
