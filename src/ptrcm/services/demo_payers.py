"""The demo's payers: a simulator per payer (profile by payer class), the member file the
payers know from master data, and the contract schedules the practice imports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
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


def member_file(master: Mapping[str, Any], visits: Sequence[Mapping[str, Any]]) -> MemberFile:
    """What the payers know: coverages and authorizations (master data), visits each member
    had this year before the period (from the earliest consistent benefit counts), and the
    disciplines of the rendering providers (enrollment)."""
    before: dict[str, int] = {}
    seen: dict[str, int] = {}
    for rec in sorted(visits, key=lambda r: str(r.get("date_of_service"))):
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
    members = {}
    for c in master.get("coverages", ()):
        mid = c.get("member_id")
        if mid:
            found = tuple(auths.get((c["patient_id"], c["payer_id"]), ()))
            members[mid] = Member(mid, c["payer_id"], before.get(mid, 0), found)
    providers = {
        t["npi"]: DISCIPLINE_OF_CREDENTIAL[t["credential"]]
        for t in master.get("therapists", ())
        if t.get("npi") and t.get("credential") in DISCIPLINE_OF_CREDENTIAL
    }
    return MemberFile(members, providers)


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


def write_contracts(sims: Mapping[str, PayerSimulator], folder: Path) -> dict[str, Path]:
    """Each payer's contracted schedule as the CSV the practice imports."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for pid, sim in sims.items():
        schedule = profile_contract(sim.profile, pid).fee_schedule
        if schedule is None:
            continue
        rows = ["code,allowed", *(f"{c},{m}" for c, m in sorted(schedule.allowed.items()))]
        path = folder / f"{pid}.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        paths[pid] = path
    return paths
