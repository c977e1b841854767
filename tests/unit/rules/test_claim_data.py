"""C rules: timely filing, duplicates, NPI check digits, required claim data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from ptrcm.domain.visits import Provider, Referring, Service
from ptrcm.rules import claim_data as c
from ptrcm.rules.engine import ScrubContext
from tests.unit.scrub import factory

from .builders import DOS, VALID_NPI, earlier, make_context, make_pack, make_visit

BAD_NPI = "1234567890"  # check digit should be 3


def _aged(days: int, payer_id: str = "COMMERCIAL") -> ScrubContext:
    """The context of a visit ``days`` days before as_of (COMMERCIAL: 90-day limit)."""
    return make_context(make_visit(payer_id=payer_id), as_of=DOS + timedelta(days=days))


def test_c001_fires_91_days_after_the_date_of_service_under_a_90_day_limit() -> None:
    (hit,) = c.check_filing_limit_passed(_aged(91))
    assert "91 days" in hit.message and "90-day" in hit.message


def test_c001_does_not_fire_on_day_90_the_last_day_to_file() -> None:
    assert list(c.check_filing_limit_passed(_aged(90))) == []


def test_c001_uses_the_medicare_twelve_month_limit() -> None:
    assert list(c.check_filing_limit_passed(_aged(365, "MEDICARE"))) == []
    assert len(list(c.check_filing_limit_passed(_aged(366, "MEDICARE")))) == 1


def test_c001_reads_the_limit_from_the_pack() -> None:
    ctx = make_context(
        make_visit(), pack=make_pack(timely_filing_days=10), as_of=DOS + timedelta(days=11)
    )
    assert len(list(c.check_filing_limit_passed(ctx))) == 1


def test_c002_fires_with_exactly_30_days_left() -> None:
    (hit,) = c.check_filing_limit_near(_aged(60))
    assert "30 days left" in hit.message and "2026-05-31" in hit.message


def test_c002_fires_on_the_last_day_to_file() -> None:
    assert len(list(c.check_filing_limit_near(_aged(90)))) == 1


def test_c002_does_not_fire_with_31_days_left() -> None:
    assert list(c.check_filing_limit_near(_aged(59))) == []


def test_c002_does_not_fire_once_late_which_is_c001s() -> None:
    assert list(c.check_filing_limit_near(_aged(91))) == []


def test_c003_fires_on_the_later_visit_with_the_same_code_on_the_same_date() -> None:
    first = earlier("V-0", DOS, services=(Service("97110", minutes=15),))
    (hit,) = c.check_duplicate_service(make_context(history=[first]))
    assert (hit.line, hit.code) == (1, "97110") and "visit V-0" in hit.message


def test_c003_does_not_fire_on_another_date() -> None:
    first = earlier("V-0", DOS - timedelta(days=1))
    assert list(c.check_duplicate_service(make_context(history=[first]))) == []


def test_c003_does_not_fire_for_the_same_code_in_another_discipline() -> None:
    ot = earlier("V-0", DOS, discipline="OT", rendering=Provider("OT", VALID_NPI))
    assert list(c.check_duplicate_service(make_context(history=[ot]))) == []


def test_c003_does_not_fire_on_a_line_marked_as_a_repeat_procedure() -> None:
    first = earlier("V-0", DOS, services=(Service("97140", minutes=10),))
    services = (Service("97110", minutes=30), Service("97140", minutes=10, modifiers=("GP", "76")))
    ctx = make_context(make_visit(services=services), history=[first])
    assert list(c.check_duplicate_service(ctx)) == []


def test_c003_does_not_treat_the_visit_as_its_own_duplicate() -> None:
    assert list(c.check_duplicate_service(make_context(history=[make_visit()]))) == []


def test_c004_fires_on_a_rendering_npi_with_a_wrong_check_digit() -> None:
    visit = make_visit(rendering=Provider("PT", BAD_NPI))
    (hit,) = c.check_npi(make_context(visit))
    assert "rendering" in hit.message and BAD_NPI in hit.message


def test_c004_fires_on_a_referring_npi_with_a_wrong_check_digit() -> None:
    visit = make_visit(referring=Referring(npi="1245319598", name="Dr. Lee"))
    (hit,) = c.check_npi(make_context(visit))
    assert "referring" in hit.message


def test_c004_does_not_fire_on_valid_npis() -> None:
    visit = make_visit(referring=Referring(npi="1245319599", name="Dr. Lee"))
    assert list(c.check_npi(make_context(visit))) == []


def test_c005_fires_once_per_missing_item() -> None:
    visit = make_visit(member_id=None, place_of_service=None, rendering=Provider("PT", None))
    found = [h.message for h in c.check_required_data(make_context(visit))]
    assert len(found) == 3
    assert any("member id" in m for m in found) and any("place of service" in m for m in found)
    assert any("rendering provider NPI" in m for m in found)


def test_c005_fires_on_a_missing_payer() -> None:
    ctx = replace(make_context(), visit=make_visit(payer_id=""))
    (hit,) = c.check_required_data(ctx)
    assert "no payer" in hit.message


def test_c005_does_not_fire_on_a_complete_visit() -> None:
    assert list(c.check_required_data(make_context())) == []


def test_c005_does_not_ask_a_self_pay_visit_for_a_member_id() -> None:
    visit = make_visit(payer_id="SELF_PAY", member_id=None)
    assert list(c.check_required_data(make_context(visit))) == []


def _medicare_on(as_of: date, dos: str) -> ScrubContext:
    return replace(factory.context(factory.base(date_of_service=dos)), as_of=as_of)


def test_c001_fires_for_medicare_the_day_after_one_calendar_year_moved_off_a_weekend() -> None:
    # MCPM ch. 1 §70: DOS 2025-03-01 is due 2026-03-01, a Sunday, so Monday 2026-03-02.
    assert list(c.check_filing_limit_passed(_medicare_on(date(2026, 3, 2), "2025-03-01"))) == []
    (hit,) = c.check_filing_limit_passed(_medicare_on(date(2026, 3, 3), "2025-03-01"))
    assert "2026-03-02" in hit.message and "one-calendar-year" in hit.message


def test_c006_fires_on_a_date_of_service_after_the_as_of_day() -> None:
    (hit,) = factory.findings("C006", factory.base(date_of_service="2026-03-21"))
    assert "2026-03-21" in hit.message  # scrubbed as of 2026-03-20


def test_c006_does_not_fire_on_the_as_of_day_itself() -> None:
    assert factory.findings("C006", factory.base(date_of_service="2026-03-20")) == []


def test_c001_says_a_commercial_filing_limit_is_unconfirmed() -> None:
    ctx = replace(
        factory.context(factory.base(payer_id="COMMERCIAL", date_of_service="2025-06-02")),
        as_of=date(2026, 3, 20),
    )
    (hit,) = c.check_filing_limit_passed(ctx)
    assert "not confirmed" in hit.message
