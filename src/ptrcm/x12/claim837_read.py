"""837P/837I files back into ``Claim`` values (round trips, the payer simulator).

``read_837`` walks the segments in order and keeps only what a ``Claim`` holds. The COB
loops of a secondary claim (2320-2330, 2430) are skipped: they describe the other payer,
not this claim. What an 837 cannot carry (minutes, expected units, visit ids, location)
comes back empty; ``comparable`` applies the same loss to a claim ptrcm wrote, so a round
trip is checked as ``read_837(write(claims)) == [comparable(c) for c in claims]``.

Segments come from a small splitter using the delimiters the ISA declares; once the shared
tokenizer (x12/tokenizer.py) lands it replaces ``_segments``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from ptrcm.domain.claims import FREQUENCY_ORIGINAL, Claim, ClaimLine
from ptrcm.domain.money import Money
from ptrcm.domain.visits import Address, Person, Provider, Referring, Subscriber
from ptrcm.errors import InputError
from ptrcm.x12.envelope import clean
from ptrcm.x12.write837p import TAXONOMY

CREDENTIAL_OF_TAXONOMY = {v: k for k, v in TAXONOMY.items()}
RELATIONSHIP_OF_CODE = {"18": "self", "01": "spouse", "19": "child", "G8": "other"}
DISCIPLINE_OF_MODIFIER = {"GP": "PT", "GO": "OT", "GN": "SLP"}
DISCIPLINE_OF_REVENUE = {"042": "PT", "043": "OT", "044": "SLP"}
START_OF_CARE = frozenset({"35", "44", "45"})
PLAN_REVIEWED = frozenset({"29", "17", "30"})


def _segments(text: str) -> Iterator[list[str]]:
    stripped = text.lstrip("\ufeff \r\n\t")
    if not stripped.startswith("ISA") or len(stripped) < 106:
        raise InputError.one("<837>", None, "ISA", "not an X12 file (no ISA header)")
    element, component, terminator = stripped[3], stripped[104], stripped[105]
    for raw in stripped.split(terminator):
        raw = raw.strip()
        if raw:
            yield [
                e if component not in e else e.replace(component, ":") for e in raw.split(element)
            ]


def _el(seg: list[str], i: int) -> str:
    return seg[i] if len(seg) > i else ""


def _day(value: str) -> date:
    return datetime.strptime(value, "%Y%m%d").date()


def _icd(code: str) -> str:
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def _full_name(seg: list[str]) -> str | None:
    last, first = _el(seg, 3), _el(seg, 4)
    if last == "UNKNOWN" and not first:
        return None
    return f"{first} {last}".strip() or None


@dataclass
class _Party:
    person: Person | None = None
    member_id: str | None = None


@dataclass
class _State:
    payer_ids: Mapping[str, str]
    billing_npi: str = ""
    payer_code: str = ""
    subscriber: _Party = field(default_factory=_Party)
    relationship: str = "self"
    patient: Person | None = None
    loop: str = ""
    claims: list[Claim] = field(default_factory=list)
    claim: dict[str, object] | None = None
    lines: list[dict[str, object]] = field(default_factory=list)
    institutional: bool = False


def _person_from(seg: list[str]) -> Person:
    return Person(first_name=_el(seg, 4), last_name=_el(seg, 3))


def _with_address(person: Person | None, n3: list[str] | None, n4: list[str]) -> Person | None:
    if person is None or n3 is None:
        return person
    addr = Address(_el(n3, 1), _el(n4, 1), _el(n4, 2), _el(n4, 3), _el(n3, 2) or None)
    return replace(person, address=addr)


def read_837(text: str, payer_ids: Mapping[str, str] | None = None) -> list[Claim]:
    """Every claim in an 837P or 837I file. ``payer_ids`` maps a payer code (NM1*PR id)
    back to ptrcm's payer id; unmapped codes are used as the payer id."""
    st = _State(payer_ids or {})
    pending_n3: list[str] | None = None
    target = ""
    for seg in _segments(text):
        tag = seg[0]
        if tag == "N3":
            pending_n3 = seg
            continue
        if tag == "N4":
            _place_address(st, target, pending_n3, seg)
            pending_n3 = None
            continue
        target = _handle(st, seg, tag) or ""
    _finish_claim(st)
    return st.claims


def _place_address(st: _State, target: str, n3: list[str] | None, n4: list[str]) -> None:
    if target == "IL":
        st.subscriber.person = _with_address(st.subscriber.person, n3, n4)
    elif target == "QC":
        st.patient = _with_address(st.patient, n3, n4)


