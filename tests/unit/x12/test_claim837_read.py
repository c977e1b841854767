"""The 837 reader on ptrcm's own files bent the way real senders bend them: RD8 ranges,
byte-order marks and indentation, a broken claim among good ones."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ptrcm.domain.claims import Claim
from ptrcm.x12.claim837.drafts import dtp_period
from ptrcm.x12.claim837.read import read_837
from ptrcm.x12.errors import X12Error
from ptrcm.x12.generic import ClaimsDocument
from ptrcm.x12.read import read_x12
from tests.unit.x12_write import factory as f


def two_claims() -> str:
    return f.write_p([f.claim(), f.claim(visit_id="V-2")])


def test_d8_is_one_day_and_rd8_a_from_through_range() -> None:
    assert dtp_period(["DTP", "472", "D8", "20260302"]) == (date(2026, 3, 2), date(2026, 3, 2))
    assert dtp_period(["DTP", "472", "RD8", "20260302-20260330"]) == (
        date(2026, 3, 2),
        date(2026, 3, 30),
    )
    assert dtp_period(["DTP", "435", "DT", "200507060800"]) == (date(2005, 7, 6),) * 2
    assert dtp_period(["DTP", "096", "TM", "1130"]) is None


@pytest.mark.parametrize("value", ["20260330-20260302", "2026033", "20260230", "2026-03-02"])
def test_a_bad_or_backwards_rd8_range_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        dtp_period(["DTP", "472", "RD8", value])


def test_an_rd8_line_date_reads_as_its_first_day_and_the_period_keeps_the_last() -> None:
    text = two_claims()
    first = re.search(r"DTP\*472\*D8\*(\d{8})", text)
    assert first is not None
    ranged = text.replace(first.group(0), f"DTP*472*RD8*{first.group(1)}-20991231", 1)
    doc = read_x12(ranged)
    assert isinstance(doc, ClaimsDocument) and len(doc.claims) == 2
    claim = doc.claims[0]
    assert isinstance(claim, Claim)
    assert claim.lines[0].date_of_service.strftime("%Y%m%d") == first.group(1)
    assert doc.periods[0][1] == date(2099, 12, 31)


def test_a_bom_crlf_and_indentation_read_the_same_claims() -> None:
    text = two_claims()
    bent = "\ufeff" + text.replace("~\n", "~\r\n\t  ")
    assert read_837(bent.encode()) == read_837(text)


def test_a_claim_without_clm05_is_skipped_with_a_finding_and_the_other_is_read() -> None:
    text = two_claims()
    broken = re.sub(r"(CLM\*[^*~]*\*[^*~]*\*\*\*)[^*~]*", r"\1", text, count=1)
    assert broken != text
    doc = read_x12(broken, "two.837")
    assert isinstance(doc, ClaimsDocument) and len(doc.claims) == 1
    (finding,) = [x for x in doc.findings if "CLM05" in x.message]
    assert finding.segment_id == "CLM" and "skipped" in finding.message
    with pytest.raises(X12Error, match=r"two\.837: segment \d+ CLM: malformed CLM: CLM05"):
        read_837(broken, source="two.837")


def test_a_line_without_a_date_skips_its_claim_naming_the_clm() -> None:
    text = two_claims()
    undated = re.sub(r"DTP\*472\*D8\*\d{8}~\n?", "", text, count=1)
    doc = read_x12(undated)
    assert isinstance(doc, ClaimsDocument) and len(doc.claims) == 1
    assert any(x.segment_id == "CLM" and "no date of service" in x.message for x in doc.findings)
