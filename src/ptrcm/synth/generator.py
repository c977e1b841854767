"""The synthetic clinic's public API: options, the per-patient stream, visit records.

Everything is derived from the seed: the clinic from one stream, each patient from a
stream named by the seed and the patient's number, and each patient's defects from a
third stream, so a clean run and a run with defects share the same clean visits. No
clock, no set iteration, no hash-order dependence: the same options give the same bytes.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ptrcm.config import Config, load_config
from ptrcm.domain.codes import load_catalog
from ptrcm.domain.fees import default_fee_schedule
from ptrcm.synth.clinic import build_clinic
from ptrcm.synth.defects import Defect, inject_defect
from ptrcm.synth.doc_defects import inject_doc_defects
from ptrcm.synth.documentation import Writer
from ptrcm.synth.schedule import StartSampler
from ptrcm.synth.story import WARM_UP_DAYS, Story, World, simulate_patient
from ptrcm.synth.tables import load_tables
from ptrcm.synth.visits import fee_map

Record = dict[str, Any]
DEFAULT_START = date(2025, 10, 1)
MAX_LOCATIONS = 5


@dataclass(frozen=True, slots=True)
class SynthOptions:
    """What to generate. ``start`` is the first day of the period of ``months`` months."""

    patients: int
    months: int
    seed: int = 0
    start: date = DEFAULT_START
    defect_rate: float = 0.08
    locations: int = 3
    # Documentation for the chart audit (synth/documentation.py): off by default, so the
    # visit records, their labels and every random stream are those of earlier releases.
    documentation: bool = False
    doc_defect_rate: float = 0.0  # share of episodes given one documentation defect

    def __post_init__(self) -> None:
        if self.patients < 1:
            raise ValueError("patients must be at least 1")
        if not 1 <= self.months <= 120:
            raise ValueError("months must be from 1 to 120")
        if not 0.0 <= self.defect_rate <= 1.0:
            raise ValueError("defect rate must be from 0 to 1")
        if not 0.0 <= self.doc_defect_rate <= 1.0:
            raise ValueError("documentation defect rate must be from 0 to 1")
        if not 1 <= self.locations <= MAX_LOCATIONS:
            raise ValueError(f"locations must be from 1 to {MAX_LOCATIONS}")

    @property
    def end(self) -> date:
        """The last day of the period."""
        months = self.start.month - 1 + self.months
        first_after = date(self.start.year + months // 12, months % 12 + 1, 1)
        if self.start.day != 1:
            first_after = first_after.replace(day=min(self.start.day, 28))
        return first_after - timedelta(days=1)


@dataclass(slots=True)
class PatientOutput:
    """One patient's share of every output file."""

    story: Story
    visits: list[Record] = field(default_factory=list)
    truth: list[Record] = field(default_factory=list)
    appointments: list[Record] = field(default_factory=list)
    doc_truth: list[Record] = field(default_factory=list)  # documentation defect labels


def build_world(options: SynthOptions, config: Config | None = None) -> World:
    """Clinic, staff and reference data for a run (cheap; built once per run)."""
    cfg = config or load_config()
    tables = load_tables()
    clinic = build_clinic(
        options.seed,
        options.patients,
        options.months,
        options.locations,
        cfg.clinic,
        cfg.payers,
        tables,
    )
    first = options.start - timedelta(days=WARM_UP_DAYS)
    sampler = StartSampler(first, options.end - timedelta(days=5))
    fees = fee_map(default_fee_schedule())
    return World(
        options.seed, clinic, tables, load_catalog(), fees, options.start, options.end, sampler
    )


def patient_output(world: World, options: SynthOptions, number: int) -> PatientOutput:
    """Simulate one patient and turn the in-period part into output records."""
    story = simulate_patient(world, number)
    out = PatientOutput(story)
    drng = random.Random(f"ptrcm-synth/{options.seed}/defects/{number}")
    start, end = options.start, options.end
    prefix = f"V-{number:06d}-"
    k = dup = 0
    writer = Writer(options.seed, number, story.patient.patient_id)
    for doc in story.visits:
        day = doc.appointment.day
        if not start <= day <= end:
            continue
        k += 1
        doc.record["visit_id"] = doc.appointment.visit_id = f"{prefix}{k:04d}"
        if options.documentation:
            doc.record["documentation"] = writer.document(doc.record)
        rows: list[tuple[Record, list[Defect]]] = [(doc.record, [])]
        if drng.random() < options.defect_rate:
            rows = inject_defect(drng, doc.record, doc.facts, world)
        for i, (rec, defects) in enumerate(rows):
            if i:
                dup += 1
                rec["visit_id"] = f"{prefix}{9000 + dup:04d}"
                if "documentation" in rec:  # a duplicate's own copy, edited on its own
                    rec["documentation"] = copy.deepcopy(rec["documentation"])
            out.visits.append(rec)
            out.truth.append(
                {"visit_id": rec["visit_id"], "defects": [d.to_json() for d in defects]}
            )
    out.appointments = appointment_records(story, start, end)
    if options.documentation and options.doc_defect_rate > 0:
        ddrng = random.Random(f"ptrcm-synth/{options.seed}/doc-defects/{number}")
        out.doc_truth = inject_doc_defects(ddrng, out.visits, options.doc_defect_rate)
    return out


def appointment_records(story: Story, start: date, end: date) -> list[Record]:
    """Every appointment of the period, in date and time order."""
    patient = story.patient
    rows = sorted(
        (
            (a.day, a.hour, a.minute, i, j)
            for i, ep in enumerate(story.episodes)
            for j, a in enumerate(ep.appointments)
            if start <= a.day <= end
        )
    )
    out = []
    for n, (day, hour, minute, i, j) in enumerate(rows, start=1):
        ep = story.episodes[i]
        a = ep.appointments[j]
        out.append(
            {
                "appointment_id": f"A-{patient.number:06d}-{n:04d}",
                "patient_id": patient.patient_id,
                "episode_id": ep.episode_id,
                "date": day.isoformat(),
                "start": f"{hour:02d}:{minute:02d}",
                "duration_minutes": 60 if a.kind == "evaluation" else 45,
                "location_id": ep.location.location_id,
                "therapist_id": a.therapist.therapist_id,
                "credential": a.therapist.credential,
                "discipline": ep.discipline,
                "payer_id": patient.payer_id,
                "type": a.kind,
                "status": a.status,
                "visit_id": a.visit_id,
            }
        )
    return out


def iter_patient_outputs(
    options: SynthOptions, config: Config | None = None
) -> Iterator[PatientOutput]:
    """Patients one at a time, numbered from 1, each with its visits, labels, appointments."""
    world = build_world(options, config)
    for number in range(1, options.patients + 1):
        yield patient_output(world, options, number)


def iter_visit_records(
    patients: int,
    months: int,
    seed: int = 0,
    defect_rate: float = 0.08,
    start: date = DEFAULT_START,
    locations: int = 3,
) -> Iterator[Record]:
    """Visit records (interchange-format dicts) generated lazily, patient by patient.

    For benchmarks: about 11 visits per patient, so 18,000 patients make some 200,000
    visits. The records share sub-objects (patient, rendering); copy before mutating.
    """
    options = SynthOptions(patients, months, seed, start, defect_rate, locations)
    for out in iter_patient_outputs(options):
        yield from out.visits