def _handle(st: _State, seg: list[str], tag: str) -> str | None:
    if tag == "GS":
        st.institutional = _el(seg, 8).startswith("005010X223")
    elif tag == "HL":
        _finish_claim(st)
        level = _el(seg, 3)
        if level == "22":
            st.subscriber, st.relationship, st.patient = _Party(), "self", None
        st.loop = level
    elif tag == "SBR":
        if st.claim is not None:
            st.loop = "COB"
        elif _el(seg, 2) in RELATIONSHIP_OF_CODE:
            st.relationship = RELATIONSHIP_OF_CODE[_el(seg, 2)]
    elif tag == "PAT":
        st.relationship = RELATIONSHIP_OF_CODE.get(_el(seg, 1), "other")
    elif tag == "NM1":
        return _name(st, seg)
    elif tag == "DMG" and st.loop != "COB":
        return _demographics(st, seg)
    elif tag == "CLM":
        _start_claim(st, seg)
    elif st.claim is not None:
        _claim_detail(st, seg, tag)
    return None


def _demographics(st: _State, seg: list[str]) -> str | None:
    born, sex = _day(_el(seg, 2)), _el(seg, 3) or "U"
    if st.loop == "23" and st.patient is not None:
        st.patient = replace(st.patient, birth_date=born, sex=sex)
        return "QC"
    if st.subscriber.person is not None:
        st.subscriber.person = replace(st.subscriber.person, birth_date=born, sex=sex)
        return "IL"
    return None


def _name(st: _State, seg: list[str]) -> str | None:
    qualifier = _el(seg, 1)
    if st.loop == "COB":
        return None
    if qualifier == "85":
        st.billing_npi = _el(seg, 9)
    elif qualifier == "PR":
        st.payer_code = _el(seg, 9)
    elif qualifier == "IL":
        st.subscriber = _Party(_person_from(seg), _el(seg, 9) or None)
        return "IL"
    elif qualifier == "QC":
        st.patient = _person_from(seg)
        return "QC"
    elif st.claim is not None and qualifier == "DN":
        st.claim["referring"] = Referring(_el(seg, 9) or None, _full_name(seg))
    elif st.claim is not None and qualifier in ("82", "71"):
        st.claim["rendering"] = Provider("", _el(seg, 9) or None, _full_name(seg))
    return None


def _start_claim(st: _State, seg: list[str]) -> None:
    _finish_claim(st)
    parts = _el(seg, 5).split(":")
    st.claim = {
        "claim_id": _el(seg, 1),
        "place_or_bill": parts[0],
        "frequency": parts[2] if len(parts) > 2 else FREQUENCY_ORIGINAL,
        "diagnoses": [],
    }
    st.lines = []


def _claim_detail(st: _State, seg: list[str], tag: str) -> None:  # noqa: C901
    claim = st.claim
    assert claim is not None
    line = st.lines[-1] if st.lines else None
    if tag == "LX":
        st.loop = "2400"
        st.lines.append({})
    elif tag in ("SV1", "SV2"):
        _service(line, seg, tag)
    elif tag == "SVD":
        st.loop = "2430"
    elif tag == "DTP":
        qualifier, value = _el(seg, 1), _el(seg, 3)
        if qualifier == "472" and line is not None:
            line["date"] = _day(value)
        elif qualifier == "431":
            claim["onset"] = _day(value)
        elif qualifier == "454":
            claim["initial"] = _day(value)
    elif tag == "PRV" and _el(seg, 1) in ("PE", "AT") and "rendering" in claim:
        rendering = claim["rendering"]
        assert isinstance(rendering, Provider)
        credential = CREDENTIAL_OF_TAXONOMY.get(_el(seg, 3), "")
        claim["rendering"] = replace(rendering, credential=credential)
    elif tag == "REF" and st.loop != "COB":
        key = {"G1": "auth", "F8": "payer_claim", "EA": "patient_id", "6R": "line"}
        name = key.get(_el(seg, 1))
        if name == "line" and line is not None:
            line["number"] = int(_el(seg, 2))
        elif name and name != "line":
            claim[name] = _el(seg, 2)
    elif tag == "HI":
        _hi(claim, seg)


def _service(line: dict[str, object] | None, seg: list[str], tag: str) -> None:
    if line is None:
        return
    offset = 1 if tag == "SV2" else 0
    procedure = _el(seg, 1 + offset).split(":")
    line["code"], line["modifiers"] = procedure[1], tuple(procedure[2:])
    line["charge"] = Money.of(_el(seg, 2 + offset))
    line["units"] = int(float(_el(seg, 4 + offset)))
    if tag == "SV2":
        line["revenue"] = _el(seg, 1)
    else:
        pointers = _el(seg, 7)
        line["pointers"] = tuple(int(p) for p in pointers.split(":") if p)


def _hi(claim: dict[str, object], seg: list[str]) -> None:
    diagnoses = claim["diagnoses"]
    assert isinstance(diagnoses, list)
    for composite in seg[1:]:
        parts = composite.split(":")
        qualifier = parts[0]
        if qualifier in ("ABK", "ABF"):
            diagnoses.append(_icd(parts[1]))
        elif qualifier == "BH" and len(parts) > 3:
            if parts[1] == "11":
                claim["onset"] = _day(parts[3])
            elif parts[1] in START_OF_CARE:
                claim["initial"] = _day(parts[3])
            elif parts[1] in PLAN_REVIEWED:
                claim["plan"] = _day(parts[3])
        elif qualifier == "BE" and len(parts) > 4 and parts[1] in ("50", "51", "52"):
            claim["visits"] = int(float(parts[4]))


