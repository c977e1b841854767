"""Master data of the synthetic clinic: locations, therapists, referrers, patients, coverage.

The clinic (locations, staff, referring physicians) comes from its own random stream, so
patients can be generated one at a time, each from a stream derived from the seed and the
patient's number: the same arguments always give the same people.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ptrcm.config import Clinic, PayerConfig
from ptrcm.domain.npi import make_npi
from ptrcm.synth.tables import Tables

Record = dict[str, Any]

LOCATION_SHARE = (0.45, 0.30, 0.25, 0.22, 0.18)
VISITS_PER_CLINICIAN_MONTH = 220
# Patients by primary payer; Medicare patients have longer episodes, so they end up with
# about a third of the visits.
PAYER_WEIGHTS = (
    ("MEDICARE", 27),
    ("MEDICARE_ADV", 11),
    ("MEDICAID", 12),
    ("COMMERCIAL", 38),
    ("WORKERS_COMP", 7),
    ("SELF_PAY", 5),
)
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # no S, L, O, I, B, Z
DIGITS = "0123456789"


@dataclass(frozen=True, slots=True)
class Location:
    location_id: str
    name: str
    address: Record
    noshow_factor: float


@dataclass(frozen=True, slots=True)
class Therapist:
    therapist_id: str
    first_name: str
    last_name: str
    credential: str
    npi: str
    location_id: str
    noshow_factor: float
    supervisor_id: str | None
    rendering: Record  # the visit's "rendering" object, shared by reference

    @property
    def is_assistant(self) -> bool:
        return self.credential in ("PTA", "OTA")


@dataclass(frozen=True, slots=True)
class Referrer:
    npi: str
    name: str
    record: Record


@dataclass(frozen=True, slots=True)
class ClinicData:
    clinic: Clinic
    payers: Mapping[str, PayerConfig]
    locations: tuple[Location, ...]
    location_weights: tuple[float, ...]
    therapists: tuple[Therapist, ...]
    referrers: tuple[Referrer, ...]
    staff: Mapping[tuple[str, str], tuple[Therapist, ...]]

    def clinicians(self, location_id: str, credential: str) -> tuple[Therapist, ...]:
        return self.staff.get((location_id, credential), ())


@dataclass(frozen=True, slots=True)
class Patient:
    patient_id: str
    number: int
    age: int
    birth_date: date
    sex: str
    payer_id: str
    member_id: str
    coverage_start: date
    location_id: str
    preferred_hour: int
    noshow_factor: float
    prior_ytd_allowed: Decimal  # therapy allowed elsewhere earlier in the first year
    record: Record  # the visit's "patient" object
    subscriber: Record | None
    secondary: Record | None


def _name(rng: random.Random, tables: Tables, sex: str) -> tuple[str, str]:
    firsts = tables.first_names_f if sex == "F" else tables.first_names_m
    return rng.choice(firsts), rng.choice(tables.last_names)


def _address(rng: random.Random, tables: Tables) -> Record:
    city, state, zipc = rng.choice(tables.cities)
    line1 = f"{rng.randint(10, 9899)} {rng.choice(tables.streets)}"
    return {"line1": line1, "city": city, "state": state, "zip": zipc}


def _unique_npi(rng: random.Random, used: set[str]) -> str:
    while True:
        npi = make_npi(f"1{rng.randrange(10**8):08d}")
        if npi not in used:
            used.add(npi)
            return npi


def build_clinic(
    seed: int,
    patients: int,
    months: int,
    n_locations: int,
    clinic: Clinic,
    payers: Mapping[str, PayerConfig],
    tables: Tables,
) -> ClinicData:
    """Locations, staff sized to the expected caseload, and referring physicians."""
    rng = random.Random(f"ptrcm-synth/{seed}/clinic")
    locs = tuple(
        Location(i, n, {"line1": a, "city": c, "state": s, "zip": z}, f)
        for i, n, a, c, s, z, f in tables.locations[:n_locations]
    )
    share = LOCATION_SHARE[:n_locations]
    weights = tuple(w / sum(share) for w in share)
    monthly = patients * 11 / max(months, 1)
    need = {
        "PT": monthly * 0.45,
        "PTA": monthly * 0.25,
        "OT": monthly * 0.1,
        "OTA": monthly * 0.05,
        "SLP": monthly * 0.13,
    }
    used: set[str] = set()
    therapists: list[Therapist] = []
    staff: dict[tuple[str, str], tuple[Therapist, ...]] = {}
    for loc, weight in zip(locs, weights, strict=True):
        main = loc.location_id == locs[0].location_id
        supervisors: dict[str, str] = {}
        for cred in ("PT", "OT", "SLP", "PTA", "OTA"):
            count = math.ceil(need[cred] * weight / VISITS_PER_CLINICIAN_MONTH - 0.3)
            minimum = 1 if cred == "PT" or (main and cred in ("OT", "SLP", "PTA", "OTA")) else 0
            group: list[Therapist] = []
            for _ in range(max(minimum, count)):
                sex = "F" if rng.random() < 0.7 else "M"
                first, last = _name(rng, tables, sex)
                npi = _unique_npi(rng, used)
                tid = f"T-{len(therapists) + 1:03d}"
                name = f"{first} {last}"
                rendering = {"npi": npi, "credential": cred, "name": name}
                sup = supervisors.get(cred[:2]) if cred in ("PTA", "OTA") else None
                t = Therapist(
                    tid,
                    first,
                    last,
                    cred,
                    npi,
                    loc.location_id,
                    round(rng.uniform(0.8, 1.25), 3),
                    sup,
                    rendering,
                )
                therapists.append(t)
                group.append(t)
                supervisors.setdefault(cred, tid)
            staff[(loc.location_id, cred)] = tuple(group)
    referrers = []
    for _ in range(max(12, patients // 40)):
        first, last = _name(rng, tables, "F" if rng.random() < 0.5 else "M")
        npi = _unique_npi(rng, used)
        name = f"{first} {last} {rng.choice(('MD', 'MD', 'MD', 'DO', 'NP', 'PA'))}"
        referrers.append(Referrer(npi, name, {"npi": npi, "name": name}))
    return ClinicData(clinic, payers, locs, weights, tuple(therapists), tuple(referrers), staff)


def _mbi(rng: random.Random) -> str:
    """A Medicare Beneficiary Identifier shaped like CMS's format (11 characters)."""
    alnum = MBI_LETTERS + DIGITS
    parts = [
        rng.choice("123456789"),
        rng.choice(MBI_LETTERS),
        rng.choice(alnum),
        rng.choice(DIGITS),
        rng.choice(MBI_LETTERS),
        rng.choice(alnum),
        rng.choice(DIGITS),
        rng.choice(MBI_LETTERS),
        rng.choice(MBI_LETTERS),
        rng.choice(DIGITS),
        rng.choice(DIGITS),
    ]
    return "".join(parts)


