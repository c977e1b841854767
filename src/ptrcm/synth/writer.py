"""Write a synthetic run: visits, ground truth, master data and appointments.

``run.jsonl`` (visits, interchange format) comes with ``run.truth.jsonl`` (one line per
visit: its injected defects and the rule that should catch each), ``run.master.json``
(clinic, locations, staff, payers, patients, coverages, plans of care, authorizations,
episodes, the period and the recommended ``as_of`` date) and ``run.appointments.jsonl``.
All four are written to temporary names and renamed into place at the end.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from ptrcm.config import Config
from ptrcm.synth.clinic import ClinicData
from ptrcm.synth.generator import PatientOutput, SynthOptions, build_world, patient_output
from ptrcm.synth.story import Story

Record = dict[str, Any]
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class SynthSummary:
    visits: int
    defective_visits: int
    appointments: int
    patients: int
    as_of: date
    files: dict[str, str]
    defects_by_rule: dict[str, int]
    statuses: dict[str, int]


def companion_paths(out: str | os.PathLike[str]) -> dict[str, Path]:
    """The four output paths for ``--out``: FILE.jsonl beside FILE.truth.jsonl etc."""
    path = Path(out)
    stem = path.name[: -len(".jsonl")] if path.name.endswith(".jsonl") else path.name
    return {
        "visits": path,
        "truth": path.with_name(stem + ".truth.jsonl"),
        "master": path.with_name(stem + ".master.json"),
        "appointments": path.with_name(stem + ".appointments.jsonl"),
    }


def _dumps(record: Record) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def clinic_master(clinic: ClinicData) -> Record:
    """Clinic, locations, staff, referring physicians and payers as JSON-ready data."""
    c = clinic.clinic
    return {
        "clinic": {
            "name": c.name,
            "npi": c.npi,
            "tin": c.tin,
            "taxonomy": c.taxonomy,
            "timezone": c.timezone,
            "address": {
                "line1": c.address.line1,
                "city": c.address.city,
                "state": c.address.state,
                "zip": c.address.zip,
            },
        },
        "locations": [
            {"location_id": x.location_id, "name": x.name, "address": x.address}
            for x in clinic.locations
        ],
        "therapists": [
            {
                "therapist_id": t.therapist_id,
                "first_name": t.first_name,
                "last_name": t.last_name,
                "credential": t.credential,
                "npi": t.npi,
                "location_id": t.location_id,
                "supervisor_id": t.supervisor_id,
            }
            for t in clinic.therapists
        ],
        "referring_providers": [{"npi": r.npi, "name": r.name} for r in clinic.referrers],
        "payers": [
            {
                "payer_id": p.payer_id,
                "name": p.name,
                "class": p.payer_class,
                "unit_method": p.unit_method.value,
                "auth_required": p.auth_required,
                "visit_limit_per_year": p.visit_limit_per_year,
                "timely_filing_days": p.timely_filing_days,
            }
            for p in clinic.payers.values()
        ],
    }


def patient_master(story: Story) -> dict[str, list[Record]]:
    """The patient's demographics, coverages, episodes, plans of care and authorizations."""
    p = story.patient
    pid = p.patient_id
    primary: Record = {
        "patient_id": pid,
        "rank": "primary",
        "payer_id": p.payer_id,
        "member_id": p.member_id,
        "start": p.coverage_start.isoformat(),
        "end": None,
        "relationship": "self",
    }
    if p.subscriber is not None:
        primary["relationship"] = p.subscriber["relationship"]
        primary["subscriber"] = p.subscriber
    coverages = [primary]
    if p.secondary is not None:
        coverages.append(
            {
                "patient_id": pid,
                "rank": "secondary",
                **p.secondary,
                "start": p.coverage_start.isoformat(),
                "end": None,
                "relationship": "self",
            }
        )
    episodes, plans, auths = [], [], []
    for ep, state in zip(story.episodes, story.states, strict=True):
        episodes.append(
            {
                "episode_id": ep.episode_id,
                "patient_id": pid,
                "discipline": ep.discipline,
                "condition": ep.condition.id,
                "location_id": ep.location.location_id,
                "therapist_id": ep.therapist.therapist_id,
                "assistant_id": ep.assistant.therapist_id if ep.assistant else None,
                "referring_npi": ep.referrer.npi,
                "diagnoses": ep.diagnoses,
                "evaluation_code": ep.eval_code,
                "start": ep.start.isoformat(),
                "onset_date": ep.onset.isoformat(),
                "planned_visits": ep.target_visits,
                "visits_per_week": ep.per_week,
                "documented_visits": state.number,
                "status": ep.status,
            }
        )
        for k, plan in enumerate(state.plans, start=1):
            plans.append(
                {
                    "plan_id": f"{ep.episode_id}-{k}",
                    "patient_id": pid,
                    "episode_id": ep.episode_id,
                    "discipline": ep.discipline,
                    **plan,
                }
            )
        for auth in state.auths:
            auths.append(
                {
                    "number": auth["number"],
                    "patient_id": pid,
                    "payer_id": p.payer_id,
                    "episode_id": ep.episode_id,
                    "discipline": ep.discipline,
                    "visits_authorized": auth["visits_authorized"],
                    "start": auth["start"],
                    "end": auth["end"],
                }
            )
    patient = {"patient_id": pid, **p.record, "location_id": p.location_id}
    return {
        "patients": [patient],
        "coverages": coverages,
        "episodes": episodes,
        "plans_of_care": plans,
        "authorizations": auths,
    }


