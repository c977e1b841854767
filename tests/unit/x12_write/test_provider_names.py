"""Provider names and identities on the 837: NM103/NM104 without credentials, and an
assistant's services under the supervising therapist (MBPM ch. 15 §230.1)."""

from __future__ import annotations

import pytest

from ptrcm.domain.interchange import parse_visit
from ptrcm.errors import InputError
from ptrcm.services.claims.building import build_claims
from ptrcm.x12.names import person_name
from tests.unit.x12_write import factory as f
from tests.x12_oracle import pyx12_errors

SUPERVISOR = {"npi": "1245319599", "credential": "PT", "name": "Ana Ruiz, DPT"}
PTA = {"npi": "1679576722", "credential": "PTA", "name": "Sam Hill"}


@pytest.mark.parametrize(
    ("name", "last", "first"),
    [
        ("Lee Park", "Park", "Lee"),
        ("Dr. Lee Park, MD", "Park", "Lee"),
        ("Park, Lee MD", "Park", "Lee"),
        ("Ana Ruiz DPT", "Ruiz", "Ana"),
        ("Jo Kim, NP", "Kim", "Jo"),
        ("John Smith, PA-C", "Smith", "John"),
        ("Mary Ann Lee, M.D.", "Lee", "Mary Ann"),
        ("Park", "Park", ""),
    ],
)
def test_names_lose_titles_and_credentials_and_split_last_and_first(
    name: str, last: str, first: str
) -> None:
    assert person_name(name) == (last, first)


def _segments(text: str, tag: str) -> list[list[str]]:
    return [s.split("*") for s in text.replace("\n", "").split("~") if s.startswith(tag + "*")]


def test_the_referring_nm1_carries_last_and_first_name_without_the_credential() -> None:
    text = f.write_p([f.claim(referring={"npi": "1003000126", "name": "Dr. Lee Park, MD"})])
    (dn,) = [s for s in _segments(text, "NM1") if s[1] == "DN"]
    assert dn[3:5] == ["Park", "Lee"]
    assert pyx12_errors(text) == []


def test_an_assistants_claim_names_the_supervising_therapist_never_the_assistant() -> None:
    services = [{"code": "97110", "minutes": 36, "assistant_minutes": 23},
                {"code": "97140", "minutes": 30}]  # fmt: skip
    claim = f.claim(rendering=PTA, supervising=SUPERVISOR, services=services)
    for text in (
        f.write_p([claim]),
        f.write_i(
            [
                f.claim(
                    rendering=PTA,
                    supervising=SUPERVISOR,
                    services=services,
                    payer_id="MEDICARE_HOPD",
                )
            ]
        ),
    ):
        assert PTA["npi"] not in text
        assert SUPERVISOR["npi"] in text
        assert pyx12_errors(text) == []
    text = f.write_p([claim])
    (rendering,) = [s for s in _segments(text, "NM1") if s[1] == "82"]
    assert rendering[3:5] == ["Ruiz", "Ana"]
    procedures = [s[1] for s in _segments(text, "SV1")]
    assert procedures[:2] == ["HC:97110:GP", "HC:97110:GP:CQ"]  # CMS CQ/CO example


def test_an_assistants_visit_without_a_supervising_therapist_is_not_billed() -> None:
    visit = parse_visit(f.visit_record(rendering=PTA), "<test>", 1)
    with pytest.raises(InputError, match="supervising"):
        build_claims([visit], f.CONFIG, f.CATALOG)
