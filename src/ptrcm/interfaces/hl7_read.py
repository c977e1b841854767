"""Read HL7 v2 DFT^P03 charge messages into visit interchange records (python-hl7 parses).

One message is one visit. A file holds any number of messages, segments one a line (CR,
LF or CRLF); batch envelopes (FHS, BHS, BTS, FTS) are skipped. A message that cannot be
mapped becomes an ``IncomingRecord`` with its problems: the line of its MSH, the HL7
field ("PV1-19", "FT1[2]-7") and what is wrong, never a value that could be a patient's.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import hl7

from ptrcm.domain.input_limits import RECORD_BYTES_MAX
from ptrcm.domain.intake import IncomingRecord
from ptrcm.errors import InputError, RecordProblem
from ptrcm.interfaces import hl7_layout as lay

ENVELOPE = frozenset({"FHS", "BHS", "BTS", "FTS"})
SEGMENT_RE = re.compile(r"^[A-Z][A-Z0-9]{2}$")
Record = dict[str, Any]


class MessageProblem(Exception):
    """A message that cannot be mapped: the field and what is wrong (no values of PHI)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class _Message:
    """Lenient access to a parsed message: missing fields read as empty text."""

    def __init__(self, text: str) -> None:
        self.msg = hl7.parse(text)

    def segments(self, name: str) -> list[Any]:
        try:
            return list(self.msg.segments(name))
        except KeyError:
            return []

    def reps(self, seg: Any, field: int) -> list[Any]:
        if field >= len(seg):
            return []
        return [r for r in seg[field] if r != ""]

    def comp(self, rep: Any, component: int = 1) -> str:
        if isinstance(rep, str):
            value = rep if component == 1 else ""
        elif component > len(rep):
            value = ""
        else:
            part = rep[component - 1]
            value = part if isinstance(part, str) else (str(part[0]) if part else "")
        return str(self.msg.unescape(value)) if "\\" in value else value

    def get(self, seg: Any, field: int, component: int = 1) -> str:
        reps = self.reps(seg, field)
        return self.comp(reps[0], component) if reps else ""


def check_envelope(text: str) -> None:
    """The MSH of a message: standard delimiters, a DFT^P03, a version we read."""
    first = text.split("\r", 1)[0]
    if not first.startswith("MSH"):
        raise MessageProblem(None, "a message must begin with an MSH segment")
    if first[3:4] != "|" or first[4:8] != lay.ENCODING or first[8:9] not in ("|", ""):
        raise MessageProblem(
            "MSH-2", f"the encoding characters must be |{lay.ENCODING} (HL7's standard ones)"
        )
    kind = first.split("|")[8] if first.count("|") >= 8 else ""
    parts = kind.split("^")
    if tuple(parts[:2]) != lay.MESSAGE_TYPE:
        shown = "^".join(p for p in parts[:2] if SEGMENT_RE.fullmatch(p)) or "none"
        raise MessageProblem("MSH-9", f"message type {shown} is not DFT^P03 (a charge message)")


def _day(m: _Message, seg: Any, field: int, where: str) -> str | None:
    raw = m.get(seg, field)
    if not raw:
        return None
    if not re.fullmatch(r"[0-9]{8}([0-9]{2,6}(\.[0-9]+)?)?([+-][0-9]{4})?", raw):
        raise MessageProblem(where, "is not an HL7 date (YYYYMMDD)")
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8])).isoformat()
    except ValueError:
        raise MessageProblem(where, "is not a date of the calendar") from None


def _number(raw: str, where: str) -> int | None:
    if not raw:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", raw.strip()):
        raise MessageProblem(where, "must be a whole number")
    return int(raw)


def _provider(m: _Message, seg: Any, field: int, credential: bool = True) -> Record | None:
    reps = m.reps(seg, field)
    if not reps:
        return None
    rep = reps[0]
    family, given = m.comp(rep, 2), m.comp(rep, 3)
    out: Record = {
        "npi": m.comp(rep, 1) or None,
        "name": " ".join(x for x in (given, family) if x) or None,
    }
    if credential:
        out["credential"] = m.comp(rep, 7) or None
    return {k: v for k, v in out.items() if v is not None}


