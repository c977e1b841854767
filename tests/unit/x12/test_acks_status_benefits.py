"""999, 277CA/277 and 271 readers on small files written for these tests."""

from __future__ import annotations

from datetime import date

from ptrcm.domain.money import Money
from ptrcm.x12.ack999.parse import AckDocument
from ptrcm.x12.eligibility.benefits271 import BenefitsDocument
from ptrcm.x12.generic import GenericDocument
from ptrcm.x12.read import read_x12, transaction_kind
from ptrcm.x12.status277.parse import StatusDocument
from ptrcm.x12.structure import split_envelope
from ptrcm.x12.tokenizer import tokenize

HEAD = (
    "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260601*0900*^*00501"
    "*000000005*0*P*:~GS*{fid}*A*B*20260601*0900*5*X*{version}~"
)


def wrap(fid: str, version: str, set_id: str, body: list[str]) -> str:
    segs = [f"ST*{set_id}*0001*{version}", *body, f"SE*{len(body) + 2}*0001"]
    return HEAD.format(fid=fid, version=version) + "~".join(segs) + "~GE*1*5~IEA*1*000000005~"


def test_999_reports_each_set_status_with_segment_and_element_errors() -> None:
    text = wrap("FA", "005010X231A1", "999", [
        "AK1*HC*17*005010X222A1", "AK2*837*0001*005010X222A1", "IK5*A",
        "AK2*837*0002*005010X222A1", "IK3*CLM*22*2300*8", "CTX*CLM01:PCN9", "IK4*2*782*1*ABC",
        "IK5*R*5", "AK9*P*2*2*1",
    ])  # fmt: skip
    doc = read_x12(text)
    assert isinstance(doc, AckDocument) and doc.findings == ()
    ack = doc.transactions[0]
    assert (ack.functional_id, ack.group_control) == ("HC", "17")
    assert [s.status for s in ack.sets] == ["A", "R"]
    assert ack.sets[0].accepted and not ack.sets[1].accepted
    error = ack.sets[1].errors[0]
    assert (error.segment_id, error.position, error.loop, error.code) == ("CLM", 22, "2300", "8")
    assert error.contexts == ("CLM01:PCN9",)
    assert (error.elements[0].position, error.elements[0].code) == ("2", "1")
    assert (ack.group_status, ack.included, ack.received, ack.accepted) == ("P", 2, 2, 1)


def test_277ca_keeps_levels_claims_and_every_stc_composite() -> None:
    text = wrap("HN", "005010X214", "277", [
        "BHT*0085*08*B1*20260601*0900*TH", "HL*1**20*1", "NM1*PR*2*ACME*****PI*P1",
        "HL*2*1*21*1", "NM1*41*2*CLINIC*****46*S1", "TRN*1*BATCH7", "STC*A1:19*20260601*WQ*300",
        "HL*3*2*19*1", "NM1*85*2*CLINIC*****XX*1679576722", "HL*4*3*PT",
        "NM1*QC*1*DOE*JANE****MI*M1", "TRN*2*PCN-1", "STC*A7:562:85*20260601*U*200******A7:33:IL",
        "REF*1K*PAYERCCN", "DTP*472*RD8*20260501-20260510",
    ])  # fmt: skip
    doc = read_x12(text)
    assert isinstance(doc, StatusDocument) and doc.kind == "277CA"
    tx = doc.transactions[0]
    assert [lv.label for lv in tx.levels] == [
        "information source",
        "information receiver",
        "provider",
        "patient",
    ]
    assert tx.levels[1].traces == ("BATCH7",)
    assert tx.levels[1].statuses[0].codes[0].category == "A1"
    claim = tx.claims[0]
    assert claim.patient_control_number == "PCN-1" and claim.payer_claim_number == "PAYERCCN"
    stc = claim.statuses[0]
    assert [(c.category, c.status, c.entity) for c in stc.codes] == [
        ("A7", "562", "85"),
        ("A7", "33", "IL"),
    ]
    assert (stc.action, stc.charge) == ("U", Money.of(200))
    assert claim.dates[0].end == date(2026, 5, 10)


def test_271_types_benefits_and_keeps_rejections_at_every_level() -> None:
    text = wrap("HB", "005010X279A1", "271", [
        "BHT*0022*11*R1*20260601*0900", "HL*1**20*1", "NM1*PR*2*ACME*****PI*P1",
        "HL*2*1*21*1", "NM1*1P*2*CLINIC*****XX*1679576722", "AAA*Y**41*C",
        "HL*3*2*22*0", "TRN*2*T1*9999999999", "NM1*IL*1*DOE*JANE****MI*M1", "DTP*346*D8*20260101",
        "EB*1*IND*30^PT**GOLD PLAN", "EB*B*IND*PT*HM**27*25*****Y", "EB*A*IND*PT***23**0.2",
        "EB*C*IND*30***29*350.5****Y", "EB*F*IND*PT***23***VS*20*N*Y", "MSG*COMBINED PT/OT",
        "DTP*356*D8*20260101", "EB*6", "AAA*N**72*C",
    ])  # fmt: skip
    doc = read_x12(text)
    assert isinstance(doc, BenefitsDocument) and doc.findings == ()
    tx = doc.transactions[0]
    assert tx.rejections[0].level == "information receiver" and tx.rejections[0].reason == "41"
    member = tx.members[0]
    assert member.level == "subscriber" and member.traces == ("T1",)
    kinds = [b.kind for b in member.benefits]
    assert kinds == ["active coverage", "co-payment", "coinsurance", "deductible", "limitations",
                     "inactive"]  # fmt: skip
    active, copay, coins, deductible, limit, inactive = member.benefits
    assert active.service_types == ("30", "PT") and active.plan == "GOLD PLAN"
    assert copay.amount == Money.of(25) and copay.period == "visit" and copay.in_network == "Y"
    assert str(coins.percent) == "0.2" and coins.period == "calendar year"
    assert deductible.amount == Money.of("350.50") and deductible.period == "remaining"
    assert (limit.quantity_qualifier, limit.quantity) == ("VS", 20)
    assert limit.messages == ("COMBINED PT/OT",) and limit.dates[0].qualifier == "356"
    assert limit.raw[0] == "F"
    assert inactive.rejections[0].reason == "72"


def test_transaction_kind_tells_837_professional_from_institutional() -> None:
    prof = split_envelope(tokenize(wrap("HC", "005010X222A1", "837", ["BHT*0019"])))
    inst = split_envelope(tokenize(wrap("HC", "005010X223A2", "837", ["BHT*0019"])))
    assert transaction_kind(prof.transactions[0]) == "837P"
    assert transaction_kind(inst.transactions[0]) == "837I"


def test_270_is_read_as_generic_segments() -> None:
    doc = read_x12(wrap("HS", "005010X279A1", "270", ["BHT*0022*13*R1*20260601*0900", "EQ*30"]))
    assert isinstance(doc, GenericDocument) and doc.kind == "270"
    assert doc.transactions[0].segments[2] == ("EQ", "30")
