"""Reading an 837 ptrcm wrote gives back the claims it was written from (as an 837 can
carry them: ``claim837_read.comparable``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ptrcm.domain.claims import FREQUENCY_REPLACEMENT, Claim
from ptrcm.x12.claim837.professional import split_claim
from ptrcm.x12.claim837.read import comparable, read_837
from tests.unit.x12_write import factory as f

PAYER_IDS = {
    "MCRPB": "MEDICARE",
    "COMPPO": "COMMERCIAL",
    "MCAID": "MEDICAID",
    "MCRA": "MEDICARE_HOPD",
}
NPI = f.CONFIG.clinic.npi


def _professional_cases() -> dict[str, list[Claim]]:
    return {
        "medicare self": [f.claim()],
        "dependent child, telehealth": [
            f.claim(
                payer_id="COMMERCIAL",
                place_of_service="10",
                subscriber=dict(f.SUBSCRIBER, relationship="child"),
            )
        ],
        "spouse and self in one file": [
            f.claim(payer_id="MEDICAID", subscriber=f.SUBSCRIBER),
            f.claim(visit_id="V-2", payer_id="MEDICAID"),
        ],
        "rendering is the billing provider, no referring": [
            f.claim(rendering={"npi": NPI, "credential": "PT"}, referring=None, onset_date=None)
        ],
        "replacement": [
            replace(f.claim(), frequency=FREQUENCY_REPLACEMENT, payer_claim_number="ICN1")
        ],
    }


@pytest.mark.parametrize("case", sorted(_professional_cases()))
def test_an_837p_reads_back_to_the_claims_it_was_written_from(case: str) -> None:
    claims = _professional_cases()[case]
    read = read_837(f.write_p(claims), PAYER_IDS)
    assert read == [comparable(c, NPI) for c in claims]


def test_a_split_claim_reads_back_as_its_parts() -> None:
    long = f.many_lines(f.claim(), 75)
    read = read_837(f.write_p([long]), PAYER_IDS)
    assert read == [comparable(part, NPI) for part in split_claim(long)]
    assert [ln.line_number for ln in read[1].lines][:2] == [51, 52]


def test_a_secondary_claim_reads_back_without_the_primary_payers_loops() -> None:
    claim = f.claim(payer_id="COMMERCIAL", subscriber=f.SUBSCRIBER, member_id="SUPP1")
    text = f.write_p([claim], f.billing(**{claim.claim_id: f.primary_adjudication(claim)}))
    assert read_837(text, PAYER_IDS) == [comparable(claim, NPI)]


@pytest.mark.parametrize("discipline", ["PT", "OT", "SLP"])
def test_an_837i_reads_back_to_the_claims_it_was_written_from(discipline: str) -> None:
    credential = {"PT": "PT", "OT": "OT", "SLP": "SLP"}[discipline]
    services = {"PT": [{"code": "97110", "minutes": 30}], "OT": [{"code": "97535", "minutes": 30}],
                "SLP": [{"code": "92507"}]}[discipline]  # fmt: skip
    claim = f.claim(
        payer_id="MEDICARE_HOPD",
        discipline=discipline,
        services=services,
        rendering={"npi": "1679576722", "credential": credential, "name": "Ana Ruiz"},
        subscriber=f.SUBSCRIBER if discipline == "OT" else None,
    )
    read = read_837(f.write_i([claim]), PAYER_IDS)
    assert read == [comparable(claim, NPI, institutional=True)]


def test_reading_text_that_is_not_x12_is_an_x12_error_naming_the_first_segment() -> None:
    from ptrcm.x12.errors import X12Error

    with pytest.raises(X12Error, match="segment 1"):
        read_837("hello")
