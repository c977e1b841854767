"""The 835 writer: correct envelope, pyx12-clean output, and reading it back gives the model."""

from __future__ import annotations

from datetime import datetime

import pytest

from ptrcm.x12.envelope import CounterControlNumbers, EnvelopeSettings
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835.model import RemittanceDocument
from ptrcm.x12.remit835.sample import sample_remittance
from ptrcm.x12.remit835.write import write_835
from tests.unit.x12.remits import sample_835

SETTINGS = EnvelopeSettings("990012345", "RIVERSIDEPT", "DEMO PAYER", "EDI", "5125550100")
NOW = datetime(2026, 6, 1, 9, 30)


def write(*remits: object) -> str:
    return write_835(list(remits), SETTINGS, CounterControlNumbers(interchange=77), NOW)  # type: ignore[arg-type]


def read(text: str) -> RemittanceDocument:
    doc = read_x12(text)
    assert isinstance(doc, RemittanceDocument)
    return doc


def test_a_written_835_reads_back_to_the_same_model() -> None:
    remit = sample_remittance(30)
    doc = read(write(remit))
    assert doc.findings == ()
    assert doc.transactions == (remit,)


def test_the_hand_built_835_survives_read_write_read() -> None:
    first = read(sample_835())
    again = read(write(*first.transactions))
    assert again.transactions == first.transactions
    assert again.findings == ()


def test_envelope_counts_and_control_numbers_match() -> None:
    text = write(sample_remittance(3), sample_remittance(2, check="CHK2"))
    segments = [s.strip() for s in text.split("~") if s.strip()]
    assert segments[0].split("*")[13] == "000000077"
    assert segments[-1] == "IEA*1*000000077"
    assert segments[-2].startswith("GE*2*")
    st_positions = [i for i, s in enumerate(segments) if s.startswith("ST*")]
    se_positions = [i for i, s in enumerate(segments) if s.startswith("SE*")]
    for st, se in zip(st_positions, se_positions, strict=True):
        assert segments[se].split("*")[1] == str(se - st + 1)
        assert segments[se].split("*")[2] == segments[st].split("*")[2]
    assert read(text).findings == ()


def test_more_than_six_adjustments_of_one_group_split_into_two_cas_segments() -> None:
    from dataclasses import replace

    from ptrcm.domain.money import Money
    from ptrcm.x12.remit835.model import Adjustment

    remit = sample_remittance(1)
    claim = remit.claims[0]
    many = tuple(Adjustment("OA", str(100 + i), Money.of(0)) for i in range(8))
    remit = replace(remit, claims=(replace(claim, adjustments=many),))
    text = write(remit)
    assert text.count("CAS*OA*") == 2
    assert read(text).transactions[0].claims[0].adjustments == many


@pytest.mark.parametrize("claims", [1, 25])
def test_pyx12_finds_no_error_in_a_written_835(claims: int) -> None:
    pytest.importorskip("pyx12")
    from ptrcm.x12.pyx12_check import pyx12_errors

    assert pyx12_errors(write(sample_remittance(claims))) == []


def test_pyx12_oracle_does_report_a_broken_835() -> None:
    pytest.importorskip("pyx12")
    from ptrcm.x12.pyx12_check import pyx12_errors

    broken = write(sample_remittance(2)).replace("CLP*PCN0000001*1*", "CLP*PCN0000001**")
    assert pyx12_errors(broken) != []
