"""A rules: authorization on file, authorized visits and window, annual visit limits."""

from __future__ import annotations

from datetime import date, timedelta

from ptrcm.domain.visits import Authorization, Benefits
from ptrcm.rules import authorization as a

from .builders import DOS, earlier, make_context, make_pack, make_visit

WINDOW = {"start": date(2026, 2, 1), "end": date(2026, 4, 30)}


def _auth(used: int | None, authorized: int = 12, number: str | None = "A123") -> Authorization:
    return Authorization(number, visits_authorized=authorized, visits_used=used, **WINDOW)


def test_a001_fires_when_the_payer_requires_authorization_and_none_is_on_file() -> None:
    (hit,) = a.check_authorization_on_file(make_context(make_visit(payer_id="MEDICAID")))
    assert "requires prior authorization" in hit.message


def test_a001_fires_when_the_pack_requires_it_for_a_payer_that_does_not() -> None:
    ctx = make_context(make_visit(), pack=make_pack(auth_required=True))
    assert len(list(a.check_authorization_on_file(ctx))) == 1


def test_a001_fires_on_an_authorization_without_a_number() -> None:
    visit = make_visit(payer_id="MEDICAID", authorization=_auth(0, number=None))
    assert len(list(a.check_authorization_on_file(make_context(visit)))) == 1


def test_a001_does_not_fire_with_an_authorization_number_on_file() -> None:
    visit = make_visit(payer_id="MEDICAID", authorization=_auth(0))
    assert list(a.check_authorization_on_file(make_context(visit))) == []


def test_a001_does_not_fire_for_a_payer_without_authorization() -> None:
    assert list(a.check_authorization_on_file(make_context(make_visit()))) == []


def test_a002_fires_on_visit_13_of_12_authorized() -> None:
    (hit,) = a.check_authorized_visits(make_context(make_visit(authorization=_auth(12))))
    assert "visit 13 under an authorization for 12" in hit.message


def test_a002_does_not_fire_on_the_last_authorized_visit() -> None:
    assert list(a.check_authorized_visits(make_context(make_visit(authorization=_auth(11))))) == []


def test_a002_does_not_add_history_to_the_records_own_counter() -> None:
    history = [
        earlier(f"H-{i}", date(2026, 2, 2 + i), authorization=_auth(6 + i)) for i in range(3)
    ]
    ctx = make_context(make_visit(authorization=_auth(11)), history=history)
    assert list(a.check_authorized_visits(ctx)) == []


def test_a002_counts_earlier_visits_under_the_same_number_when_the_record_has_no_count() -> None:
    same = [earlier(f"H-{i}", date(2026, 2, 2 + i), authorization=_auth(None)) for i in range(12)]
    other = [earlier("V-X", date(2026, 2, 20), authorization=_auth(None, number="B999"))]
    ctx = make_context(make_visit(authorization=_auth(None)), history=same + other)
    (hit,) = a.check_authorized_visits(ctx)
    assert "visit 13" in hit.message


def test_a002_anchors_on_the_latest_earlier_counter_when_the_record_has_none() -> None:
    history = [
        earlier("V-A", date(2026, 2, 2), authorization=_auth(10)),
        earlier("V-B", date(2026, 2, 9), authorization=_auth(None)),
    ]
    ctx = make_context(make_visit(authorization=_auth(None)), history=history)
    (hit,) = a.check_authorized_visits(ctx)  # 10 before V-A, + V-A + V-B = 12 before this
    assert "visit 13" in hit.message


def test_a002_does_not_count_earlier_visits_outside_the_window() -> None:
    before_window = [
        earlier(f"H-{i}", date(2026, 1, 2 + i), authorization=_auth(None)) for i in range(12)
    ]
    ctx = make_context(make_visit(authorization=_auth(None)), history=before_window)
    assert list(a.check_authorized_visits(ctx)) == []


def test_a003_fires_after_the_authorization_ended() -> None:
    visit = make_visit(date_of_service=date(2026, 5, 1), authorization=_auth(3))
    (hit,) = a.check_authorization_window(make_context(visit))
    assert "ended 2026-04-30" in hit.message


def test_a003_fires_before_the_authorization_starts() -> None:
    visit = make_visit(date_of_service=date(2026, 1, 31), authorization=_auth(0))
    assert len(list(a.check_authorization_window(make_context(visit)))) == 1


def test_a003_does_not_fire_on_the_last_day_of_the_window() -> None:
    visit = make_visit(date_of_service=date(2026, 4, 30), authorization=_auth(3))
    assert list(a.check_authorization_window(make_context(visit))) == []


