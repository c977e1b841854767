"""What the simulated payer knows and acts on: eligibility (CO-27), the Medicare KX threshold
(CO-119 N640), assistant-rendered lines without CQ/CO (CO-4), and the member file the demo
builds from master data and visits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from ptrcm.config import load_config
from ptrcm.domain.claims import Claim, ClaimLine
from ptrcm.domain.contracts import expected_allowed
from ptrcm.domain.money import Money
from ptrcm.domain.visits import Person, Provider
from ptrcm.services.demo.payers import member_file
from ptrcm.synth.payer import PayerSimulator
from ptrcm.synth.payer_pricing import price_claim, profile_contract
from ptrcm.synth.payer_profile import Member, MemberFile, load_profile, parse_members
from ptrcm.synth.payer_rules import Decision

DOS = date(2026, 1, 12)
PT_NPI, OT_NPI, PTA_NPI = "1234567893", "1245319599", "1234567802"
THRESHOLD_2026 = Decimal("2480.00")


def line(code: str, mods: tuple[str, ...] = ("GP",), units: int = 2) -> ClaimLine:
    return ClaimLine(1, DOS, code, mods, units, units, Money.of("60.00") * units, (1,))


def claim(ln: ClaimLine, member: str, pcn: str = "V-1", npi: str = PT_NPI) -> Claim:
    return Claim(
        claim_id=pcn, payer_id="MEDICARE", patient_id="P-1", discipline="PT", lines=(ln,),
        diagnoses=("M54.50",), rendering=Provider("PT", npi, "Ana Ruiz"), member_id=member,
        patient=Person("Ana", "Lee", date(1950, 1, 2), "F"),
    )  # fmt: skip


def allowed(ln: ClaimLine) -> Decimal:
    contract = profile_contract(load_profile("medicare"), "MEDICARE")
    return sum((e.allowed.amount for e in expected_allowed((ln,), contract)), Decimal(0))


def simulator(*members: Member, profile: str = "medicare", **flags: bool) -> PayerSimulator:
    file = MemberFile(
        {m.member_id: m for m in members},
        {PT_NPI: "PT", OT_NPI: "OT", PTA_NPI: "PT"},
        frozenset({PTA_NPI}),
    )
    chosen = replace(load_profile(profile), **flags)  # type: ignore[arg-type]
    return PayerSimulator(chosen, file, load_config().clinic, seed=3)


def carcs(d: Decision) -> set[str]:
    found = {x.carc for x in d.line_denials.values()}
    return found | ({d.claim_denial.carc} if d.claim_denial else set())


def decide(sim: PayerSimulator, c: Claim) -> Decision:
    return sim.adjudicator(c.first_date).decide(c, DOS + timedelta(days=7))


# --- eligibility -----------------------------------------------------------------------
def test_a_date_after_the_coverage_ended_gets_co_27() -> None:
    ended = Member(
        "E1", "MEDICARE", coverage_start=date(2020, 1, 1), coverage_end=DOS - timedelta(1)
    )
    assert carcs(decide(simulator(ended), claim(line("97110"), "E1"))) == {"27"}


def test_a_date_inside_the_coverage_span_is_paid() -> None:
    covered = Member("E1", "MEDICARE", coverage_start=date(2020, 1, 1), coverage_end=DOS)
    assert carcs(decide(simulator(covered), claim(line("97110"), "E1"))) == set()


def test_a_date_before_the_coverage_began_gets_co_27() -> None:
    later = Member("E1", "MEDICARE", coverage_start=DOS + timedelta(1))
    assert carcs(decide(simulator(later), claim(line("97110"), "E1"))) == {"27"}


def test_a_date_inside_a_lapse_gets_co_27_and_a_day_after_it_is_paid() -> None:
    lapsed = Member("E1", "MEDICARE", lapses=((DOS - timedelta(3), DOS),))
    sim = simulator(lapsed)
    assert carcs(decide(sim, claim(line("97110"), "E1"))) == {"27"}
    after = replace(line("97112"), date_of_service=DOS + timedelta(1))
    assert carcs(decide(sim, claim(after, "E1", pcn="V-2"))) == set()


def test_a_payer_that_does_not_check_eligibility_pays_a_lapsed_date() -> None:
    lapsed = Member("E1", "MEDICARE", lapses=((DOS, DOS),))
    sim = simulator(lapsed, eligibility_check=False)
    assert carcs(decide(sim, claim(line("97110"), "E1"))) == set()


# --- KX threshold ----------------------------------------------------------------------
def kx_member(before: Decimal, group: str = "PT+SLP") -> Member:
    return Member("K1", "MEDICARE", therapy_before={f"2026/{group}": before})


def test_a_line_that_takes_the_year_past_the_threshold_without_kx_gets_co_119_n640() -> None:
    ln = line("97110")
    over = decide(simulator(kx_member(THRESHOLD_2026 - allowed(ln) + Decimal("0.01"))),
                  claim(ln, "K1"))  # fmt: skip
    assert carcs(over) == {"119"}
    assert over.line_denials[1].rarcs == ("N640",)


def test_a_line_that_reaches_the_threshold_exactly_is_paid_without_kx() -> None:
    ln = line("97110")
    sim = simulator(kx_member(THRESHOLD_2026 - allowed(ln)))
    assert carcs(decide(sim, claim(ln, "K1"))) == set()


def test_a_line_past_the_threshold_with_kx_is_paid() -> None:
    ln = line("97110", mods=("GP", "KX"))
    sim = simulator(kx_member(THRESHOLD_2026))
    assert carcs(decide(sim, claim(ln, "K1"))) == set()


def test_occupational_therapy_counts_against_its_own_threshold() -> None:
    ot = line("97530", mods=("GO",))
    sim = simulator(kx_member(THRESHOLD_2026))  # PT+SLP is past; OT has nothing yet
    assert carcs(decide(sim, claim(ot, "K1", npi=OT_NPI))) == set()


def test_a_payer_without_the_threshold_pays_past_it() -> None:
    sim = simulator(kx_member(THRESHOLD_2026), therapy_threshold=False)
    assert carcs(decide(sim, claim(line("97110"), "K1"))) == set()


def test_the_payer_adds_what_it_allowed_and_the_next_claim_passes_the_threshold() -> None:
    first, second = line("97110"), line("97112")
    sim = simulator(kx_member(THRESHOLD_2026 - allowed(first) - Decimal("0.01")))
    c1 = claim(first, "K1")
    d1 = decide(sim, c1)
    assert carcs(d1) == set()
    contract = profile_contract(sim.profile, "MEDICARE")
    paid = price_claim(c1, d1, sim.profile, contract, sim.state, 3, DOS, "N1")
    b6 = paid.lines[0].amounts[0].amount
    assert sim.state.therapy_ytd == {"K1/2026/PT+SLP": str(b6)}
    assert carcs(decide(sim, claim(second, "K1", pcn="V-2"))) == {"119"}


# --- assistants ------------------------------------------------------------------------
def test_a_timed_line_rendered_by_an_assistant_without_cq_gets_co_4() -> None:
    assert carcs(decide(simulator(), claim(line("97110"), "A1", npi=PTA_NPI))) == {"4"}


def test_a_timed_line_rendered_by_an_assistant_with_cq_is_paid() -> None:
    ln = line("97110", mods=("GP", "CQ"))
    assert carcs(decide(simulator(), claim(ln, "A1", npi=PTA_NPI))) == set()


def test_an_untimed_line_rendered_by_an_assistant_is_not_judged_on_cq() -> None:
    ln = line("97012", units=1)
    assert carcs(decide(simulator(), claim(ln, "A1", npi=PTA_NPI))) == set()


def test_a_payer_that_does_not_require_cq_pays_an_assistant_line_without_it() -> None:
    sim = simulator(assistant_modifier_required=False)
    assert carcs(decide(sim, claim(line("97110"), "A1", npi=PTA_NPI))) == set()


# --- the member file -------------------------------------------------------------------
def test_a_member_file_round_trips_through_json() -> None:
    m = Member("K1", "MEDICARE", 2, (), date(2020, 1, 1), date(2026, 6, 30),
               ((date(2026, 2, 1), date(2026, 2, 9)),), {"2026/OT": Decimal("12.34")})  # fmt: skip
    file = MemberFile({"K1": m}, {PT_NPI: "PT"}, frozenset({PTA_NPI}))
    assert parse_members(file.to_json(), "test") == file


def visit(day: str, active: bool = True, end: str | None = None, **extra: object) -> dict:  # type: ignore[type-arg]
    coverage = {"active": active, "start": "2020-01-01", **({"end": end} if end else {})}
    return {"member_id": "K1", "date_of_service": day, "coverage": coverage,
            "discipline": "PT", **extra}  # fmt: skip


MASTER = {
    "coverages": [{"patient_id": "P-1", "payer_id": "MEDICARE", "member_id": "K1",
                   "start": "2020-01-01", "end": None}],
    "therapists": [{"npi": PT_NPI, "credential": "PT"}, {"npi": PTA_NPI, "credential": "PTA"}],
}  # fmt: skip


def test_the_demo_member_file_has_a_lapse_after_the_last_active_visit() -> None:
    visits = [visit("2026-01-05"), visit("2026-01-12", active=False, end="2025-12-31")]
    m = member_file(MASTER, visits).members["K1"]
    assert m.lapses == ((date(2026, 1, 6), date(2026, 1, 12)),)
    assert not m.covered_on(date(2026, 1, 12)) and m.covered_on(date(2026, 1, 5))


def test_a_day_another_visit_reports_active_stays_covered() -> None:
    visits = [visit("2026-01-12", active=False, end="2025-12-31"), visit("2026-01-12")]
    assert member_file(MASTER, visits).members["K1"].lapses == ()


def test_the_demo_member_file_knows_assistants_and_the_earliest_therapy_amount() -> None:
    visits = [visit("2026-01-12", kx_ytd_allowed="300.00"),
              visit("2026-01-05", kx_ytd_allowed="120.50"),
              visit("2026-01-07", discipline="OT", kx_ytd_allowed="40.00")]  # fmt: skip
    file = member_file(MASTER, visits)
    assert file.assistants == frozenset({PTA_NPI})
    assert file.members["K1"].therapy_before == {
        "2026/PT+SLP": Decimal("120.50"),
        "2026/OT": Decimal("40.00"),
    }