def member_id_for(rng: random.Random, payer_id: str, number: int) -> str:
    """A member id in the shape each payer class uses."""
    if payer_id == "MEDICARE":
        return _mbi(rng)
    if payer_id == "MEDICARE_ADV":
        return f"MA{rng.randrange(10**9):09d}"
    if payer_id == "MEDICAID":
        return f"{rng.randrange(10**8, 10**9)}"
    if payer_id == "WORKERS_COMP":
        return f"WC{rng.randrange(10**7):07d}"
    if payer_id == "SELF_PAY":
        return f"SP{number:07d}"
    prefix = "".join(rng.choice(MBI_LETTERS) for _ in range(3))
    return f"{prefix}{rng.randrange(10**9):09d}"


def _age(rng: random.Random, payer_id: str) -> int:
    r = rng.random()
    if payer_id in ("MEDICARE", "MEDICARE_ADV"):
        if payer_id == "MEDICARE" and r < 0.08:
            return rng.randint(40, 64)  # entitled by disability
        return int(rng.triangular(65, 96, 73))
    if payer_id == "MEDICAID":
        return rng.randint(3, 17) if r < 0.3 else rng.randint(19, 64)
    if payer_id == "COMMERCIAL":
        if r < 0.1:
            return rng.randint(3, 17)
        return rng.randint(18, 64) if r < 0.95 else rng.randint(65, 75)
    if payer_id == "WORKERS_COMP":
        return rng.randint(20, 64)
    return rng.randint(18, 80)