def write_master(doc: Record, fh: IO[str]) -> None:
    """JSON with one list element per line: readable, and fast (the C encoder, no indent)."""
    fh.write("{\n")
    for i, (key, value) in enumerate(doc.items()):
        fh.write(f"{json.dumps(key)}: ")
        if isinstance(value, list) and value:
            fh.write("[\n" + ",\n".join(_dumps(item) for item in value) + "\n]")
        else:
            fh.write(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
        fh.write(",\n" if i < len(doc) - 1 else "\n")
    fh.write("}\n")


def _write_patient(out: PatientOutput, files: Mapping[str, IO[str]]) -> None:
    for rec in out.visits:
        files["visits"].write(_dumps(rec) + "\n")
    for rec in out.truth:
        files["truth"].write(_dumps(rec) + "\n")
    for rec in out.appointments:
        files["appointments"].write(_dumps(rec) + "\n")


def write_synth(
    options: SynthOptions, out: str | os.PathLike[str], config: Config | None = None
) -> SynthSummary:
    """Generate a run and write its four files; returns counts and the as-of date."""
    paths = companion_paths(out)
    tmp = {k: p.with_name(p.name + ".tmp") for k, p in paths.items()}
    world = build_world(options, config)
    master: dict[str, list[Record]] = {
        "patients": [],
        "coverages": [],
        "episodes": [],
        "plans_of_care": [],
        "authorizations": [],
    }
    rules: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    visits = defective = appointments = 0
    last = options.start - timedelta(days=1)
    handles = {k: tmp[k].open("w", encoding="utf-8") for k in ("visits", "truth", "appointments")}
    doc_truth = paths["visits"].with_name(paths["visits"].stem + ".doc-truth.jsonl")
    labels = doc_truth.open("w", encoding="utf-8") if options.documentation else None
    try:
        for number in range(1, options.patients + 1):
            result = patient_output(world, options, number)
            _write_patient(result, handles)
            if labels is not None:
                labels.writelines(_dumps(label) + "\n" for label in result.doc_truth)
            for key, rows in patient_master(result.story).items():
                master[key].extend(rows)
            visits += len(result.visits)
            for rec in result.visits:
                last = max(last, date.fromisoformat(rec["date_of_service"]))
            for t in result.truth:
                defective += bool(t["defects"])
                rules.update(d["rule"] for d in t["defects"])
            appointments += len(result.appointments)
            statuses.update(a["status"] for a in result.appointments)
    finally:
        for fh in handles.values():
            fh.close()
        if labels is not None:
            labels.close()
    as_of = last + timedelta(days=1)
    doc: Record = {
        "format_version": FORMAT_VERSION,
        "generator": {
            "seed": options.seed,
            "patients": options.patients,
            "months": options.months,
            "start": options.start.isoformat(),
            "defect_rate": str(options.defect_rate),
            "locations": options.locations,
        },
        "period": {"start": options.start.isoformat(), "end": options.end.isoformat()},
        "as_of": as_of.isoformat(),
        **clinic_master(world.clinic),
        **master,
        "counts": {"visits": visits, "defective_visits": defective, "appointments": appointments},
    }
    with tmp["master"].open("w", encoding="utf-8") as fh:
        write_master(doc, fh)
    for key, path in paths.items():
        tmp[key].replace(path)
    files = {k: str(p) for k, p in paths.items()}
    if labels is not None:
        files["documentation_truth"] = str(doc_truth)
    return SynthSummary(
        visits=visits,
        defective_visits=defective,
        appointments=appointments,
        patients=options.patients,
        as_of=as_of,
        files=files,
        defects_by_rule=dict(sorted(rules.items())),
        statuses=dict(sorted(statuses.items())),
    )
