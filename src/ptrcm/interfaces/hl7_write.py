"""Write visits as HL7 v2.5.1 DFT^P03 charge messages (one message a visit).

Our own writer, for tests and benchmarks: it exports a synthetic clinic the way an EMR's
charge interface would send it, with the layout of ``hl7_layout``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from ptrcm.domain.visits import Address, Person, Provider, Visit
from ptrcm.interfaces import hl7_layout as lay

_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))


def escape(value: object) -> str:
    """Text as an HL7 value: the delimiters written as escape sequences, line breaks as
    spaces (a segment is one line)."""
    text = "" if value is None else str(value)
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text.replace("\r", " ").replace("\n", " ")


def _day(value: date | None) -> str:
    return "" if value is None else value.strftime("%Y%m%d")


def _segment(name: str, fields: Mapping[int, str]) -> str:
    """A segment from its non-empty fields by number (values already escaped)."""
    last = max((n for n, v in fields.items() if v), default=0)
    return "|".join([name, *(fields.get(n, "") for n in range(1, last + 1))])


def _components(*parts: str) -> str:
    return "^".join(parts).rstrip("^")


def split_name(name: str | None) -> tuple[str, str]:
    """(family, given) of a provider's one-string name: given is up to the first space."""
    if not name:
        return "", ""
    given, _, family = name.partition(" ")
    return (family, given) if family else (given, "")


def _xcn(p: Provider | None, credential: bool = True) -> str:
    if p is None:
        return ""
    family, given = split_name(p.name)
    degree = p.credential if credential else ""
    return _components(escape(p.npi), escape(family), escape(given), "", "", "", escape(degree))


def _xpn(p: Person) -> str:
    return _components(escape(p.last_name), escape(p.first_name))


def _xad(a: Address | None) -> str:
    if a is None:
        return ""
    return _components(*(escape(x) for x in (a.line1, a.line2, a.city, a.state, a.zip)))


def _code(code: str) -> str:
    system = "CPT4" if code[:1].isdigit() else "HCPCS"
    return _components(escape(code), "", system)


def _pid(v: Visit) -> str:
    fields = {1: "1", 3: _components(escape(v.patient_id), "", "", "PTRCM", "MR")}
    if v.patient is not None:
        p = v.patient
        fields |= {5: _xpn(p), 7: _day(p.birth_date), 8: escape(p.sex), 11: _xad(p.address)}
    return _segment("PID", fields)


def _pv1(v: Visit) -> str:
    referring = v.referring
    ref = Provider("", referring.npi, referring.name) if referring is not None else None
    return _segment(
        "PV1",
        {
            1: "1",
            2: "O",
            lay.PV1_LOCATION: escape(v.location_id),
            lay.PV1_RENDERING: _xcn(v.rendering),
            lay.PV1_REFERRING: _xcn(ref, credential=False),
            lay.PV1_SUPERVISING: _xcn(v.supervising),
            lay.PV1_DISCIPLINE: escape(v.discipline),
            lay.PV1_PLACE: escape(v.place_of_service),
            lay.PV1_VISIT: _components(escape(v.visit_id), "", "", "PTRCM", "VN"),
            lay.PV1_DATE: _day(v.date_of_service),
        },
    )


def _charges(v: Visit) -> list[str]:
    out = []
    for number, s in enumerate(v.services, start=1):
        pointed = [v.diagnoses[p - 1] for p in s.dx_pointers or () if 0 < p <= len(v.diagnoses)]
        ft1 = {
            1: str(number),
            2: escape(f"{v.visit_id}.{number}"),
            lay.FT1_DATE: _day(v.date_of_service),
            5: _day(v.date_of_service),
            lay.FT1_TYPE: "CG",
            lay.FT1_CODE: _code(s.code),
            lay.FT1_UNITS: "" if s.units is None else str(s.units),
            lay.FT1_DX: "~".join(_components(escape(c), "", "I10") for c in pointed),
            lay.FT1_PROCEDURE: _code(s.code),
            lay.FT1_MODIFIERS: "~".join(escape(m) for m in s.modifiers or ()),
        }
        zft = {
            1: str(number),
            2: "" if s.minutes is None else str(s.minutes),
            3: str(s.assistant_minutes) if s.assistant_minutes else "",
            4: "~".join(str(p) for p in s.dx_pointers or ()),
        }
        out += [_segment("FT1", ft1), _segment("ZFT", zft)]
    return out


