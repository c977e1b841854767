"""The underpayment check applies MPPR across the patient's claims of the day (both DBs).

One patient, one date of service, two Medicare claims: a PT visit (97530, 2 units) and an
OT visit (97110, 1 unit). CMS (Novitas, "MPPR for therapy services"): one full-PE unit
per patient and day across disciplines and claims. With CY 2026 national RVUs and CF
33.4009: the PT claim's 97530 holds it, 1.05 + 0.75 RVUs = 35.07 + 25.05 = 60.12; the OT
claim's 97110 is reduced, (0.45 + 0.205 + 0.01) x CF = 22.21 (29.06 if it stood alone).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ptrcm.domain.money import round_cents
from ptrcm.store.repository import Store
from tests.integration.posting.builders import (
    cas,
    clp,
    post,
    remittance,
    seed,
    svc,
    uow,
    visit,
    write,
)


def _same_patient_pt_and_ot() -> list[dict[str, Any]]:
    pt = visit("V-30", [("97530", 30)])
    ot = visit("V-31", [("97110", 15)])
    ot.update(
        patient_id=pt["patient_id"],
        discipline="OT",
        rendering={"npi": "1245319599", "credential": "OT", "name": "Kim Ode"},
    )
    return [pt, ot]


def _paid(store: Store, org: int, pcn: str, allowed: str, trace: str, tmp: Path) -> int:
    """Post an 835 allowing ``allowed`` on the claim's one line (80% paid, 20% PR-2)."""
    with uow(store, org) as work:
        (line,) = work.claims.by_pcn([pcn])[pcn].lines
    charge, allow = line.charge, Decimal(allowed)
    paid = round_cents(allow * Decimal("0.80"))
    mods = ("GO",) if pcn == "V-31" else ("GP",)
    service = svc(
        line.code, f"{charge:.2f}", f"{paid:.2f}",
        cas("CO", "45", f"{charge - allow:.2f}"), cas("PR", "2", f"{allow - paid:.2f}"),
        line=line.line_number, modifiers=mods, allowed=allowed, units=str(line.units),
    )  # fmt: skip
    claim = clp(pcn, "1", f"{charge:.2f}", f"{paid:.2f}", service, payer_claim=f"PCN-{pcn}")
    path = write(tmp, f"{pcn}-{trace}.835", remittance([claim], f"{paid:.2f}", trace=trace))
    return post(store, org, path).underpayments


def test_the_ot_claim_is_expected_at_the_reduced_unit_because_the_pt_claim_holds_the_full_one(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, _same_patient_pt_and_ot())
    # Per claim the OT line would be expected at 29.06 and this payment queued short 6.85.
    assert _paid(store, org, "V-31", "22.21", "EFT-OT", tmp_path) == 0
    assert _paid(store, org, "V-30", "60.12", "EFT-PT", tmp_path) == 0
    with uow(store, org) as work:
        assert work.underpayments.items() == []


def test_a_short_payment_is_measured_against_the_cross_claim_amount(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, _same_patient_pt_and_ot())
    assert _paid(store, org, "V-31", "20.00", "EFT-OT", tmp_path) == 1
    assert _paid(store, org, "V-30", "58.00", "EFT-PT", tmp_path) == 1
    with uow(store, org) as work:
        rows = {
            (r["code"], r["expected_allowed"], r["variance"]) for r in work.underpayments.items()
        }
    assert rows == {
        ("97110", Decimal("22.21"), Decimal("2.21")),
        ("97530", Decimal("60.12"), Decimal("2.12")),
    }


def test_a_rejected_claim_of_the_day_does_not_take_the_full_unit(
    store: Store, tmp_path: Path
) -> None:
    org = seed(store, _same_patient_pt_and_ot())
    with uow(store, org) as work:
        pt = work.claims.by_pcn(["V-30"])["V-30"]
        work.connection.execute(
            text("UPDATE claims SET state = 'rejected' WHERE id = :i"),
            {"i": pt.id},
        )
        work.commit()
    # Alone on its day, the OT claim's 97110 keeps the full unit: 29.06.
    assert _paid(store, org, "V-31", "22.21", "EFT-OT", tmp_path) == 1
    with uow(store, org) as work:
        (row,) = work.underpayments.items()
    assert row["expected_allowed"] == Decimal("29.06")