def _finish_claim(st: _State) -> None:
    raw = st.claim
    if raw is None:
        return
    st.claim = None
    rendering = raw.get("rendering") or Provider("", st.billing_npi or None, None)
    assert isinstance(rendering, Provider)
    lines = tuple(_line(n, item, rendering.npi) for n, item in enumerate(st.lines, start=1))
    dependent = st.relationship != "self"
    subscriber = st.subscriber.person
    patient = st.patient if dependent else subscriber
    st.claims.append(
        Claim(
            claim_id=str(raw["claim_id"]),
            payer_id=st.payer_ids.get(st.payer_code, st.payer_code),
            patient_id=str(raw.get("patient_id", "")),
            discipline=_discipline(lines, st.lines),
            lines=lines,
            diagnoses=tuple(raw["diagnoses"]),  # type: ignore[arg-type]
            rendering=rendering,
            member_id=st.subscriber.member_id,
            place_of_service="11" if st.institutional else str(raw["place_or_bill"]),
            frequency=str(raw["frequency"]),
            payer_claim_number=_opt(raw.get("payer_claim")),
            patient=patient,
            subscriber=Subscriber(st.relationship, subscriber)
            if dependent and subscriber
            else None,
            referring=raw.get("referring"),  # type: ignore[arg-type]
            onset_date=raw.get("onset"),  # type: ignore[arg-type]
            prior_authorization=_opt(raw.get("auth")),
            initial_treatment_date=raw.get("initial"),  # type: ignore[arg-type]
            plan_established_date=raw.get("plan"),  # type: ignore[arg-type]
            episode_visits=raw.get("visits"),  # type: ignore[arg-type]
        )
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _line(position: int, item: dict[str, object], npi: str | None) -> ClaimLine:
    units = item["units"]
    assert isinstance(units, int)
    return ClaimLine(
        line_number=int(item.get("number", position)),  # type: ignore[call-overload]
        date_of_service=item["date"],  # type: ignore[arg-type]
        code=str(item["code"]),
        modifiers=item["modifiers"],  # type: ignore[arg-type]
        units=units,
        expected_units=units,
        charge=item["charge"],  # type: ignore[arg-type]
        dx_pointers=item.get("pointers", ()),  # type: ignore[arg-type]
        rendering_npi=npi,
    )


def _discipline(lines: tuple[ClaimLine, ...], raw: list[dict[str, object]]) -> str:
    for item in raw:
        revenue = str(item.get("revenue", ""))
        if revenue[:3] in DISCIPLINE_OF_REVENUE:
            return DISCIPLINE_OF_REVENUE[revenue[:3]]
    for line in lines:
        for modifier in line.modifiers:
            if modifier in DISCIPLINE_OF_MODIFIER:
                return DISCIPLINE_OF_MODIFIER[modifier]
    return ""


def comparable(claim: Claim, billing_npi: str, institutional: bool = False) -> Claim:
    """The claim as an 837 carries it: what ``read_837`` gives back for a claim ptrcm
    wrote (names and ids cleaned of delimiters, untransmitted fields emptied)."""
    rendering = claim.rendering
    npi = rendering.npi or billing_npi
    shown = institutional or npi != billing_npi
    rendering = Provider(
        credential=rendering.credential if shown and rendering.credential in TAXONOMY else "",
        npi=npi,
        name=(clean(rendering.name) or None) if shown else None,
    )
    lines = tuple(
        replace(
            line,
            expected_units=line.units,
            minutes=None,
            assistant_minutes=0,
            rendering_npi=npi,
            dx_pointers=() if institutional else line.dx_pointers[:4],
            modifiers=line.modifiers[:4],
        )
        for line in claim.lines
    )
    dependent = claim.subscriber is not None and claim.subscriber.relationship != "self"
    ref = claim.referring
    visits = claim.episode_visits or len({ln.date_of_service for ln in claim.lines})
    return replace(
        claim,
        lines=lines,
        rendering=rendering,
        diagnoses=tuple(_icd(c.replace(".", "")) for c in claim.diagnoses[:12]),
        subscriber=claim.subscriber if dependent else None,
        referring=Referring(ref.npi, clean(ref.name) or None) if ref else None,
        place_of_service="11" if institutional else claim.place_of_service,
        payer_claim_number=None
        if claim.frequency == FREQUENCY_ORIGINAL
        else claim.payer_claim_number,
        plan_established_date=claim.plan_established_date if institutional else None,
        episode_visits=visits if institutional else None,
        location_id=None,
        visit_ids=(),
    )
