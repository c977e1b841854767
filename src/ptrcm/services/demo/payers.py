"""The demo's payers: a simulator per payer (profile by payer class), the member file the
payers know from master data, and the contract schedules the practice imports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ptrcm.config import Config
from ptrcm.domain.visits import DISCIPLINE_OF_CREDENTIAL
from ptrcm.synth.payer import PayerSimulator
from ptrcm.synth.payer_pricing import profile_contract
from ptrcm.synth.payer_profile import (
    PROFILE_NAMES,
    Authorization,
    Member,
    MemberFile,
    load_profile,
)

ASSISTANT_CREDENTIALS = ("PTA", "OTA")
CONTRACTS_FROM = date(2020, 1, 1)  # the first contract version covers every earlier visit


def member_file(master: Mapping[str, Any], visits: Sequence[Mapping[str, Any]]) -> MemberFile:
    """What the payers know: coverages and authorizations (master data), visits each member
    had this year before the period (from the earliest consistent benefit counts), coverage
    lapses their eligibility answers reported, each Medicare member's therapy amount allowed
    this year before the first visit of the period, and the rendering providers they
    enrolled (discipline, and which are assistants)."""
    ordered = sorted(visits, key=lambda r: str(r.get("date_of_service")))
    before: dict[str, int] = {}
    seen: dict[str, int] = {}
    for rec in ordered:
        member = rec.get("member_id")
        benefits = rec.get("benefits")
        if not member or not isinstance(benefits, Mapping):
            continue
        k = seen.get(member, 0)
        seen[member] = k + 1
        used = int(benefits.get("visits_used") or 0) - k
        before[member] = min(before.get(member, used), max(used, 0))
    auths: dict[tuple[str, str], list[Authorization]] = {}
    for a in master.get("authorizations", ()):
        auths.setdefault((a["patient_id"], a["payer_id"]), []).append(
            Authorization(
                a["number"],
                int(a["visits_authorized"]),
                date.fromisoformat(a["start"]),
                date.fromisoformat(a["end"]),
            )
        )
    lapses, therapy = _lapses(ordered), _therapy_before(ordered)
    members = {}
    for c in master.get("coverages", ()):
        mid = c.get("member_id")
        if mid:
            found = tuple(auths.get((c["patient_id"], c["payer_id"]), ()))
            members[mid] = Member(
                mid, c["payer_id"], before.get(mid, 0), found, _day(c.get("start")),
                _day(c.get("end")), tuple(lapses.get(mid, ())), therapy.get(mid, {}),
            )  # fmt: skip
    providers = {
        t["npi"]: DISCIPLINE_OF_CREDENTIAL[t["credential"]]
        for t in master.get("therapists", ())
        if t.get("npi") and t.get("credential") in DISCIPLINE_OF_CREDENTIAL
    }
    assistants = frozenset(
        str(t["npi"])
        for t in master.get("therapists", ())
        if t.get("npi") and t.get("credential") in ASSISTANT_CREDENTIALS
    )
    return MemberFile(members, providers, assistants)


def _day(value: object) -> date | None:
    return None if not value else date.fromisoformat(str(value))


def _lapses(ordered: Sequence[Mapping[str, Any]]) -> dict[str, list[tuple[date, date]]]:
    """Days each member was not covered, as the eligibility answers on the visits show: from
    the day after the reported end (and after the member's last visit reported active)
    through the visit reported inactive. A day some visit reports active stays covered."""
    active: dict[str, set[date]] = {}
    inactive: list[tuple[str, date, date | None]] = []
    for rec in ordered:
        member, coverage = rec.get("member_id"), rec.get("coverage")
        if not member or not isinstance(coverage, Mapping):
            continue
        day = date.fromisoformat(str(rec["date_of_service"]))
        if coverage.get("active", True):
            active.setdefault(member, set()).add(day)
        else:
            inactive.append((member, day, _day(coverage.get("end"))))
    out: dict[str, list[tuple[date, date]]] = {}
    for member, day, end in inactive:
        days = active.get(member, set())
        if day in days:
            continue
        first = day if end is None else min(day, end + timedelta(days=1))
        earlier = [d for d in days if d < day]
        if earlier:
            first = max(first, max(earlier) + timedelta(days=1))
        out.setdefault(member, []).append((first, day))
    return out


def _therapy_before(ordered: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Decimal]]:
    """Per member, by "year/group": the KX year-to-date amount on the member's earliest
    visit of that year and group (allowed elsewhere, or earlier, before the period)."""
    out: dict[str, dict[str, Decimal]] = {}
    for rec in ordered:
        member, amount = rec.get("member_id"), rec.get("kx_ytd_allowed")
        if not member or amount is None:
            continue
        group = "OT" if rec.get("discipline") == "OT" else "PT+SLP"
        key = f"{str(rec['date_of_service'])[:4]}/{group}"
        out.setdefault(member, {}).setdefault(key, Decimal(str(amount)))
    return out


def write_member_file(members: MemberFile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(members.to_json(), indent=1), encoding="utf-8")


def simulators(config: Config, members: MemberFile, seed: int) -> dict[str, PayerSimulator]:
    """One simulator per configured payer that has a profile for its class."""
    codes = {p.payer_code: pid for pid, p in config.payers.items()}
    out: dict[str, PayerSimulator] = {}
    for pid, payer in config.payers.items():
        if payer.payer_class in PROFILE_NAMES:
            out[pid] = PayerSimulator(
                load_profile(payer.payer_class),
                members,
                config.clinic,
                payer_ids=codes,
                seed=seed,
                first_control=100 * (len(out) + 1),
            )
    return out


def write_contracts(
    sims: Mapping[str, PayerSimulator], folder: Path
) -> dict[str, list[tuple[Path, date]]]:
    """Each payer's contracted schedule as the CSVs the practice imports: one per year
    the schedule changes (the PFS years), with the date it takes effect. The first
    also covers the years before it."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, list[tuple[Path, date]]] = {}
    for pid, sim in sims.items():
        schedule = profile_contract(sim.profile, pid).fee_schedule
        if schedule is None:
            continue
        editions = dict(schedule.editions) or {CONTRACTS_FROM.year: schedule.allowed}
        for n, year in enumerate(sorted(editions)):
            rates = editions[year]
            rows = ["code,allowed", *(f"{c},{m}" for c, m in sorted(rates.items()))]
            path = folder / f"{pid}-{year}.csv"
            path.write_text("\n".join(rows) + "\n", encoding="utf-8")
            start = CONTRACTS_FROM if n == 0 else date(year, 1, 1)
            paths.setdefault(pid, []).append((path, start))
    return paths
