"""Every 837 ptrcm writes validates with pyx12 with zero errors (the acceptance oracle)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from ptrcm.domain.claims import FREQUENCY_REPLACEMENT, Claim
from ptrcm.domain.visits import Address
from ptrcm.x12.claim837.professional import Billing
from tests.unit.x12_write import factory as f
from tests.x12_oracle import pyx12_errors


def _medicare() -> str:
    return f.write_p([f.claim()])


def _commercial_dependent_child() -> str:
    sub = dict(f.SUBSCRIBER, relationship="child")
    return f.write_p([f.claim(payer_id="COMMERCIAL", subscriber=sub, member_id="XQZ123456")])


def _medicaid_spouse_and_other() -> str:
    spouse = f.claim(payer_id="MEDICAID", subscriber=f.SUBSCRIBER, member_id="MCD0099")
    other = f.claim(
        visit_id="V-1002",
        payer_id="MEDICAID",
        subscriber=dict(f.SUBSCRIBER, relationship="other"),
        member_id="MCD0100",
    )
    return f.write_p([spouse, other])


def _advantage_and_workers_comp_in_one_file() -> str:
    claims = [
        f.claim(payer_id="MEDICARE_ADV"),
        f.claim(visit_id="V-2", payer_id="WORKERS_COMP", member_id="WC-77-1"),
        f.claim(visit_id="V-3", payer_id="COMMERCIAL", member_id="C1"),
    ]
    return f.write_p(claims)


def _secondary_with_cob() -> str:
    secondary = f.claim(payer_id="COMMERCIAL", member_id="SUPP123")
    adjudication = f.primary_adjudication(secondary)
    return f.write_p([secondary], f.billing(**{secondary.claim_id: adjudication}))


def _secondary_dependent_with_claim_level_cas() -> str:
    secondary = f.claim(payer_id="COMMERCIAL", subscriber=f.SUBSCRIBER, member_id="SUPP1")
    adjudication = f.primary_adjudication(secondary)
    from ptrcm.domain.adjudication import Adjustment
    from ptrcm.domain.money import Money

    extra = Adjustment("PR", "1", Money.of("10.00"))
    adjudication = replace(
        adjudication, paid=adjudication.paid - extra.amount, adjustments=(extra,)
    )
    return f.write_p([secondary], f.billing(**{secondary.claim_id: adjudication}))


def _institutional_pt() -> str:
    return f.write_i([f.claim(payer_id="MEDICARE_HOPD")])


def _institutional_ot_and_slp_corf() -> str:
    ot = f.claim(
        payer_id="CORF_MEDICARE",
        discipline="OT",
        rendering={"npi": "1679576722", "credential": "OT", "name": "Bo Chen"},
        services=[{"code": "97530", "minutes": 38}, {"code": "97535", "minutes": 15}],
    )
    slp = f.claim(
        visit_id="V-SLP",
        payer_id="CORF_MEDICARE",
        discipline="SLP",
        rendering={"npi": "1679576722", "credential": "SLP", "name": "Di Roy"},
        services=[{"code": "92507"}],
        diagnoses=["R13.12", "I69.391", "R47.1"],
    )
    return f.write_i([ot, slp])


def _institutional_secondary() -> str:
    secondary = f.claim(payer_id="MEDICARE_HOPD", member_id="SUPP9")
    adjudication = f.primary_adjudication(secondary, payer_id="COMMERCIAL")
    return f.write_i([secondary], f.billing(**{secondary.claim_id: adjudication}))


def _telehealth_pos10_modifier95() -> str:
    return f.write_p([f.claim(place_of_service="10", payer_id="COMMERCIAL")])


def _telehealth_pos02_institutional() -> str:
    return f.write_i([f.claim(place_of_service="02", payer_id="MEDICARE_HOPD")])


def _split_claim_of_120_lines() -> str:
    return f.write_p([f.many_lines(f.claim(), 120)])


def _assistants_cq_co_and_kx() -> str:
    pta = f.claim(
        rendering={"npi": "1679576722", "credential": "PTA", "name": "Sam Hill"},
        supervising={"npi": "1245319599", "credential": "PT", "name": "Ana Ruiz, DPT"},
        services=[
            {"code": "97110", "minutes": 30, "assistant_minutes": 20},
            {"code": "97140", "minutes": 15, "units": 1, "modifiers": ["GP", "KX"]},
        ],
    )
    ota = f.claim(
        visit_id="V-OTA",
        discipline="OT",
        rendering={"npi": "1679576722", "credential": "OTA", "name": "Kim Lo"},
        supervising={"npi": "1245319599", "credential": "OT", "name": "Ruiz, Ana OTR/L"},
        services=[{"code": "97535", "minutes": 25, "assistant_minutes": 25}],
    )
    return f.write_p([pta, ota])


def _replacement_claim_and_twelve_diagnoses() -> str:
    dx = ["M54.16", "M62.81", "M25.561", "M25.562", "R26.89", "Z96.651",
          "M17.11", "M79.604", "R29.6", "M62.50", "G89.29", "Z47.1"]  # fmt: skip
    base = f.claim(diagnoses=dx)
    corrected = replace(base, frequency=FREQUENCY_REPLACEMENT, payer_claim_number="ICN7788")
    return f.write_p([corrected])


def _pay_to_address_and_minimal_visit() -> str:
    bare = f.claim(referring=None, onset_date=None, plan_of_care=None, authorization=None)
    pay_to = Address(line1="PO Box 99", city="Springfield", state="IL", zip="62705")
    bill = Billing(f.CONFIG.clinic, f.CONFIG.payers, pay_to=pay_to)
    return f.write_p([bare], bill)


def _rendering_same_as_billing() -> str:
    npi = f.CONFIG.clinic.npi
    return f.write_p([f.claim(rendering={"npi": npi, "credential": "PT", "name": "Ana Ruiz"})])


VARIETY: dict[str, Callable[[], str]] = {
    name.lstrip("_"): fn
    for name, fn in list(globals().items())
    if name.startswith("_") and callable(fn) and not name.startswith("__")
}


@pytest.mark.parametrize("name", sorted(VARIETY))
def test_every_generated_837_validates_with_pyx12_with_zero_errors(name: str) -> None:
    text = VARIETY[name]()
    assert pyx12_errors(text) == []


def test_the_variety_covers_the_acceptance_list() -> None:
    assert len(VARIETY) >= 15


def test_a_deliberately_broken_837_reports_errors() -> None:
    text = _medicare()
    broken = text.replace("HI*ABK:", "HI*XX:").replace("SE*", "SE*9")
    errors = pyx12_errors(broken)
    assert any("SE count" in e for e in errors)
    assert any("HI" in e for e in errors)


def test_a_claim_missing_its_place_of_service_composite_reports_errors() -> None:
    claim: Claim = f.claim()
    text = f.write_p([claim]).replace("***11:B:1*", "****")
    assert pyx12_errors(text) != []
