"""The 277 claim-status writer (005010X212): read back by our reader, as the payer said.

pyx12 has no 5010 map for the 277, so the checks are ptrcm's own reader and structure.
"""

from __future__ import annotations

from datetime import date

from ptrcm.domain.money import Money
from ptrcm.x12.envelope import CounterControlNumbers
from ptrcm.x12.read import read_x12
from ptrcm.x12.status277.parse import StatusDocument
from ptrcm.x12.status277.status_write import StatusAnswer, StatusParties, write_277
from tests.unit.x12_write import factory as f

PARTIES = StatusParties("ACME HEALTH", "PAYER1", "Lakeside PT", "123456789", "Lakeside PT",
                        "1234567893")  # fmt: skip


def _answer(pcn: str, category: str, status: str, number: str = "") -> StatusAnswer:
    return StatusAnswer(pcn, category, status, Money.of("140.00"), None, date(2026, 3, 2),
                        date(2026, 3, 4), "M100", "Lopez", "Maria", number)  # fmt: skip


def test_a_277_reads_back_claim_by_claim_with_its_status_and_number() -> None:
    answers = [_answer("V-1", "F1", "1", "PCN77"), _answer("V-2", "A4", "35")]
    text = write_277(answers, PARTIES, f.SETTINGS, CounterControlNumbers(), "R1", f.NOW)
    segs = f.segments(text)
    assert segs[1].startswith("GS*HN*") and segs[2] == "ST*277*0001*005010X212"
    start = next(i for i, s in enumerate(segs) if s.startswith("ST*"))
    end = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    assert segs[end].split("*")[1] == str(end - start + 1)
    document = read_x12(text.encode("ascii"), source="t.277")
    assert isinstance(document, StatusDocument) and document.kind == "277"
    assert document.findings == ()
    (tx,) = document.transactions
    claims = {c.patient_control_number: c for c in tx.claims}
    assert sorted(claims) == ["V-1", "V-2"]
    first = claims["V-1"].statuses[0].codes[0]
    assert (first.category, first.status) == ("F1", "1")
    assert claims["V-1"].payer_claim_number == "PCN77"
    assert claims["V-2"].statuses[0].codes[0].category == "A4"
    assert claims["V-2"].payer_claim_number is None
    assert claims["V-1"].statuses[0].charge == Money.of("140.00")
