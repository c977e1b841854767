"""What the 837 writers put where: envelope counts, control numbers, loops by case."""

from __future__ import annotations

from dataclasses import replace

from ptrcm.domain.claims import FREQUENCY_VOID
from ptrcm.domain.money import Money
from ptrcm.x12.claim837.professional import split_claim, write_837p
from ptrcm.x12.envelope import CounterControlNumbers, amount
from tests.unit.x12_write import factory as f


def _between_st_and_se(segs: list[str]) -> list[list[str]]:
    sets, current = [], None
    for s in segs:
        if s.startswith("ST*"):
            current = [s]
        elif current is not None:
            current.append(s)
            if s.startswith("SE*"):
                sets.append(current)
                current = None
    return sets


def test_se_counts_its_own_transaction_set_and_ge_iea_count_sets_and_groups() -> None:
    claims = [f.claim(), f.claim(visit_id="V-2", payer_id="COMMERCIAL", member_id="C9")]
    segs = f.segments(f.write_p(claims))
    sets = _between_st_and_se(segs)
    assert len(sets) == 2
    for tx in sets:
        assert tx[-1].split("*")[1] == str(len(tx))
        assert tx[-1].split("*")[2] == tx[0].split("*")[2]
    assert segs[-2].split("*")[1] == "2"
    assert segs[-1] == "IEA*1*" + segs[0].split("*")[13]


def test_control_numbers_come_from_the_injected_port() -> None:
    controls = CounterControlNumbers(interchange=4711, group=88, transaction=301)
    text = write_837p([f.claim()], f.billing(), f.SETTINGS, controls, f.NOW)
    segs = f.segments(text)
    assert segs[0].split("*")[13] == "000004711"
    assert segs[1].split("*")[6] == "88"
    assert segs[2] == "ST*837*0301*005010X222A1"
    again = f.segments(write_837p([f.claim()], f.billing(), f.SETTINGS, controls, f.NOW))
    assert again[0].split("*")[13] == "000004712"


def test_isa_is_exactly_106_characters_wide() -> None:
    assert len(f.segments(f.write_p([f.claim()]))[0]) + 1 == 106


def test_a_claim_of_120_lines_becomes_three_claims_of_at_most_50() -> None:
    parts = split_claim(f.many_lines(f.claim(), 120))
    assert [p.claim_id for p in parts] == ["V-1001-1", "V-1001-2", "V-1001-3"]
    assert [len(p.lines) for p in parts] == [50, 50, 20]
    assert sum((p.total_charge for p in parts), Money.zero()) == Money.of("6600.00")
    segs = f.segments(f.write_p([f.many_lines(f.claim(), 120)]))
    assert sum(s.startswith("CLM*") for s in segs) == 3
    assert "REF*6R*51" in segs


def test_a_claim_of_exactly_50_lines_is_not_split() -> None:
    assert len(split_claim(f.many_lines(f.claim(), 50))) == 1


def test_medicare_self_claim_has_sbr_18_mb_no_patient_loop_and_rendering_loop() -> None:
    segs = f.segments(f.write_p([f.claim()]))
    assert "SBR*P*18*******MB" in segs
    assert not any(s.startswith("PAT*") for s in segs)
    assert "NM1*82*1*Ruiz*Ana****XX*1679576722" in segs
    assert "PRV*PE*PXC*225100000X" in segs
    assert "NM1*DN*1*Park*Lee****XX*1003000126" in segs
    assert "HI*ABK:M5416*ABF:M6281" in segs
    assert "DTP*431*D8*20260115" in segs and "DTP*454*D8*20260210" in segs
    assert "REF*G1*A123" in segs


def test_a_rendering_provider_equal_to_billing_is_not_repeated() -> None:
    npi = f.CONFIG.clinic.npi
    claim = f.claim(rendering={"npi": npi, "credential": "PT", "name": "A B"})
    assert not any(s.startswith("NM1*82") for s in f.segments(f.write_p([claim])))


def test_a_child_patient_gets_a_2000c_loop_with_pat_19_and_blank_sbr02() -> None:
    sub = dict(f.SUBSCRIBER, relationship="child")
    segs = f.segments(f.write_p([f.claim(payer_id="COMMERCIAL", subscriber=sub)]))
    assert "SBR*P********CI" in segs
    assert "HL*3*2*23*0" in segs and "PAT*19" in segs
    assert "NM1*QC*1*Lopez*Maria" in segs


def test_filing_indicators_follow_the_payer_class() -> None:
    expected = {"MEDICARE": "MB", "MEDICARE_ADV": "16", "MEDICAID": "MC",
                "COMMERCIAL": "CI", "WORKERS_COMP": "WC"}  # fmt: skip
    for payer, code in expected.items():
        segs = f.segments(f.write_p([f.claim(payer_id=payer)]))
        assert next(s for s in segs if s.startswith("SBR*")).endswith("*" + code)


def test_a_void_claim_carries_frequency_8_and_the_payer_claim_number() -> None:
    void = replace(f.claim(), frequency=FREQUENCY_VOID, payer_claim_number="ICN1")
    segs = f.segments(f.write_p([void]))
    assert any(s.startswith("CLM*V-1001*") and "*11:B:8*" in s for s in segs)
    assert "REF*F8*ICN1" in segs


def test_a_secondary_claim_reports_the_primary_payment_per_claim_and_line() -> None:
    claim = f.claim(payer_id="COMMERCIAL", member_id="SUPP1")
    adjudication = f.primary_adjudication(claim)
    assert adjudication.unbalanced_by(claim.total_charge) == Money.zero()
    segs = f.segments(f.write_p([claim], f.billing(**{claim.claim_id: adjudication})))
    assert next(s for s in segs if s.startswith("SBR*")).startswith("SBR*S*18")
    assert f"AMT*D*{amount(adjudication.paid)}" in segs
    assert "SBR*P*18*******MB" in segs and "OI***Y***Y" in segs and "MOA***N130" in segs
    assert "NM1*PR*2*Medicare Part B*****PI*MCRPB" in segs
    assert sum(s.startswith("SVD*MCRPB*") for s in segs) == len(claim.lines)
    assert "DTP*573*D8*20260330" in segs


def test_an_institutional_claim_has_type_of_bill_statement_dates_and_revenue_codes() -> None:
    segs = f.segments(f.write_i([f.claim(payer_id="MEDICARE_HOPD")]))
    assert any(s.startswith("CLM*V-1001*") and "*13:A:1*" in s for s in segs)
    assert "DTP*434*RD8*20260302-20260302" in segs
    assert "SBR*P*18*******MA" in segs
    assert "HI*BH:11:D8:20260115*BH:35:D8:20260210*BH:29:D8:20260220" in segs
    assert "HI*BE:50:::7" in segs
    assert "NM1*71*1*Ruiz*Ana****XX*1679576722" in segs
    svs = [s for s in segs if s.startswith("SV2*")]
    assert svs and all(s.startswith("SV2*0420*HC:") and ":GP" in s for s in svs)
    assert sum(s.startswith("DTP*472*") for s in segs) == len(svs)


def test_a_type_of_bill_override_changes_the_facility_code() -> None:
    segs = f.segments(f.write_i([f.claim(payer_id="CORF_MEDICARE")]))
    assert any("*75:A:1*" in s for s in segs if s.startswith("CLM*"))