def _person(m: _Message, seg: Any, name: int, born: int, sex: int, address: int) -> Record:
    where = f"{seg[0][0]}-{born}"
    out: Record = {
        "last_name": m.get(seg, name, 1),
        "first_name": m.get(seg, name, 2),
        "birth_date": _day(m, seg, born, where),
        "sex": m.get(seg, sex) or None,
    }
    reps = m.reps(seg, address)
    if reps:
        parts = [m.comp(reps[0], i) for i in range(1, 6)]
        out["address"] = {
            k: v
            for k, v in zip(("line1", "line2", "city", "state", "zip"), parts, strict=True)
            if v
        }
    return {k: v for k, v in out.items() if v not in (None, "")}


def _services(m: _Message, diagnoses: list[str]) -> list[Record]:
    ft1s = m.segments("FT1")
    if not ft1s:
        raise MessageProblem("FT1", "the message has no FT1 (charge) segment")
    zfts = {m.get(z, 1): z for z in m.segments("ZFT")}
    out = []
    for index, ft1 in enumerate(ft1s, start=1):
        where = f"FT1[{index}]"
        kind = m.get(ft1, lay.FT1_TYPE)
        if kind not in ("CG", ""):
            shown = kind if SEGMENT_RE.fullmatch(kind) or kind.isalpha() else "another"
            raise MessageProblem(f"{where}-6", f"transaction type {shown[:4]} is not CG (a charge)")
        reps = m.reps(ft1, lay.FT1_CODE) or m.reps(ft1, lay.FT1_PROCEDURE)
        code = m.comp(reps[0], 1) if reps else ""
        if not code:
            raise MessageProblem(f"{where}-7", "has no procedure code")
        system = m.comp(reps[0], 3).upper()
        if system not in lay.CODE_SYSTEMS:
            raise MessageProblem(f"{where}-7", f"unknown code system {system[:8]} (CPT4 or HCPCS)")
        service: Record = {"code": code.strip().upper()}
        zft = zfts.get(str(index))
        if zft is not None:
            service["minutes"] = _number(m.get(zft, 2), f"ZFT[{index}]-2")
            service["assistant_minutes"] = _number(m.get(zft, 3), f"ZFT[{index}]-3")
            pointers = [_number(m.comp(r), f"ZFT[{index}]-4") for r in m.reps(zft, 4)]
            service["dx_pointers"] = pointers or None
        service["units"] = _number(m.get(ft1, lay.FT1_UNITS), f"{where}-10")
        service["modifiers"] = [m.comp(r).strip().upper() for r in m.reps(ft1, lay.FT1_MODIFIERS)]
        if service.get("dx_pointers") is None:
            codes = [m.comp(r).strip().upper() for r in m.reps(ft1, lay.FT1_DX)]
            pointers = [diagnoses.index(c) + 1 for c in codes if c in diagnoses]
            service["dx_pointers"] = pointers or None
        out.append({k: v for k, v in service.items() if v is not None})
    return out


