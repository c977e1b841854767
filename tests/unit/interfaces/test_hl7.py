"""HL7 v2 DFT^P03: the writer's messages read back to the same visits, and malformed
messages are refused with a reason that names the HL7 field and carries no patient data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ptrcm.domain.interchange import parse_visit
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError
from ptrcm.interfaces.hl7_layout import hl7_where
from ptrcm.interfaces.hl7_read import incoming, read_hl7_file, split_messages
from ptrcm.interfaces.hl7_write import dft_message, dft_segments, escape, write_dft_file
from ptrcm.services.intake.visits import split_records
from tests.unit.interfaces.clinic import synthetic_clinic


@pytest.fixture(scope="module")
def visits(tmp_path_factory: pytest.TempPathFactory) -> list[Visit]:
    return synthetic_clinic(tmp_path_factory.mktemp("hl7"))[1]


def _message(v: Visit, change: dict[str, str] | None = None, drop: str | None = None) -> str:
    """The visit's message with segments replaced (by id) or dropped."""
    out = []
    for seg in dft_segments(v, "C1"):
        name = seg[:3]
        if name == drop:
            continue
        out.append((change or {}).get(name, seg))
    return "\r".join(out)


def test_every_synthetic_visit_reads_back_the_same(visits: list[Visit], tmp_path: Path) -> None:
    path = tmp_path / "run.hl7"
    assert write_dft_file(visits, path) == len(visits)
    records = read_hl7_file(path)
    assert [r.problems for r in records] == [()] * len(visits)
    back = [parse_visit(r.record, str(path), r.line) for r in records]
    assert back == visits
    # Lines name the MSH of each message in the file.
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all(lines[r.line - 1].startswith("MSH|") for r in records if r.line)


def test_names_with_delimiters_survive_escaping(visits: list[Visit]) -> None:
    v = visits[0]
    assert v.patient is not None
    odd = replace(v, patient=replace(v.patient, last_name="O'Hara|Smith^Jr & Co~\\"))
    record = incoming(dft_message(odd, "C9"), "mllp", None).record
    assert parse_visit(record) == odd
    assert escape("a|b") == "a\\F\\b"


def _problem(text: str) -> str:
    rec = incoming(text, "f.hl7", 7)
    assert rec.record is None, "a malformed message must not map"
    assert len(rec.problems) == 1
    return str(rec.problems[0])


def test_missing_pid_is_refused(visits: list[Visit]) -> None:
    assert _problem(_message(visits[0], drop="PID")) == (
        "f.hl7:7: field PID: the message has no PID (patient) segment"
    )


def test_wrong_encoding_characters_are_refused(visits: list[Visit]) -> None:
    text = _message(visits[0]).replace("MSH|^~\\&|", "MSH|#~\\&|", 1)
    assert "MSH-2" in _problem(text) and "encoding characters" in _problem(text)


def test_bad_segments_are_refused(visits: list[Visit]) -> None:
    v = visits[0]
    assert v.patient is not None
    garbage = _message(v) + "\r" + v.patient.last_name + " owes 20 dollars"
    message = _problem(garbage)
    assert "not an HL7 segment" in message
    assert v.patient.last_name not in message  # no PHI in the reason
    unknown = _message(v) + "\rXYZ|1|2"
    assert "XYZ" in _problem(unknown) and "not a segment of a DFT^P03" in _problem(unknown)


def test_unknown_code_system_and_message_type_are_refused(visits: list[Visit]) -> None:
    v = visits[0]
    ft1 = dft_segments(v, "C1")[4]
    assert ft1.startswith("FT1|")
    lab = ft1.replace(f"{v.services[0].code}^^CPT4", f"{v.services[0].code}^^LN", 1)
    assert "FT1[1]-7: unknown code system LN" in _problem(_message(v, {"FT1": lab}))
    adt = _message(v).replace("DFT^P03^DFT_P03", "ADT^A01^ADT_A01", 1)
    assert "MSH-9: message type ADT^A01 is not DFT^P03" in _problem(adt)


def test_a_code_that_is_not_cpt_is_named_by_its_ft1(visits: list[Visit]) -> None:
    v = visits[0]
    bad = replace(v, services=(replace(v.services[0], code="9711"), *v.services[1:]))
    rec = incoming(dft_message(bad, "C1"), "f.hl7", 1)
    good, quarantined = split_records([rec], payers={v.payer_id}, relabel=hl7_where)
    assert not good
    (problem,) = quarantined[0].problems
    assert problem.field == "FT1[1]-7 (services[0].code)"
    assert "is not a CPT/HCPCS code" in problem.message


def test_bad_dates_and_numbers_name_their_field(visits: list[Visit]) -> None:
    v = visits[0]
    segs = dft_segments(v, "C1")
    pv1 = segs[3]
    bad_day = pv1.replace(v.date_of_service.strftime("%Y%m%d"), "20251399")
    assert "PV1-44: is not a date of the calendar" in _problem(_message(v, {"PV1": bad_day}))
    zft = segs[5]
    assert zft.startswith("ZFT|1|")
    minutes = "ZFT|1|ten"
    assert "ZFT[1]-2: must be a whole number" in _problem(_message(v, {"ZFT": minutes}))
    assert zft  # the ZFT of the first FT1


def test_a_file_splits_into_messages_and_skips_batch_envelopes(visits: list[Visit]) -> None:
    text = (
        "FHS|^~\\&\nBHS|^~\\&\n"
        + "\n".join("\n".join(dft_segments(v, f"C{i}")) for i, v in enumerate(visits[:3]))
        + "\nBTS|3\nFTS|1\n"
    )
    found = list(split_messages(text))
    assert next(line for line, _ in found) == 3
    assert len(found) == 3
    assert all(m.startswith("MSH|") and "BTS" not in m for _, m in found)


def test_a_file_that_is_not_utf8_or_empty_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "a.hl7").write_bytes(b"MSH|^~\\&|\xff\xfe")
    with pytest.raises(InputError, match="not UTF-8"):
        read_hl7_file(tmp_path / "a.hl7")
    (tmp_path / "b.hl7").write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds no HL7 message"):
        read_hl7_file(tmp_path / "b.hl7")
