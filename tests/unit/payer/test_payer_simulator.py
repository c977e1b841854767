"""The payer simulator: each denial behaviour, its money, its files, its determinism."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ptrcm.config import load_config
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.money import Money
from ptrcm.domain.visits import Person, Provider
from ptrcm.services.claims.output import envelope_settings
from ptrcm.synth.payer import PayerSimulator
from ptrcm.synth.payer_profile import Authorization, Member, MemberFile, load_profile
from ptrcm.synth.payer_rules import PayerState
from ptrcm.x12.claim837.professional import Billing, write_837p
from ptrcm.x12.envelope import CounterControlNumbers
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835.model import RemittanceDocument
from tests.x12_oracle import pyx12_answer_errors

DOS = date(2026, 1, 12)
PT_NPI = "1234567893"
OT_NPI = "1245319599"
MEMBERS = MemberFile(
    {
        "M1": Member(
            "M1", "MEDICARE_ADV", 0, (Authorization("AU1", 2, date(2026, 1, 1), date(2026, 3, 1)),)
        ),
        "M2": Member("M2", "MEDICAID", 19),
    },
    {PT_NPI: "PT", OT_NPI: "OT"},
)


def line(n: int, code: str, mods: tuple[str, ...] = ("GP",), units: int = 1,
         pointers: tuple[int, ...] = (1,)) -> ClaimLine:  # fmt: skip
    return ClaimLine(n, DOS, code, mods, units, units, Money.of("60.00") * units, pointers)


def claim(*lines: ClaimLine, pcn: str = "V-1", member: str = "M9", **kw: object) -> Claim:
    base = Claim(
        claim_id=pcn, payer_id="MEDICARE", patient_id="P-1", discipline="PT",
        lines=lines or (line(1, "97110", units=2),), diagnoses=("M54.50",),
        rendering=Provider("PT", PT_NPI, "Ana Ruiz"), member_id=member,
        patient=Person("Ana", "Lee", date(1950, 1, 2), "F"),
    )  # fmt: skip
    return replace(base, **kw)  # type: ignore[arg-type]


def decide(profile: str, c: Claim, submitted: date = date(2026, 1, 20), seed: int = 1) -> object:
    sim = PayerSimulator(load_profile(profile), MEMBERS, load_config().clinic, seed=seed)
    return sim.adjudicator(DOS).decide(c, submitted)


def carcs(decision: object) -> set[str]:
    d = decision  # a Decision
    found = {x.carc for x in d.line_denials.values()}  # type: ignore[attr-defined]
    if d.claim_denial is not None:  # type: ignore[attr-defined]
        found.add(d.claim_denial.carc)  # type: ignore[attr-defined]
    return found


def test_a_clean_medicare_claim_is_paid_without_denial() -> None:
    assert carcs(decide("medicare", claim())) == set()


def test_a_line_missing_gp_gets_co_4() -> None:
    assert carcs(decide("medicare", claim(line(1, "97110", mods=())))) == {"4"}


def test_a_go_line_from_a_physical_therapist_gets_co_4() -> None:
    assert carcs(decide("medicare", claim(line(1, "97110", mods=("GO",))))) == {"4"}


def test_commercial_payers_do_not_require_therapy_modifiers() -> None:
    assert carcs(decide("commercial", claim(line(1, "97110", mods=())))) == set()


def test_an_ncci_pair_without_59_gets_co_236_and_with_59_is_paid() -> None:
    pair = claim(line(1, "97140"), line(2, "97530"))
    assert carcs(decide("medicare", pair)) == {"236"}
    distinct = claim(line(1, "97140"), line(2, "97530", mods=("GP", "59")))
    assert carcs(decide("medicare", distinct)) == set()


def test_units_over_the_mue_get_co_151() -> None:
    assert carcs(decide("medicare", claim(line(1, "97035", units=3)))) == {"151"}


def test_no_authorization_gets_co_197_and_a_known_one_is_paid() -> None:
    assert carcs(decide("medicare_advantage", claim(member="M1"))) == {"197"}
    known = claim(member="M1", prior_authorization="AU1")
    assert carcs(decide("medicare_advantage", known)) == set()


def test_visits_past_the_authorized_count_get_co_197() -> None:
    sim = PayerSimulator(load_profile("medicare_advantage"), MEMBERS, load_config().clinic)
    adj = sim.adjudicator(DOS)
    results = [
        carcs(
            adj.decide(
                claim(
                    pcn=f"V-{i}",
                    member="M1",
                    prior_authorization="AU1",
                    lines=(line(1, "97110", units=i),),
                ),
                DOS,
            )
        )
        for i in (1, 2, 3)
    ]
    assert results == [set(), set(), {"197"}]


def test_the_visit_past_the_annual_limit_gets_co_119() -> None:
    sim = PayerSimulator(load_profile("medicaid"), MEMBERS, load_config().clinic)
    adj = sim.adjudicator(DOS)
    first = adj.decide(claim(pcn="V-1", member="M2", prior_authorization=None), DOS)
    assert "119" not in carcs(first)
    second = adj.decide(claim(pcn="V-2", member="M2", lines=(line(1, "97112"),)), DOS)
    assert "119" in carcs(second) or "197" in carcs(second)


def test_a_claim_filed_after_the_limit_gets_co_29() -> None:
    assert carcs(decide("commercial", claim(), submitted=date(2026, 6, 1))) == {"29"}


def test_a_pointer_past_the_diagnoses_gets_co_16_with_ma130() -> None:
    d = decide("medicare", claim(line(1, "97110", pointers=(3,))))
    assert carcs(d) == {"16"}
    assert "MA130" in d.line_denials[1].rarcs  # type: ignore[attr-defined]


def test_an_exact_duplicate_gets_co_18() -> None:
    sim = PayerSimulator(load_profile("medicare"), MEMBERS, load_config().clinic)
    adj = sim.adjudicator(DOS)
    assert carcs(adj.decide(claim(pcn="V-1"), DOS)) == set()
    assert carcs(adj.decide(claim(pcn="V-2"), DOS)) == {"18"}


def test_a_bad_npi_check_digit_is_rejected_at_the_277ca() -> None:
    bad = claim(rendering=Provider("PT", "1234567890", "Ana Ruiz"))
    assert decide("medicare", bad).rejection == "562"  # type: ignore[attr-defined]


def test_medical_necessity_denials_come_at_about_the_profile_rate() -> None:
    sim = PayerSimulator(load_profile("medicare"), MEMBERS, load_config().clinic, seed=5)
    adj = sim.adjudicator(DOS)
    denied = sum(
        "50" in carcs(adj.decide(claim(pcn=f"V-{i}", member=f"X{i}"), DOS)) for i in range(3000)
    )
    assert 10 <= denied <= 55  # 1% of 3000 = 30


@pytest.fixture(scope="module")
def batch() -> str:
    config = load_config()
    claims = [claim(pcn=f"V-{i}", member=f"M{i}") for i in range(10, 20)]
    claims.append(claim(line(1, "97110", mods=()), pcn="V-BAD", member="M99"))
    claims.append(claim(pcn="V-REJ", member="M98",
                        rendering=Provider("PT", "1234567890", "X Y")))  # fmt: skip
    settings = envelope_settings(config, claims)
    billing = Billing(config.clinic, config.payers)
    return write_837p(claims, billing, settings, CounterControlNumbers(), DOS_TIME)


DOS_TIME = __import__("datetime").datetime(2026, 1, 20, 9, 0)


def _answer(text: str, seed: int) -> dict[str, str]:
    config = load_config()
    codes = {p.payer_code: pid for pid, p in config.payers.items()}
    sim = PayerSimulator(load_profile("medicare"), MEMBERS, config.clinic, payer_ids=codes,
                         seed=seed)  # fmt: skip
    return sim.answer(text, "b.837", date(2026, 1, 20)).files


def test_the_same_seed_gives_the_same_bytes_and_another_seed_may_differ(batch: str) -> None:
    assert _answer(batch, 3) == _answer(batch, 3)
    assert sorted(_answer(batch, 3)) == ["b.277ca", "b.835", "b.999"]


def test_the_999_and_the_277ca_validate_with_pyx12(batch: str) -> None:
    files = _answer(batch, 3)
    assert pyx12_answer_errors(files["b.999"]) == []
    assert pyx12_answer_errors(files["b.277ca"]) == []
    assert pyx12_answer_errors(files["b.835"]) == []


def test_the_answer_check_names_a_broken_835_and_277ca(batch: str) -> None:
    files = _answer(batch, 3)
    bad_status = re.sub(r"CLP\*V-10\*1\*", "CLP*V-10*Q9*", files["b.835"])
    assert any("CLP02" in e for e in pyx12_answer_errors(bad_status))
    no_header = re.sub(r"\nBHT[^~]*~", "\n", files["b.277ca"])
    assert any("HEADER" in e for e in pyx12_answer_errors(no_header))


def test_the_835_balances_and_pays_the_clean_claims_after_the_payment_lag(batch: str) -> None:
    doc = read_x12(_answer(batch, 3)["b.835"])
    assert isinstance(doc, RemittanceDocument)
    assert doc.findings == ()
    by_pcn = {c.patient_control_number: c for c in doc.claims}
    assert "V-REJ" not in by_pcn  # rejected at the front end: never adjudicated
    assert by_pcn["V-BAD"].paid == Money.zero()
    assert {a.reason for ln in by_pcn["V-BAD"].lines for a in ln.adjustments} == {"4"}
    clean = by_pcn["V-10"]
    assert clean.status == "1"  # processed: the deductible took it all, nothing denied
    reasons = {a.group + a.reason for ln in clean.lines for a in ln.adjustments}
    assert {"CO45", "PR1"} <= reasons  # contract write-off and the Part B deductible
    assert doc.transactions[0].payment.payment_date == date(2026, 2, 3)
    for c in doc.claims:
        adjustments = sum(a.amount.amount for ln in c.lines for a in ln.adjustments)
        assert c.charge.amount - adjustments == c.paid.amount


def test_a_state_round_trips_through_json() -> None:
    state = PayerState({"M/2026": 3}, {"AU1": 2}, {"sig": "V-1"}, {"M/2026": "10.00"}, 7)
    assert PayerState.from_json(state.to_json()) == state


def test_the_profiles_load_with_their_rates() -> None:
    assert load_profile("medicare").coinsurance == Decimal("0.20")
    assert load_profile("medicaid").visit_limit == 20


def test_a_corrected_claim_replaces_the_one_it_names_and_is_no_duplicate() -> None:
    sim = PayerSimulator(load_profile("medicare"), MEMBERS, load_config().clinic, seed=1)
    adj = sim.adjudicator(DOS)
    adj.decide(claim(), DOS)
    fixed = claim(pcn="V-1-C1", frequency="7", payer_claim_number="PCN1")
    assert "18" not in carcs(adj.decide(fixed, DOS))
    assert carcs(adj.decide(claim(pcn="V-3"), DOS)) == {"18"}  # an original still is one