def _insurance(m: _Message, record: Record) -> None:
    in1s = sorted(m.segments("IN1"), key=lambda s: m.get(s, 1))
    if not in1s:
        raise MessageProblem("IN1", "the message has no IN1 (insurance) segment")
    first = in1s[0]
    record["payer_id"] = m.get(first, lay.IN1_PAYER) or m.get(first, lay.IN1_PLAN)
    record["member_id"] = m.get(first, lay.IN1_MEMBER) or None
    relationship = m.get(first, lay.IN1_RELATIONSHIP)
    if relationship:
        if relationship not in lay.RELATIONSHIPS:
            raise MessageProblem("IN1[1]-17", "is not a relationship of HL7 table 0063")
        person = _person(m, first, lay.IN1_INSURED, lay.IN1_INSURED_DOB, lay.IN1_INSURED_SEX,
                         lay.IN1_INSURED_ADDRESS)  # fmt: skip
        record["subscriber"] = {"relationship": lay.RELATIONSHIPS[relationship], **person}
    auth = m.get(first, lay.IN1_AUTH)
    record["_auth_number"] = auth or None
    record["_coverage"] = (
        _day(m, first, lay.IN1_START, "IN1[1]-12"),
        _day(m, first, lay.IN1_END, "IN1[1]-13"),
    )
    if len(in1s) > 1:
        second = in1s[1]
        record["secondary"] = {
            "payer_id": m.get(second, lay.IN1_PAYER) or m.get(second, lay.IN1_PLAN),
            "member_id": m.get(second, lay.IN1_MEMBER) or None,
        }


def _zrv_value(m: _Message, seg: Any, number: int, path: str) -> object:
    raw = m.get(seg, number)
    if not raw:
        return None
    where = f"ZRV-{number}"
    if path.endswith(("start", "through", "certified_on", "end", "onset_date", "verified_on")):
        return _day(m, seg, number, where)
    if path == "coverage.active":
        if raw not in ("Y", "N"):
            raise MessageProblem(where, "must be Y or N")
        return raw == "Y"
    if path == "kx_ytd_allowed":
        return raw
    return _number(raw, where)


def _zrv_groups(m: _Message, zrv: Any, record: Record) -> dict[str, Record]:
    """The ZRV fields: top-level ones into ``record``, grouped ones returned by group."""
    groups: dict[str, Record] = {}
    for number, path in lay.ZRV_FIELDS:
        value = _zrv_value(m, zrv, number, path)
        head, _, attr = path.partition(".")
        if attr:
            groups.setdefault(head, {})[attr] = value
        elif value is not None:
            record[path] = value
    extra = m.get(zrv, lay.ZRV_EXTRA)
    if extra:
        try:
            loaded = json.loads(extra)
        except ValueError:
            loaded = None
        if not isinstance(loaded, dict):
            raise MessageProblem(f"ZRV-{lay.ZRV_EXTRA}", "is not a JSON object")
        record.update({k: v for k, v in loaded.items() if k not in record})
    return groups


def _therapy(m: _Message, record: Record) -> None:
    """The ZRV segment's facts, and the coverage and authorization it completes."""
    zrvs = m.segments("ZRV")
    groups = _zrv_groups(m, zrvs[0], record) if zrvs else {}
    start, end = record.pop("_coverage")
    auth_number = record.pop("_auth_number")
    poc = groups.get("plan_of_care", {})
    if poc.get("start"):
        record["plan_of_care"] = poc
    coverage = groups.get("coverage", {})
    if coverage.get("active") is not None:
        record["coverage"] = {"active": coverage["active"], "start": start, "end": end}
    flags = (m.get(zrvs[0], lay.ZRV_HAS_AUTHORIZATION), m.get(zrvs[0], lay.ZRV_HAS_BENEFITS)
             ) if zrvs else ("", "")  # fmt: skip
    if auth_number or flags[0] == "Y":
        record["authorization"] = {"number": auth_number, **groups.get("authorization", {})}
    if flags[1] == "Y":
        record["benefits"] = groups.get("benefits", {})
    for key in ("plan_of_care", "coverage", "authorization", "benefits"):
        if key in record:
            record[key] = {k: v for k, v in record[key].items() if v is not None}


