"""One commercial patient walked through a plan year, and one Medicare patient walked up
to the KX threshold, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ptrcm.domain.caps import VisitLimitUse
from ptrcm.services.front_desk.booking import check_booking
from ptrcm.services.front_desk.caps import cap_status
from ptrcm.services.front_desk.eligibility import record_manual
from ptrcm.services.front_desk.plan_tracking import patient_plan_alerts, record_event
from ptrcm.store.repository import Store
from tests.integration.front.clinic import Clinic, visit_record

# Twelve treatment days in January 2026.
DAYS = [date(2026, 1, d) for d in (5, 7, 9, 12, 14, 16, 19, 21, 23, 26, 28, 30)]


@pytest.fixture
def clinic(store: Store) -> Clinic:
    clinic = Clinic(store)
    clinic.patient("P-1", "COMMERCIAL")
    with clinic.uow() as uow:
        record_manual(
            uow, "P-1", None, date(2026, 1, 2), active=True, plan_year_start=date(2026, 1, 1),
            visit_limit=12, visits_used=0, authorization_required=True, copay=Decimal("25.00"),
        )  # fmt: skip
        uow.commit()
    clinic.upsert(
        "authorizations",
        [{"external_id": "AUTH-1", "patient": "P-1", "payer": "COMMERCIAL", "number": "A-77",
          "discipline": "PT", "visits_authorized": 12, "start_date": date(2026, 1, 5),
          "end_date": date(2026, 12, 31)}],
    )  # fmt: skip
    clinic.upsert(
        "plans_of_care",
        [{"external_id": "POC-1", "patient": "P-1", "discipline": "PT",
          "start_date": date(2026, 1, 5), "certified_on": date(2026, 1, 6),
          "through": date(2026, 3, 31)}],
    )  # fmt: skip
    clinic.book("P-1", DAYS[7:])
    return clinic


def keep(clinic: Clinic, days: list[date]) -> None:
    clinic.visits([visit_record(f"V-{d.isoformat()}", "P-1", "COMMERCIAL", d) for d in days])


def kinds(alerts: object) -> list[str]:
    return [a.kind for a in alerts]  # type: ignore[attr-defined]


def test_a_patient_walks_through_a_plan_year(clinic: Clinic) -> None:
    keep(clinic, DAYS[:7])
    with clinic.uow() as uow:
        repo = clinic.repo(uow)
        patient = repo.patient_id("P-1")
        assert patient is not None
        # Seven treatment days: no progress report alert yet.
        assert "progress_report" not in kinds(patient_plan_alerts(repo, patient, DAYS[6]))

    keep(clinic, DAYS[7:8])
    with clinic.uow() as uow:
        repo = clinic.repo(uow)
        alerts = patient_plan_alerts(repo, patient, DAYS[7])
        report = [a for a in alerts if a.kind == "progress_report"]
        # Day 8: the alert starts, due on the booked visit that will be day 10 (26 January).
        assert len(report) == 1 and report[0].due == date(2026, 1, 26)

    keep(clinic, DAYS[8:9])
    with clinic.uow() as uow:
        repo = clinic.repo(uow)
        check = check_booking(repo, "P-1", date(2026, 1, 26), "PT", {"97110": 2, "97140": 1})
        assert check.covered
        assert "progress_report" in kinds(check.alerts)  # the tenth treatment day

    keep(clinic, DAYS[9:10])
    with clinic.uow() as uow:
        repo = clinic.repo(uow)
        status = cap_status(repo, patient, "PT", date(2026, 1, 27))
        assert status.authorizations[0].visits_used == 10
        left = [a for a in status.alerts if a.kind == "auth_visits_left"]
        assert len(left) == 1 and "2 visit(s) left" in left[0].reason
        assert "limit_visits_left" in kinds(status.alerts)
        record_event(repo, "P-1", "PT", "progress_report", date(2026, 1, 26))
        uow.commit()

    keep(clinic, DAYS[10:])
    with clinic.uow() as uow:
        repo = clinic.repo(uow)
        assert "progress_report" not in kinds(patient_plan_alerts(repo, patient, DAYS[-1]))
        refused = check_booking(repo, "P-1", date(2026, 2, 2), "PT", {"97110": 2})
        assert not refused.covered
        blocking = {a.kind for a in refused.alerts if a.blocking}
        assert blocking == {"auth_exhausted", "limit_exhausted"}
        limit = next(a for a in refused.alerts if a.kind == "limit_exhausted")
        assert "all 12 visits used" in limit.reason

        # The new plan year: the limit starts again by itself, and eligibility is due.
        new_year = cap_status(repo, patient, "PT", date(2027, 1, 4))
        assert new_year.visit_limit == VisitLimitUse(12, 0, date(2027, 1, 1))
        assert not {"limit_exhausted", "limit_visits_left"} & set(kinds(new_year.alerts))
        later = check_booking(repo, "P-1", date(2027, 1, 4), "PT")
        verify = [a for a in later.alerts if a.kind == "verify"]
        assert len(verify) == 1 and verify[0].due == date(2027, 1, 1)


def test_kx_alert_comes_before_the_threshold_and_the_modifier_after(store: Store) -> None:
    clinic = Clinic(store)
    clinic.patient("P-2", "MEDICARE")
    clinic.upsert(
        "plans_of_care",
        [{"external_id": "POC-2", "patient": "P-2", "discipline": "PT",
          "start_date": date(2026, 3, 2), "certified_on": date(2026, 3, 2)}],
    )  # fmt: skip
    with clinic.uow() as uow:
        record_manual(uow, "P-2", None, date(2026, 3, 1), active=True)
        uow.commit()
    # 2270.00 allowed elsewhere this year, then 72.48 per visit (85.84 of CY 2026 national
    # fees after MPPR: the threshold counts allowed amounts); 2026 threshold 2480.00.
    first = visit_record("K-1", "P-2", "MEDICARE", date(2026, 3, 2), kx_ytd_allowed="2270.00")
    clinic.visits([first])
    with clinic.uow() as uow:
        repo = clinic.repo(uow)
        patient = repo.patient_id("P-2")
        assert patient is not None
        before = cap_status(repo, patient, "PT", date(2026, 3, 4))
        assert before.kx is not None
        assert before.kx.ytd_allowed == Decimal("2342.48")
        assert not before.kx.modifier_needed  # 2342.48 + 72.48 = 2414.96 <= 2480.00
        assert kinds(before.alerts) == ["kx_near"]  # 137.52 left, under two visits
    clinic.visits([visit_record("K-2", "P-2", "MEDICARE", date(2026, 3, 4))])
    with clinic.uow() as uow:
        repo = clinic.repo(uow)
        after = cap_status(repo, patient, "PT", date(2026, 3, 6))
        assert after.kx is not None and after.kx.ytd_allowed == Decimal("2414.96")
        assert kinds(after.alerts) == ["kx_required"]  # 2414.96 + 72.48 = 2487.44
        check = check_booking(repo, "P-2", date(2026, 3, 6), "PT", {"97110": 2, "97140": 1})
        assert check.covered and check.kx_modifier


def test_a_payer_configured_to_require_authorization_blocks_a_booking_without_one(
    store: Store,
) -> None:
    from ptrcm.config import load_config
    from ptrcm.services.front_desk.booking import payer_auth_rule

    clinic = Clinic(store)
    clinic.patient("P-3", "MEDICAID")  # auth_required = true in the built-in config
    clinic.upsert(
        "plans_of_care",
        [{"external_id": "POC-3", "patient": "P-3", "discipline": "PT",
          "start_date": date(2026, 4, 1), "certified_on": date(2026, 4, 1)}],
    )  # fmt: skip
    with clinic.uow() as uow:
        record_manual(uow, "P-3", None, date(2026, 4, 1), active=True)  # says nothing of auth
        uow.commit()
    with clinic.uow() as uow:
        repo = clinic.repo(uow)
        without_rule = check_booking(repo, "P-3", date(2026, 4, 6), "PT")
        with_rule = check_booking(
            repo, "P-3", date(2026, 4, 6), "PT", payer_requires_auth=payer_auth_rule(load_config())
        )
    assert "auth_missing" not in kinds(without_rule.alerts)
    assert not with_rule.covered
    assert "auth_missing" in kinds(with_rule.alerts)