def _in1(v: Visit) -> list[str]:
    auth, cov, sub = v.authorization, v.coverage, v.subscriber
    primary = {
        1: "1",
        lay.IN1_PLAN: escape(v.payer_id),
        lay.IN1_PAYER: escape(v.payer_id),
        lay.IN1_START: _day(cov.start) if cov else "",
        lay.IN1_END: _day(cov.end) if cov else "",
        lay.IN1_AUTH: escape(auth.number) if auth else "",
        lay.IN1_MEMBER: escape(v.member_id),
    }
    if sub is not None:
        p = sub.person
        primary |= {
            lay.IN1_INSURED: _xpn(p),
            lay.IN1_RELATIONSHIP: lay.RELATIONSHIP_CODES[sub.relationship],
            lay.IN1_INSURED_DOB: _day(p.birth_date),
            lay.IN1_INSURED_ADDRESS: _xad(p.address),
            lay.IN1_INSURED_SEX: escape(p.sex),
        }
    out = [_segment("IN1", primary)]
    if v.secondary is not None:
        sec = v.secondary
        fields = {1: "2", lay.IN1_PLAN: escape(sec.payer_id), lay.IN1_PAYER: escape(sec.payer_id)}
        out.append(_segment("IN1", fields | {lay.IN1_MEMBER: escape(sec.member_id)}))
    return out


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, date):
        return _day(value)
    return escape(value)


def _zrv(v: Visit) -> str:
    groups = {
        "plan_of_care": v.plan_of_care,
        "coverage": v.coverage,
        "authorization": v.authorization,
        "benefits": v.benefits,
    }
    fields = {1: "1"}
    for number, path in lay.ZRV_FIELDS:
        head, _, attr = path.partition(".")
        holder = groups[head] if attr else v
        fields[number] = _value(getattr(holder, attr or head) if holder is not None else None)
    fields[lay.ZRV_HAS_AUTHORIZATION] = "Y" if v.authorization is not None else ""
    fields[lay.ZRV_HAS_BENEFITS] = "Y" if v.benefits is not None else ""
    if v.extra:
        fields[lay.ZRV_EXTRA] = escape(json.dumps(dict(v.extra), separators=(",", ":")))
    return _segment("ZRV", fields)


def dft_segments(v: Visit, control_id: str) -> list[str]:
    """The segments of the DFT^P03 message that bills visit ``v``."""
    stamp = v.date_of_service.strftime("%Y%m%d") + "120000"
    msh = _segment(
        "MSH",
        {
            1: lay.ENCODING,
            2: "PTRCM-EXPORT",
            3: escape(v.location_id),
            4: "PTRCM",
            5: "PTRCM",
            6: stamp,
            8: "DFT^P03^DFT_P03",
            9: escape(control_id),
            10: "P",
            11: lay.VERSION,
        },
    )
    # _segment numbers MSH fields from MSH-2 on, because MSH-1 is the separator itself.
    dg1 = [
        _segment("DG1", {1: str(i), 3: _components(escape(code), "", "I10")})
        for i, code in enumerate(v.diagnoses, start=1)
    ]
    head = [msh, _segment("EVN", {1: "P03", 2: stamp}), _pid(v), _pv1(v)]
    return [*head, *_charges(v), *dg1, *_in1(v), _zrv(v)]


def dft_message(v: Visit, control_id: str) -> str:
    """One message, segments ended by carriage returns (as MLLP carries it)."""
    return "\r".join(dft_segments(v, control_id)) + "\r"


def write_dft_file(visits: Iterable[Visit], path: str | os.PathLike[str]) -> int:
    """Every visit as one DFT^P03 message in one file (segments one a line); atomic."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        for count, visit in enumerate(visits, start=1):
            fh.write("\r\n".join(dft_segments(visit, f"MSG{count:08d}")) + "\r\n")
    tmp.replace(target)
    return count
