"""The people a visit record names (ARCHITECTURE §3.2): the patient, the subscriber when the
patient is not the one insured, their addresses, and the referring provider. Read field by
field like the rest of the record (``ptrcm.domain.interchange.parse_visit``), each defect
reported with its path (``subscriber.address.zip``)."""

from __future__ import annotations

from typing import Any

from ptrcm.domain import input_limits as lim
from ptrcm.domain.record_fields import RecordFields
from ptrcm.domain.visits import RELATIONSHIPS, Address, Person, Referring, Subscriber


def _address(f: RecordFields, raw: dict[str, Any], path: str) -> Address | None:
    obj = f.obj(raw, "address", path)
    if obj is None:
        return None
    state = f.string(obj, "state", path + ".state", required=True, max_len=2)
    if state is not None and not (len(state) == 2 and state.isalpha()):
        f.bad(path + ".state", "must be a two-letter state code")
    zipc = f.string(obj, "zip", path + ".zip", required=True, max_len=9)
    if zipc is not None and not (zipc.isdigit() and len(zipc) in (5, 9)):
        f.bad(path + ".zip", "must be 5 or 9 digits")
    return Address(
        line1=f.string(obj, "line1", path + ".line1", True, max_len=lim.ADDRESS_LINE_MAX) or "",
        city=f.string(obj, "city", path + ".city", True, max_len=lim.CITY_MAX) or "",
        state=state or "",
        zip=zipc or "",
        line2=f.string(obj, "line2", path + ".line2", max_len=lim.ADDRESS_LINE_MAX),
    )


def _person_fields(f: RecordFields, raw: dict[str, Any], path: str) -> Person:
    sex = f.string(raw, "sex", path + ".sex", max_len=lim.CODE_TEXT_MAX) or "U"
    if sex not in ("F", "M", "U"):
        f.bad(path + ".sex", "must be F, M or U", sex)
    first, last = path + ".first_name", path + ".last_name"
    return Person(
        first_name=f.string(raw, "first_name", first, True, max_len=lim.FIRST_NAME_MAX) or "",
        last_name=f.string(raw, "last_name", last, True, max_len=lim.LAST_NAME_MAX) or "",
        birth_date=f.day(raw, "birth_date", path + ".birth_date"),
        sex=sex,
        address=_address(f, raw, path + ".address"),
    )


def read_person(f: RecordFields, record: dict[str, Any], key: str) -> Person | None:
    """The person under ``key`` (``patient``), with their address."""
    raw = f.obj(record, key, key)
    return None if raw is None else _person_fields(f, raw, key)


def read_subscriber(f: RecordFields, record: dict[str, Any]) -> Subscriber | None:
    """The subscriber when the patient is not the one insured, and how they are related."""
    raw = f.obj(record, "subscriber", "subscriber")
    if raw is None:
        return None
    rel = f.string(raw, "relationship", "subscriber.relationship", True, max_len=16)
    if rel is not None and rel not in RELATIONSHIPS:
        f.bad("subscriber.relationship", "must be one of spouse, child, other", rel)
    return Subscriber(rel or "", _person_fields(f, raw, "subscriber"))


def read_referring(f: RecordFields, record: dict[str, Any]) -> Referring | None:
    """The referring physician or practitioner (the 837's 2310A loop)."""
    raw = f.obj(record, "referring", "referring")
    if raw is None:
        return None
    npi = f.string(raw, "npi", "referring.npi")
    if npi is not None and not (len(npi) == 10 and npi.isdigit()):
        f.bad("referring.npi", "must be 10 digits")
    return Referring(npi, f.string(raw, "name", "referring.name", max_len=lim.PROVIDER_NAME_MAX))