def message_record(text: str) -> Record:
    """The interchange record of one DFT^P03 message (segments split by CR), or
    ``MessageProblem``."""
    check_envelope(text)
    for seg_text in text.split("\r"):
        if seg_text and not SEGMENT_RE.fullmatch(seg_text[:3]):
            raise MessageProblem(None, "a line that is not an HL7 segment")
        if seg_text and seg_text[:3] not in lay.SEGMENT_IDS and seg_text[3:4] == "|":
            raise MessageProblem(seg_text[:3], "is not a segment of a DFT^P03 message")
        if seg_text and seg_text[3:4] not in ("|", ""):
            raise MessageProblem(seg_text[:3], "segment id not followed by the field separator")
    m = _Message(text)
    pids, pv1s = m.segments("PID"), m.segments("PV1")
    if not pids:
        raise MessageProblem("PID", "the message has no PID (patient) segment")
    if not pv1s:
        raise MessageProblem("PV1", "the message has no PV1 (visit) segment")
    pid, pv1 = pids[0], pv1s[0]
    diagnoses = [m.get(d, 3).strip().upper() for d in m.segments("DG1") if m.get(d, 3)]
    record: Record = {
        "visit_id": m.get(pv1, lay.PV1_VISIT),
        "patient_id": m.get(pid, 3),
        "date_of_service": _day(m, pv1, lay.PV1_DATE, "PV1-44"),
        "place_of_service": m.get(pv1, lay.PV1_PLACE) or None,
        "location_id": m.get(pv1, lay.PV1_LOCATION) or None,
        "discipline": m.get(pv1, lay.PV1_DISCIPLINE),
        "rendering": _provider(m, pv1, lay.PV1_RENDERING),
        "diagnoses": diagnoses,
        "services": _services(m, diagnoses),
    }
    if not record["date_of_service"]:
        record["date_of_service"] = _day(m, m.segments("FT1")[0], lay.FT1_DATE, "FT1[1]-4")
    for key, field, cred in (("referring", lay.PV1_REFERRING, False),
                             ("supervising", lay.PV1_SUPERVISING, True)):  # fmt: skip
        provider = _provider(m, pv1, field, cred)
        if provider:
            record[key] = provider | ({"npi": None} if key == "referring" and
                                      "npi" not in provider else {})  # fmt: skip
    patient = _person(m, pid, 5, 7, 8, 11)
    if patient.keys() - {"sex"}:
        record["patient"] = patient
    _insurance(m, record)
    _therapy(m, record)
    return {k: v for k, v in record.items() if v is not None and v != ""}


def split_messages(text: str) -> Iterator[tuple[int, str]]:
    """(line of its MSH, message with CR-separated segments) of each message in a file."""
    start, lines = 0, list[str]()
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if not line.strip() or line[:3] in ENVELOPE:
            continue
        if line.startswith("MSH") and lines:
            yield start, "\r".join(lines)
            lines = []
        if not lines:
            start = number
        lines.append(line)
    if lines:
        yield start, "\r".join(lines)


def incoming(text: str, source: str, line: int | None) -> IncomingRecord:
    """One message as a record for the import service."""
    kept = text[:RECORD_BYTES_MAX].replace("\x00", "\\u0000")
    try:
        record = message_record(text)
    except MessageProblem as exc:
        problem = RecordProblem(source, line, exc.field, exc.message)
        return IncomingRecord(source, line, kept, None, (problem,))
    except Exception:  # the parser's own failure on a malformed message
        problem = RecordProblem(source, line, None, "the HL7 parser could not read the message")
        return IncomingRecord(source, line, kept, None, (problem,))
    visit_id = record.get("visit_id")
    rid = visit_id[:64] if isinstance(visit_id, str) else None
    return IncomingRecord(source, line, kept, record, (), rid)


def read_hl7_file(path: str | os.PathLike[str]) -> list[IncomingRecord]:
    """Every message of an HL7 file as an incoming record; ``InputError`` for a file that
    is missing, not text, or holds no message."""
    p, source = Path(path), str(path)
    if not p.is_file():
        raise InputError.one(source, None, None, "no such file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.one(source, None, None, f"not UTF-8 text ({exc.reason})") from None
    out = [incoming(message, source, line) for line, message in split_messages(text)]
    if not out:
        raise InputError.one(source, None, None, "holds no HL7 message")
    return out