def test_a004_fires_when_two_authorized_visits_remain_after_this_one() -> None:
    (hit,) = a.check_authorization_running_out(make_context(make_visit(authorization=_auth(9))))
    assert "Visit 10 of 12" in hit.message and "2 left" in hit.message


def test_a004_fires_on_the_last_authorized_visit() -> None:
    ctx = make_context(make_visit(authorization=_auth(11)))
    assert len(list(a.check_authorization_running_out(ctx))) == 1


def test_a004_does_not_fire_with_three_visits_left() -> None:
    ctx = make_context(make_visit(authorization=_auth(8)))
    assert list(a.check_authorization_running_out(ctx)) == []


def test_a004_does_not_fire_once_exceeded_which_is_a002s() -> None:
    ctx = make_context(make_visit(authorization=_auth(12)))
    assert list(a.check_authorization_running_out(ctx)) == []


def test_a004_reads_the_warning_margin_from_the_pack() -> None:
    ctx = make_context(make_visit(authorization=_auth(8)), pack=make_pack(auth_warn_remaining=3))
    assert len(list(a.check_authorization_running_out(ctx))) == 1


def test_a005_fires_when_the_visit_exceeds_the_payers_30_visit_limit() -> None:
    visit = make_visit(payer_id="COMMERCIAL", benefits=Benefits(visits_used=30))
    (hit,) = a.check_annual_limit(make_context(visit))
    assert "visit 31 of a 30-visit annual limit" in hit.message


def test_a005_does_not_fire_when_the_limit_is_reached_but_not_exceeded() -> None:
    visit = make_visit(payer_id="COMMERCIAL", benefits=Benefits(visits_used=29))
    assert list(a.check_annual_limit(make_context(visit))) == []


def test_a005_prefers_the_records_visit_limit_over_the_payer_setting() -> None:
    visit = make_visit(payer_id="COMMERCIAL", benefits=Benefits(visit_limit=10, visits_used=10))
    assert len(list(a.check_annual_limit(make_context(visit)))) == 1


def test_a005_reads_the_limit_from_the_pack() -> None:
    visit = make_visit(benefits=Benefits(visits_used=5))
    ctx = make_context(visit, pack=make_pack(visit_limit_per_year=5))
    assert len(list(a.check_annual_limit(ctx))) == 1


def test_a005_does_not_fire_for_a_payer_without_a_visit_limit() -> None:
    assert (
        list(a.check_annual_limit(make_context(make_visit(benefits=Benefits(visits_used=99)))))
        == []
    )


def test_a005_counts_this_plan_years_earlier_visits_when_the_record_has_no_count() -> None:
    this_year = [
        earlier(f"H-{i}", DOS - timedelta(days=i + 1), payer_id="MEDICAID") for i in range(20)
    ]
    last_year = [earlier("V-OLD", date(2025, 12, 30), payer_id="MEDICAID")]
    visit = make_visit(payer_id="MEDICAID")
    history = last_year + sorted(this_year, key=lambda v: v.date_of_service)
    (hit,) = a.check_annual_limit(make_context(visit, history=history))
    assert "visit 21 of a 20-visit" in hit.message


def test_a005_does_not_count_visits_before_the_plan_year() -> None:
    last_year = [
        earlier(f"H-{i}", date(2025, 12, 1) + timedelta(days=i), payer_id="MEDICAID")
        for i in range(25)
    ]
    ctx = make_context(make_visit(payer_id="MEDICAID"), history=last_year)
    assert list(a.check_annual_limit(ctx)) == []


def test_a006_fires_on_the_visit_that_reaches_the_limit() -> None:
    visit = make_visit(payer_id="COMMERCIAL", benefits=Benefits(visits_used=29))
    (hit,) = a.check_annual_limit_near(make_context(visit))
    assert "Visit 30 of a 30-visit" in hit.message and "0 left" in hit.message


def test_a006_fires_when_two_visits_remain_after_this_one() -> None:
    visit = make_visit(payer_id="COMMERCIAL", benefits=Benefits(visits_used=27))
    assert len(list(a.check_annual_limit_near(make_context(visit)))) == 1


def test_a006_does_not_fire_with_three_visits_left() -> None:
    visit = make_visit(payer_id="COMMERCIAL", benefits=Benefits(visits_used=26))
    assert list(a.check_annual_limit_near(make_context(visit))) == []


def test_a006_does_not_fire_once_exceeded_which_is_a005s() -> None:
    visit = make_visit(payer_id="COMMERCIAL", benefits=Benefits(visits_used=30))
    assert list(a.check_annual_limit_near(make_context(visit))) == []
