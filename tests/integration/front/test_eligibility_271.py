"""271 responses post into dated benefits snapshots per coverage; manual entry; 270 requests
for upcoming appointments; re-verification due dates."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ptrcm.config import load_config
from ptrcm.services.front_desk.eligibility import (
    post_271,
    record_manual,
    request_270,
    verification_alert,
)
from ptrcm.store.repository import Store
from tests.integration.front.clinic import Clinic

SAMPLES = Path(
    os.environ.get("PTRCM_X12_SAMPLES")
    or Path(__file__).resolve().parents[4] / "shared" / "x12-samples"
)
DAY = date(2026, 1, 5)


def isa(control: str = "000000001") -> str:
    return (
        "ISA*00*          *00*          *ZZ*COMPPO         *ZZ*RIVERSIDE      *260105*1200*^*00501*"
        f"{control}*0*P*:~"
    )


def our_271(trace: str, member: str) -> str:
    """A 271 of our own: PT (AE) benefits in and out of network, period and remaining."""
    body = [
        "ST*271*0001*005010X279A1",
        "BHT*0022*11*R1*20260105*1200",
        "HL*1**20*1",
        "NM1*PR*2*COMMERCIAL PPO*****PI*COMPPO",
        "HL*2*1*21*1",
        "NM1*1P*2*RIVERSIDE REHAB*****XX*1234567893",
        "HL*3*2*22*0",
        f"TRN*2*{trace}*1999999999",
        f"NM1*IL*1*TEST*IDA****MI*{member}",
        "DTP*346*D8*20260101",
        "DTP*347*D8*20261231",
        "EB*1*IND*30**PPO GOLD",
        "EB*B*IND*AE*HM*PPO GOLD*27*50.00*****N",
        "EB*B*IND*AE*HM*PPO GOLD*27*25.00*****Y",
        "EB*A*IND*AE*HM*PPO GOLD*27**0.2****Y",
        "EB*C*IND*30*HM*PPO GOLD*23*1500.00*****Y",
        "EB*C*IND*30*HM*PPO GOLD*29*600.00*****Y",
        "EB*G*IND*30*HM*PPO GOLD*23*4000.00*****Y",
        "EB*G*IND*30*HM*PPO GOLD*29*3100.00*****Y",
        "EB*F*IND*AE*HM*PPO GOLD*23***VS*20*Y*Y",
        "EB*F*IND*AE*HM*PPO GOLD*29***VS*14*Y*Y",
    ]
    body.append(f"SE*{len(body) + 1}*0001")
    segments = [isa(), "GS*HB*COMPPO*RIVERSIDE*20260105*1200*1*X*005010X279A1", *body]
    segments += ["GE*1*1", "IEA*1*000000001"]
    return "~".join(s.rstrip("~") for s in segments) + "~"


@pytest.fixture
def clinic(store: Store) -> Clinic:
    clinic = Clinic(store)
    clinic.patient("P-1", "COMMERCIAL", member_id="123456789")
    clinic.patient("P-2", "COMMERCIAL", member_id="BBBBB")
    clinic.patient("P-3", "COMMERCIAL", member_id="W100200300")
    return clinic


def snapshots(clinic: Clinic, patient: str) -> list[dict[str, Any]]:
    with clinic.uow() as uow:
        repo = clinic.repo(uow)
        pid = repo.patient_id(patient)
        return [s for c in repo.coverages(pid) for s in repo.snapshots(int(c["id"]))]


def post(clinic: Clinic, data: str | bytes, name: str, member: str | None = None) -> Any:
    with clinic.uow() as uow:
        result = post_271(uow, data, name, DAY, coverage_member_id=member)
        uow.commit()
    return result


def test_our_271_fills_every_snapshot_field_preferring_in_network_pt(clinic: Clinic) -> None:
    result = post(clinic, our_271("R1", "W100200300"), "ours.271")
    assert (result.snapshots, result.unmatched, result.rejected) == (1, 0, 0)
    (snap,) = snapshots(clinic, "P-3")
    assert snap["verified_on"] == DAY and snap["source"] == "271" and snap["active"] is True
    assert (snap["plan_start"], snap["plan_end"]) == (date(2026, 1, 1), date(2026, 12, 31))
    assert snap["copay"] == Decimal("25.00")  # in network, not the 50.00 out of network
    assert snap["coinsurance_rate"] == Decimal("0.2")
    assert (snap["deductible"], snap["deductible_remaining"]) == (
        Decimal("1500.00"),
        Decimal("600.00"),
    )
    assert (snap["oop_max"], snap["oop_remaining"]) == (Decimal("4000.00"), Decimal("3100.00"))
    assert (snap["visit_limit"], snap["visits_used"]) == (20, 6)  # 20 a year, 14 remaining
    assert snap["authorization_required"] is True
    assert snap["rejections"] == []


def test_our_trace_finds_the_coverage_even_when_the_member_id_differs(clinic: Clinic) -> None:
    with clinic.uow() as uow:
        coverage_id = clinic.repo(uow).coverages(clinic.repo(uow).patient_id("P-1"))[0]["id"]
    post(clinic, our_271(f"E{coverage_id}-PT", "UNKNOWN"), "traced.271")
    assert [s["trace"] for s in snapshots(clinic, "P-1")] == [f"E{coverage_id}-PT"]


needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no X12 samples at {SAMPLES}")


@needs_samples
@pytest.mark.parametrize("name", ["271_lfh_tr3-subscriber.x12", "271_lfh_tr3-dependent.x12"])
def test_tr3_271_examples_post_active_coverage_with_the_in_network_copay(
    clinic: Clinic, name: str
) -> None:
    result = post(clinic, (SAMPLES / name).read_bytes(), name)
    assert (result.snapshots, result.unmatched) == (1, 0)
    (snap,) = snapshots(clinic, "P-1")
    assert snap["active"] is True
    assert snap["plan_start"] == date(2006, 1, 1)
    assert snap["copay"] == Decimal("10.00")
    assert snap["deductible"] is None and snap["visit_limit"] is None
    assert snap["rejections"] == []


@needs_samples
def test_a_receiver_level_rejection_posts_on_the_named_coverage_with_its_reason(
    clinic: Clinic,
) -> None:
    name = "271_lfh_tr3-error-aaa.x12"
    assert post(clinic, (SAMPLES / name).read_bytes(), name).unmatched == 1
    post(clinic, (SAMPLES / name).read_bytes(), name, member="123456789")
    (snap,) = snapshots(clinic, "P-1")
    assert snap["active"] is None
    assert snap["rejections"] == [
        {"level": "information receiver", "reason": "50", "follow_up": "N",
         "meaning": "provider not eligible to make inquiries"}
    ]  # fmt: skip


@needs_samples
def test_subscriber_rejections_are_kept_on_the_snapshot(clinic: Clinic) -> None:
    name = "271_oopfactory_georgiosd_aaa.x12"
    post(clinic, (SAMPLES / name).read_bytes(), name)
    (snap,) = snapshots(clinic, "P-2")
    assert [(r["level"], r["reason"]) for r in snap["rejections"]] == [("subscriber", "42")]
    other = "271_oopfactory_example-3-1-2.x12"
    post(clinic, (SAMPLES / other).read_bytes(), other)
    (snap,) = snapshots(clinic, "P-1")
    assert snap["active"] is True and snap["copay"] == Decimal("10.00")
    reasons = [r["reason"] for r in snap["rejections"]]
    assert reasons.count("42") == 1 and "51" in reasons and "80" in reasons


def test_manual_entry_and_the_dates_verification_is_due_again(clinic: Clinic) -> None:
    with clinic.uow() as uow:
        record_manual(uow, "P-1", "COMMERCIAL", date(2026, 3, 3), active=True,
                      plan_year_start=date(2025, 7, 1), copay=Decimal("30.00"))  # fmt: skip
        uow.commit()
    (snap,) = snapshots(clinic, "P-1")
    assert snap["source"] == "manual" and snap["copay"] == Decimal("30.00")
    assert verification_alert(snap, "commercial", date(2026, 6, 30), False) is None
    new_year = verification_alert(snap, "commercial", date(2026, 7, 1), False)
    assert new_year is not None and new_year.due == date(2026, 7, 1)
    monthly = verification_alert(snap, "medicaid", date(2026, 4, 2), False)
    assert monthly is not None and monthly.due == date(2026, 4, 1)
    first = verification_alert(snap, "commercial", date(2026, 3, 11), True)
    assert first is not None and first.due == date(2026, 3, 11)  # eight days after
    assert verification_alert(snap, "commercial", date(2026, 3, 10), True) is None
    never = verification_alert(None, "commercial", date(2026, 3, 10), True)
    assert never is not None and never.blocking


def test_270_asks_for_physical_medicine_for_each_booked_pt_patient(clinic: Clinic) -> None:
    clinic.book("P-1", [date(2026, 1, 6)])
    clinic.book("P-3", [date(2026, 1, 6)], discipline="OT")
    clinic.book("P-2", [date(2026, 1, 8)])
    with clinic.uow() as uow:
        files, skipped = request_270(uow, load_config(None), date(2026, 1, 6))
        uow.commit()
    assert list(files) == ["COMMERCIAL"] and skipped == []
    text = files["COMMERCIAL"]
    assert text.count("HL*") == 4  # payer, clinic, two subscribers (P-2 is booked later)
    assert "EQ*AE~" in text.replace("\n", "") and "EQ*AD~" in text.replace("\n", "")
    assert "DTP*291*D8*20260106" in text