def _preferred_hour(rng: random.Random, age: int) -> int:
    if age < 18:
        return rng.choice((15, 16, 16, 17))
    if age < 65:
        return rng.choice((7, 7, 8, 9, 11, 12, 15, 16, 16, 17, 17, 18))
    return rng.choice((8, 9, 9, 10, 10, 11, 11, 13, 13, 14, 14, 15))


def _pick_payer(rng: random.Random) -> str:
    total = sum(w for _, w in PAYER_WEIGHTS)
    x = rng.random() * total
    for payer_id, w in PAYER_WEIGHTS:
        x -= w
        if x < 0:
            return payer_id
    return PAYER_WEIGHTS[-1][0]


def _subscriber(
    rng: random.Random, tables: Tables, age: int, last: str, address: Record, today: date
) -> tuple[Record, str] | None:
    """The policy holder when a commercial patient is a dependent, with the relationship."""
    if age < 18 or (age < 26 and rng.random() < 0.3):
        relationship, sub_age = "child", age + rng.randint(24, 40)
    elif rng.random() < 0.22:
        relationship, sub_age = "spouse", max(18, age + rng.randint(-6, 6))
    else:
        return None
    sex = "F" if rng.random() < 0.5 else "M"
    first = rng.choice(tables.first_names_f if sex == "F" else tables.first_names_m)
    born = today - timedelta(days=sub_age * 365 + rng.randint(0, 364))
    record = {
        "relationship": relationship,
        "first_name": first,
        "last_name": last,
        "birth_date": born.isoformat(),
        "sex": sex,
        "address": address,
    }
    return record, relationship


def make_patient(
    rng: random.Random, clinic: ClinicData, tables: Tables, number: int, period_start: date
) -> Patient:
    """One patient with demographics, primary (and maybe secondary) coverage."""
    payer_id = _pick_payer(rng)
    age = _age(rng, payer_id)
    sex = "F" if rng.random() < 0.56 else "M"
    first, last = _name(rng, tables, sex)
    birth = period_start - timedelta(days=age * 365 + rng.randint(5, 360))
    address = _address(rng, tables)
    member_id = member_id_for(rng, payer_id, number)
    subscriber: Record | None = None
    if payer_id == "COMMERCIAL":
        sub = _subscriber(rng, tables, age, last, address, period_start)
        if sub is not None:
            subscriber = sub[0]
    secondary: Record | None = None
    if payer_id == "MEDICARE":
        r = rng.random()
        if r < 0.15:
            secondary = {"payer_id": "MEDICAID", "member_id": member_id_for(rng, "MEDICAID", 0)}
        elif r < 0.6:
            secondary = {"payer_id": "COMMERCIAL", "member_id": member_id_for(rng, "COMMERCIAL", 0)}
    if payer_id == "MEDICARE" and age >= 65:
        turned = birth.replace(year=birth.year + 65, day=1)
        coverage_start = min(turned, period_start - timedelta(days=120))
    else:
        coverage_start = period_start - timedelta(days=rng.randint(120, 3000))
    prior = Decimal(0)
    if payer_id == "MEDICARE" and rng.random() < 0.3:
        prior = Decimal(rng.randint(60000, 245000)).scaleb(-2)
    idx = rng.random()
    location_id = clinic.locations[-1].location_id
    for loc, w in zip(clinic.locations, clinic.location_weights, strict=True):
        idx -= w
        if idx < 0:
            location_id = loc.location_id
            break
    record = {
        "first_name": first,
        "last_name": last,
        "birth_date": birth.isoformat(),
        "sex": sex,
        "address": address,
    }
    return Patient(
        patient_id=f"P-{number:06d}",
        number=number,
        age=age,
        birth_date=birth,
        sex=sex,
        payer_id=payer_id,
        member_id=member_id,
        coverage_start=coverage_start,
        location_id=location_id,
        preferred_hour=_preferred_hour(rng, age),
        noshow_factor=(1.2 if age < 30 else 1.0) * round(rng.uniform(0.7, 1.3), 3),
        prior_ytd_allowed=prior,
        record=record,
        subscriber=subscriber,
        secondary=secondary,
    )


def choose_weighted(rng: random.Random, items: Sequence[tuple[str, int]]) -> str:
    """One item by integer weight (a linear scan: the lists are short)."""
    total = sum(w for _, w in items)
    x = rng.random() * total
    for item, w in items:
        x -= w
        if x < 0:
            return item
    return items[-1][0]
