"""Reading 835s into typed remittances: claims, lines, adjustments, balancing findings."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from ptrcm.domain.money import Money
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835.model import Adjustment, Procedure, RemittanceDocument
from tests.unit.x12.remits import CORRECTION, DENIAL, PARTIAL, REVERSAL, sample_835


def read(text: str) -> RemittanceDocument:
    doc = read_x12(text, "hand.835")
    assert isinstance(doc, RemittanceDocument)
    return doc


def test_the_hand_built_835_reads_clean_and_balances() -> None:
    doc = read(sample_835())
    assert doc.findings == ()
    remit = doc.transactions[0]
    assert remit.payment.amount == Money.of("110")
    assert (remit.payment.method, remit.payment.credit_debit) == ("ACH", "C")
    assert remit.payment.payment_date == date(2026, 6, 1)
    assert remit.trace is not None and remit.trace.number == "EFT20260601"
    assert remit.payer.name == "ACME HEALTH"
    assert (remit.payee.npi, remit.payee.tin) == ("1679576722", "741234567")
    assert remit.production_date == date(2026, 5, 30)
    assert [c.patient_control_number for c in remit.claims] == ["PCN-1", "PCN-2", "PCN-3", "PCN-3"]


def test_partial_payment_claim_keeps_every_field() -> None:
    claim = read(sample_835()).claims[0]
    assert (claim.status, claim.charge, claim.paid) == ("1", Money.of(200), Money.of(110))
    assert claim.patient_responsibility == Money.of(30)
    assert (claim.filing_indicator, claim.payer_claim_control_number) == ("12", "PAYER-CCN-1")
    assert claim.name("QC") is not None and claim.name("QC").id == "M001"  # type: ignore[union-attr]
    assert claim.name("IL") is not None
    assert [r.code for r in claim.remarks] == ["MA01", "N59"]
    assert [(d.qualifier, d.value) for d in claim.dates] == [
        ("232", date(2026, 5, 10)),
        ("050", date(2026, 5, 15)),
    ]
    assert claim.amounts[0].amount == Money.of(140)


def test_service_lines_carry_adjustments_allowed_remarks_and_control_numbers() -> None:
    first, second = read(sample_835()).claims[0].lines
    assert first.procedure == Procedure("HC", "97110", ("GP",))
    assert (first.charge, first.paid, first.units) == (Money.of(120), Money.of(60), Decimal(2))
    assert first.adjustments == (
        Adjustment("CO", "45", Money.of(40)),
        Adjustment("PR", "2", Money.of(20)),
    )
    assert first.allowed == Money.of(80)
    assert first.control_number == "L1"
    assert [(r.qualifier, r.code) for r in first.remarks] == [("HE", "N130")]
    assert first.dates[0].value == date(2026, 5, 10)
    assert second.adjustments[:2] == (
        Adjustment("CO", "45", Money.of(20), Decimal(1)),
        Adjustment("CO", "253", Money.of(0), None),
    )


def test_a_payer_that_drops_a_modifier_reports_the_original_procedure() -> None:
    line = read(sample_835()).claims[0].lines[0]
    assert line.original_procedure == Procedure("HC", "97110", ("GP", "59"))
    assert line.procedure.modifiers == ("GP",)


def test_denial_reversal_and_correction_are_told_apart() -> None:
    claims = read(sample_835()).claims
    assert claims[1].is_denied and claims[1].adjustments[0].reason == "50"
    assert claims[2].is_reversal and claims[2].paid == Money.of("-70")
    assert claims[3].status == "1" and claims[3].name("74") is not None


def test_plb_pairs_are_all_read_with_composite_references() -> None:
    plb = read(sample_835()).transactions[0].provider_adjustments[0]
    assert plb.fiscal_period_end == date(2026, 12, 31)
    assert [(i.reason, i.reference, i.amount) for i in plb.items] == [
        ("L6", "INT1", Money.of("-2.5")),
        ("WO", "PCN-OLD", Money.of("12.5")),
    ]


def test_an_unbalanced_claim_is_a_finding_and_the_file_is_still_read() -> None:
    bad = [PARTIAL[0].replace("*110*", "*111*"), *PARTIAL[1:]]
    doc = read(sample_835(total="111", claims=[bad, DENIAL, REVERSAL, CORRECTION]))
    assert len(doc.claims) == 4
    messages = [str(f) for f in doc.findings]
    assert len(messages) == 1
    assert "CLP" in messages[0] and "claim PCN-1 does not balance" in messages[0]


def test_an_unbalanced_line_and_transaction_are_findings() -> None:
    bad = [s.replace("SVC*HC:97140:GP*80*50", "SVC*HC:97140:GP*80*51") for s in PARTIAL]
    doc = read(sample_835(total="999", claims=[bad, DENIAL]))
    text = "\n".join(str(f) for f in doc.findings)
    assert "SVC: service line 97140 of claim PCN-1 does not balance" in text
    assert "BPR: transaction 1001 does not balance" in text


def test_a_malformed_claim_is_skipped_with_a_finding_naming_its_segment() -> None:
    bad = [PARTIAL[0].replace("*200*", "*2X0*"), *PARTIAL[1:]]
    doc = read(sample_835(claims=[bad, DENIAL]))
    assert [c.patient_control_number for c in doc.claims] == ["PCN-2"]
    first = doc.findings[0]
    assert (first.segment, first.segment_id) == (14, "CLP")
    assert "not a number" in first.message and "claim skipped" in first.message


def test_a_malformed_cas_is_a_finding_and_the_rest_of_the_claim_is_read() -> None:
    bad = [s.replace("CAS*PR*2*20", "CAS*XX*2*20") for s in PARTIAL]
    doc = read(sample_835(claims=[bad]))
    assert len(doc.claims[0].lines) == 2
    assert any(f.segment_id == "CAS" and "CAS01 'XX'" in f.message for f in doc.findings)


def test_a_reason_code_longer_than_cas02_allows_is_a_finding_not_a_cut_code() -> None:
    # CAS02 is ID 1/5: a longer code is no CARC; stored cut it would be another one
    bad = [s.replace("CAS*PR*2*20", "CAS*PR*245678*20") for s in PARTIAL]
    doc = read(sample_835(claims=[bad]))
    found = [f.message for f in doc.findings if f.segment_id == "CAS"]
    assert found == ["malformed CAS: CAS reason '245678' is longer than 5 characters"]
    assert all(a.reason != "24567" for ln in doc.claims[0].lines for a in ln.adjustments)


def test_units_out_of_any_range_are_a_finding_not_a_database_error() -> None:
    # SVC05 is R 1/15; a billion units fits neither the integer units column nor sense
    bad = [s.replace("SVC*HC:97110:GP*120*60**2*", "SVC*HC:97110:GP*120*60**1000000000*")
           for s in PARTIAL]  # fmt: skip
    doc = read(sample_835(claims=[bad]))
    assert any(f.segment_id == "SVC" and "quantity '1000000000' is out of range" in f.message
               for f in doc.findings), [f.message for f in doc.findings]  # fmt: skip


def test_several_transaction_sets_in_one_file_are_all_read() -> None:
    one = sample_835()
    st = one.index("ST*835")
    se_end = one.index("GE*1*42")
    body = one[st:se_end]
    two = one[:se_end] + body.replace("1001", "1002") + one[se_end:].replace("GE*1*", "GE*2*")
    doc = read(two)
    assert [t.control_number for t in doc.transactions] == ["1001", "1002"]
    assert doc.findings == ()


def test_read_claims_and_lines_hash_by_value_though_not_frozen() -> None:
    doc = read_x12(sample_835())
    assert isinstance(doc, RemittanceDocument)
    claim = doc.claims[0]
    copy = dataclasses.replace(claim, segment=claim.segment + 100)
    assert copy == claim and hash(copy) == hash(claim)
    assert {claim: "seen"}[copy] == "seen"
    line = claim.lines[0]
    assert hash(dataclasses.replace(line, segment=0)) == hash(line)
