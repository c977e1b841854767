"""Conformance: every public sample file in ../shared/x12-samples (never copied here).

Counts come from MANIFEST.md and from reading the files (two places where the manifest is
loose are noted). Negative files (``_NEG_``) must fail with a message naming a segment.
837 files are read into claims; claim and line counts must match, and the reader may report
nothing but envelope defects on the non-negative ones.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from ptrcm.domain.claims import Claim
from ptrcm.x12.ack999.parse import AckDocument
from ptrcm.x12.claim837.read import read_837
from ptrcm.x12.eligibility.benefits271 import BenefitsDocument
from ptrcm.x12.errors import X12Error
from ptrcm.x12.generic import ClaimsDocument, GenericDocument
from ptrcm.x12.read import read_x12
from ptrcm.x12.remit835.model import RemittanceDocument
from ptrcm.x12.status277.parse import StatusDocument
from ptrcm.x12.tokenizer import tokenize
from ptrcm.x12.validate import validate_x12

SAMPLES = Path(
    os.environ.get("PTRCM_X12_SAMPLES")
    or Path(__file__).resolve().parents[3] / ".." / "shared" / "x12-samples"
)
pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"X12 sample folder {SAMPLES} is absent"
)

# file -> (claims, service lines)
REMITS = {
    "835_badx12_tr3-managed-care_dollars-data-separate.x12": (2, 2),
    "835_badx12_tr3-medicare-part-a_dollars-data-together.x12": (2, 0),
    "835_badx12_era-sample_co131.x12": (1, 5),
    "835_badx12_multiple-claims-single-check.x12": (9, 33),
    "835_badx12_tr3-cob-secondary-higher-fee-schedule.x12": (1, 1),
    "835_badx12_tr3-secondary-payments.x12": (2, 2),
    "835_badx12_tr3-tertiary-payment.x12": (1, 1),
    "835_edi835parser_emedny-medicaid_denials.x12": (3, 10),
    "835_edi835parser_uhc-legacy.x12": (2, 5),
    # MANIFEST says "3 claims"; the file holds one CLP with three SVC lines.
    "835_edi835parser_bcbsnc_NO-ENVELOPE.x12": (1, 3),
    "835_oopfactory_example1_reversals-denials-plb.x12": (10, 9),
    "835_oopfactory_nth_3st-56claims.x12": (56, 91),
    "835_pyx12_mult-loops_denied-claim.x12": (1, 3),
}
BALANCED = {
    name for name in REMITS
    if "nth" not in name and "example1" not in name
}  # fmt: skip
# file -> (claims, STC segments)
STATUSES = {
    "277CA_imsweb_accepted.x12": (1, 2),
    "277CA_imsweb_rejected.x12": (1, 2),
    "277CA_oopfactory_nth-deidentified.x12": (3, 12),
    "277_imsweb_x212-large.x12": (8, 8),
    "277_lfh_tr3-claim-level-status.x12": (3, 4),
    "277_lfh_tr3-provider-level-status.x12": (1, 2),
}
# file -> (members, EB segments, AAA segments). MANIFEST says 4 EB for example-3-1-2;
# the file has 6.
BENEFITS = {
    "271_lfh_tr3-subscriber.x12": (1, 5, 0),
    "271_lfh_tr3-dependent.x12": (2, 5, 0),
    "271_lfh_tr3-error-aaa.x12": (0, 0, 1),
    "271_oopfactory_georgiosd_aaa.x12": (1, 1, 1),
    "271_oopfactory_example-3-1-2.x12": (1, 6, 9),
}
# file -> IK5 statuses, AK9 (status, included, received, accepted) of the first set
ACKS = {
    "999_imsweb_accepted.x12": (["A"], ("A", 1, 1, 1)),
    "999_imsweb_rejected.x12": (["R"], ("R", 1, 1, 0)),
    "999_oopfactory_wisconsin-partial.x12": (["A", "R", "R"], ("P", 3, 3, 1)),
    "999_pyx12_834-ack-4st.x12": (["A", "A", "A", "A"], ("A", 1, 1, 1)),
}
# file -> (claims, service lines). Claim counts are MANIFEST.md's; where it gives no line
# count (or only a claim count) the lines are the file's LX loops.
CLAIMS_837 = {
    "837I_imsweb_x223a2-test.x12": (1, 1),
    "837I_lfh_tr3-institutional-claim.x12": (1, 2),
    "837I_lfh_tr3-ppo-repriced.x12": (1, 2),
    "837I_lfh_tr3-out-of-network-repriced.x12": (1, 1),
    "837I_lfh_tr3-two-claims-single-provider.x12": (2, 3),
    "837I_oopfactory_institutional-cob.x12": (1, 2),
    "837P_badx12_tr3-anesthesia.x12": (1, 1),
    "837P_badx12_tr3-chiropractic.x12": (1, 1),
    "837P_badx12_tr3-cob-payer-to-payer.x12": (1, 3),
    "837P_badx12_tr3-cob-to-payer-a.x12": (1, 3),
    "837P_badx12_tr3-cob-to-payer-b.x12": (1, 3),
    "837P_badx12_tr3-commercial-health-insurance.x12": (1, 4),
    "837P_badx12_tr3-encounter.x12": (1, 4),
    "837P_badx12_tr3-medicare-secondary-cob.x12": (1, 1),
    "837P_badx12_tr3-out-of-network-repriced.x12": (1, 1),
    "837P_badx12_tr3-ppo-repriced.x12": (1, 2),
    "837P_imsweb_820-claims_large.x12": (820, 820),
    "837P_imsweb_complex_2st-6claims.x12": (6, 10),
    "837P_imsweb_valid-2claims.x12": (2, 2),
    "837P_imsweb_alt-separators.x12": (2, 2),
    "837P_lfh_tr3-example1_X222A2.x12": (1, 4),
    "837P_oopfactory_medicaid-5claims.x12": (5, 10),
}
_ENVELOPE_SEGMENTS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})


def all_files() -> list[str]:
    return sorted(p.name for p in SAMPLES.glob("*.x12")) if SAMPLES.is_dir() else []


def data(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_the_sample_folder_holds_the_61_files_of_the_manifest() -> None:
    assert len(all_files()) == 61


@pytest.mark.parametrize("name", sorted(REMITS))
def test_835_samples_read_to_the_expected_claims_and_lines(name: str) -> None:
    doc = read_x12(data(name), name)
    assert isinstance(doc, RemittanceDocument)
    claims, lines = REMITS[name]
    assert len(doc.claims) == claims
    assert sum(len(c.lines) for c in doc.claims) == lines
    balancing = [f for f in doc.findings if "does not balance" in f.message]
    assert (not balancing) == (name in BALANCED), balancing[:3]


def test_835_example1_has_reversals_denials_and_a_plb() -> None:
    doc = read_x12(data("835_oopfactory_example1_reversals-denials-plb.x12"))
    assert isinstance(doc, RemittanceDocument)
    statuses = [c.status for c in doc.claims]
    assert statuses.count("22") == 3 and statuses.count("4") == 3 and "25" in statuses
    assert doc.transactions[0].provider_adjustments[0].items[0].reference == "9876514"


@pytest.mark.parametrize("name", sorted(STATUSES))
def test_277_samples_read_to_the_expected_claims_and_statuses(name: str) -> None:
    doc = read_x12(data(name), name)
    assert isinstance(doc, StatusDocument)
    assert doc.kind == ("277CA" if name.startswith("277CA") else "277")
    claims, stcs = STATUSES[name]
    tx = doc.transactions
    assert sum(len(t.claims) for t in tx) == claims
    counted = sum(
        len(c.statuses) + sum(len(ln.statuses) for ln in c.lines) for t in tx for c in t.claims
    ) + sum(len(lv.statuses) for t in tx for lv in t.levels)
    assert counted == stcs


@pytest.mark.parametrize("name", sorted(BENEFITS))
def test_271_samples_read_to_the_expected_benefits_and_rejections(name: str) -> None:
    doc = read_x12(data(name), name)
    assert isinstance(doc, BenefitsDocument)
    members, ebs, aaas = BENEFITS[name]
    tx = doc.transactions[0]
    assert len(tx.members) == members
    assert sum(len(m.benefits) for m in tx.members) == ebs
    rejections = len(tx.rejections) + sum(
        len(m.rejections) + sum(len(b.rejections) for b in m.benefits) for m in tx.members
    )
    assert rejections == aaas


def test_271_repeated_service_types_are_split_on_the_repetition_separator() -> None:
    doc = read_x12(data("271_lfh_tr3-subscriber.x12"))
    assert isinstance(doc, BenefitsDocument)
    copay = doc.transactions[0].members[0].benefits[3]
    assert copay.kind == "co-payment" and copay.service_types[:3] == ("1", "33", "35")


@pytest.mark.parametrize("name", sorted(ACKS))
def test_999_samples_read_to_the_expected_statuses(name: str) -> None:
    doc = read_x12(data(name), name)
    assert isinstance(doc, AckDocument)
    statuses, ak9 = ACKS[name]
    assert [s.status for t in doc.transactions for s in t.sets] == statuses
    first = doc.transactions[0]
    assert (first.group_status, first.included, first.received, first.accepted) == ak9


@pytest.mark.parametrize("name", [n for n in all_files() if n[:3] in ("270", "276", "278")])
def test_request_samples_read_as_generic_segments(name: str) -> None:
    doc = read_x12(data(name), name)
    assert isinstance(doc, GenericDocument) and doc.kind == name[:3]
    assert doc.transactions and doc.transactions[0].segments[0][0] == "ST"


def test_every_837_sample_is_in_the_count_table_or_negative() -> None:
    files = [n for n in all_files() if n.startswith("837")]
    assert sorted(CLAIMS_837) == [n for n in files if "_NEG_" not in n]
    assert len(CLAIMS_837) == 22


@pytest.mark.parametrize("name", sorted(CLAIMS_837))
def test_837_samples_read_to_the_expected_claims_and_lines(name: str) -> None:
    doc = read_x12(data(name), name)
    assert isinstance(doc, ClaimsDocument) and doc.kind == name[:4]
    claims, lines = CLAIMS_837[name]
    read = [c for c in doc.claims if isinstance(c, Claim)]
    assert len(read) == len(doc.claims)
    assert (len(read), sum(len(c.lines) for c in read)) == (claims, lines)
    reader_errors = [
        f for f in doc.findings if f.severity == "error" and f.segment_id not in _ENVELOPE_SEGMENTS
    ]
    assert not reader_errors, reader_errors[:3]
    assert len(doc.periods) == claims


def test_an_rd8_range_on_a_line_gives_its_from_and_through_dates() -> None:
    doc = read_x12(data("837P_imsweb_valid-2claims.x12"))
    assert isinstance(doc, ClaimsDocument)
    first = doc.claims[0]
    assert isinstance(first, Claim)
    assert first.lines[0].date_of_service == date(2005, 3, 14)
    assert doc.periods[0] == (date(2005, 3, 14), date(2005, 3, 25))


def test_a_component_separator_other_than_isa16_is_read_with_a_warning() -> None:
    doc = read_x12(data("837I_lfh_tr3-ppo-repriced.x12"))
    assert isinstance(doc, ClaimsDocument)
    claim = doc.claims[0]
    assert isinstance(claim, Claim)
    assert [ln.code for ln in claim.lines] == ["92557", "92567"]
    assert claim.diagnoses == ("381.81", "389.00")
    assert any("component separator '>'" in f.message for f in doc.findings)


# Negative 837s: what the reader itself reports (pyx12 expectations are in NEGATIVE below).
NEGATIVE_837_READ = {
    "837P_imsweb_NEG_bad-code.x12": "segment 9 NM1: NM101 '117'",
    "837P_imsweb_NEG_missing-elements.x12": "segment 31 CLM: malformed CLM: CLM05",
    "837P_imsweb_NEG_segments-out-of-order.x12": "segment 12 N4: N4 does not follow an N3",
}


@pytest.mark.parametrize("name", sorted(NEGATIVE_837_READ))
def test_negative_837_samples_read_with_a_finding_naming_the_segment(name: str) -> None:
    doc = read_x12(data(name), name)
    assert isinstance(doc, ClaimsDocument)
    assert any(NEGATIVE_837_READ[name] in str(f) for f in doc.findings), doc.findings


def test_the_strict_837_reader_refuses_the_claim_missing_clm05_naming_its_segment() -> None:
    with pytest.raises(X12Error, match="segment 31 CLM: malformed CLM: CLM05"):
        read_837(data("837P_imsweb_NEG_missing-elements.x12"), source="neg.x12")


def test_alternative_and_control_character_delimiters_are_detected() -> None:
    alt = tokenize(data("837P_imsweb_alt-separators.x12")).delimiters[0][1]
    assert (alt.element, alt.component, alt.segment) == ("~", "^", "_")
    gs = tokenize(data("270_oopfactory_ig-example_0x1D-terminator.x12")).delimiters[0][1]
    assert gs.segment == "\x1d"


# Negative files -> what the report must name. The 837 defects (a bad entity code, missing
# elements, segments out of order) are 837 semantics: pyx12 names them, by segment line.
NEGATIVE = {
    "835_badx12_NEG_envelope-errors.x12": "segment 29 SE: SE02",
    "837P_imsweb_NEG_bad-code.x12": "Line:9 SEG:1 - Segment NM1*117 not found",
    "837P_imsweb_NEG_missing-elements.x12": "(NM102) is missing",
    "837P_imsweb_NEG_segments-out-of-order.x12": "Mandatory segment",
}


def test_every_negative_sample_has_an_expectation() -> None:
    assert sorted(NEGATIVE) == [n for n in all_files() if "_NEG_" in n]


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative_samples_fail_with_a_message_naming_the_segment(name: str) -> None:
    if name.startswith("837"):
        pytest.importorskip("pyx12")
    report = validate_x12(data(name), name)
    assert not report.ok
    messages = [str(f) for f in report.findings if f.severity == "error"]
    messages += list(report.pyx12 or ())
    assert any(NEGATIVE[name] in m for m in messages), messages[:5]


def test_the_negative_835_names_each_envelope_mismatch() -> None:
    report = validate_x12(data("835_badx12_NEG_envelope-errors.x12"))
    text = "\n".join(str(f) for f in report.findings)
    for expected in ("segment 2 GS: GS04", "SE: SE01", "SE: SE02", "GE: GE01", "IEA: IEA02"):
        assert expected in text
