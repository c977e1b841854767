"""Documentation of the synthetic clinic's visits: the ``documentation`` element that a
careful therapist would write, so the chart audit can be measured (benchmarks/audit_accuracy).

Written only when ``SynthOptions.documentation`` is set, from the finished clean record and
a stream of its own (``ptrcm-synth/<seed>/documentation/<patient>``): the visit records'
other fields and every other random stream are the same with or without it.

Every visit gets a daily note (each code with its minutes, totals, response, signature,
supervision on an assistant's visit); an evaluation or re-evaluation visit also gets the
evaluation and the plan of care (certified by the referring physician on the plan's
``certified_on``); a visit whose ``last_progress_report_visit`` is itself gets the progress
report. The narratives name the patient, the MRN, a phone number and the street address,
as real notes do, so the feedback report's de-identification has something to remove.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from ptrcm.domain.codes import load_catalog
from ptrcm.domain.visits import ASSISTANT_CREDENTIALS

Record = dict[str, Any]
_CODES = load_catalog()
MEASURES = {
    "PT": (("Oswestry Disability Index", "%", 20, 60), ("Timed Up and Go", " s", 9, 25),
           ("knee flexion AROM", " degrees", 70, 120), ("Lower Extremity Functional Scale",
                                                        "/80", 20, 60)),
    "OT": (("QuickDASH", "/100", 30, 70), ("grip strength", " lb", 15, 60),
           ("Canadian Occupational Performance Measure", "/10", 2, 6)),
    "SLP": (("Functional Oral Intake Scale", "/7", 2, 5), ("Western Aphasia Battery AQ", "/100",
                                                          40, 80)),
}  # fmt: skip
GOALS = {
    "PT": (("walk community distances", "walking distance", "1,000 feet without a device"),
           ("sit through a work meeting", "sitting tolerance", "60 minutes"),
           ("climb a flight of stairs", "stairs", "12 steps with one rail")),
    "OT": (("dress without help", "dressing", "independent upper-body dressing"),
           ("prepare a simple meal", "meal preparation", "independent with a 3-step recipe")),
    "SLP": (("eat a regular diet safely", "diet level", "regular solids, no sign of aspiration"),
            ("name everyday objects", "naming accuracy", "80% of 20 objects")),
}  # fmt: skip


def contact_of(seed: int, patient_id: str) -> tuple[str, str]:
    """The synthetic MRN and phone number of a patient (the notes quote them)."""
    rng = random.Random(f"ptrcm-synth/{seed}/contact/{patient_id}")
    return f"MRN{rng.randrange(10**7):07d}", f"(217) 555-{rng.randrange(10**4):04d}"


def _sig(who: Record, day: str) -> Record:
    return {"name": who.get("name") or "unknown", "credential": who["credential"], "date": day}


def _interventions(record: Record) -> tuple[list[Record], int]:
    minutes: dict[str, int | None] = {}
    for s in record["services"]:
        info = _CODES.get(s["code"])
        if info is not None and info.is_evaluation:
            continue
        if "minutes" in s:
            minutes[s["code"]] = (minutes.get(s["code"]) or 0) + int(s["minutes"])
        else:
            minutes.setdefault(s["code"], None)
    out = []
    for code, m in minutes.items():
        item: Record = {"code": code, "description": _describe(code)}
        if m is not None:
            item["minutes"] = m
        out.append(item)
    timed = sum(m or 0 for c, m in minutes.items() if _CODES.is_timed(c))
    return out, timed


def _describe(code: str) -> str:
    info = _CODES.get(code)
    return info.description if info is not None else f"service {code}"


class Writer:
    """Documentation for one patient's visits, from one seeded stream."""

    def __init__(self, seed: int, patient_number: int, patient_id: str) -> None:
        self.rng = random.Random(f"ptrcm-synth/{seed}/documentation/{patient_number}")
        self.mrn, self.phone = contact_of(seed, patient_id)
        self.baseline: dict[str, list[tuple[str, str, int]]] = {}

    def document(self, record: Record) -> Record:
        kind = record.get("visit_type", "treatment")
        day = record["date_of_service"]
        who = record["rendering"]
        out: Record = {}
        if kind in ("evaluation", "re-evaluation"):
            out["evaluation"] = self._evaluation(record, day, who)
            out["plan_of_care"] = self._plan(record, day, who)
        n, last = record.get("episode_visit_number"), record.get("last_progress_report_visit")
        if kind != "evaluation" and n is not None and n == last:
            out["progress_report"] = self._report(record, day, who)
        out["daily_note"] = self._note(record, day, who)
        return out

    def _person(self, record: Record) -> tuple[str, str, str]:
        p = record.get("patient") or {}
        address = (p.get("address") or {}).get("line1", "an unknown address")
        return p.get("first_name", "The patient"), p.get("last_name", ""), address

    def _evaluation(self, record: Record, day: str, who: Record) -> Record:
        first, last, street = self._person(record)
        disc = record["discipline"]
        picks = self.rng.sample(MEASURES[disc], k=min(2, len(MEASURES[disc])))
        self.baseline[disc] = [
            (name, unit, self.rng.randint(lo, hi)) for name, unit, lo, hi in picks
        ]
        return {
            "history": (
                f"{first} {last} ({self.mrn}), born {record['patient']['birth_date']}, lives at"
                f" {street} and can be reached at {self.phone}. Onset {record.get('onset_date')};"
                " symptoms began after a change in activity; prior level of function independent."
            ),
            "systems_review": "Cardiopulmonary, integumentary, musculoskeletal and neuromuscular"
            " screens reviewed; no red flags.",
            "tests_and_measures": [
                {"name": name, "value": f"{v}{unit}"} for name, unit, v in self.baseline[disc]
            ],
            "functional_limitations": f"{first} cannot "
            + self.rng.choice(GOALS[disc])[0]
            + " at baseline; limited by pain and reduced strength.",
            "complexity": self.rng.choice(("low", "moderate", "moderate", "high")),
            "signature": _sig(who, day),
        }

    def _plan(self, record: Record, day: str, who: Record) -> Record:
        disc = record["discipline"]
        plan = record.get("plan_of_care") or {}
        start = date.fromisoformat(plan.get("start", day))
        through = date.fromisoformat(plan.get("through", day))
        weeks = max(1, -(-(through - start).days // 7))
        goals = self.rng.sample(GOALS[disc], k=min(2, len(GOALS[disc])))
        referrer = record.get("referring") or {}
        name = referrer.get("name") or "Referring Physician MD"
        cert: Record = {"name": name, "credential": name.rsplit(" ", 1)[-1]}
        if referrer.get("npi"):
            cert["npi"] = referrer["npi"]
        if plan.get("certified_on"):
            cert["date"] = plan["certified_on"]
        codes = [i["code"] for i in _interventions(record)[0]]
        return {
            "diagnoses": list(record.get("diagnoses") or []),
            "goals": [
                {"text": text, "measure": measure, "target": target, "term": "long"}
                for text, measure, target in goals
            ],
            "treatment_types": [disc, *codes],
            "amount_per_day": 1,
            "frequency_per_week": self.rng.randint(1, 3),
            "duration_weeks": weeks,
            "signature": _sig(who, day),
            "certification": cert,
        }

    def _report(self, record: Record, day: str, who: Record) -> Record:
        disc = record["discipline"]
        base = self.baseline.get(disc) or [
            (name, unit, self.rng.randint(lo, hi)) for name, unit, lo, hi in MEASURES[disc][:1]
        ]
        first, _, _ = self._person(record)
        return {
            "measures": [
                {
                    "name": name,
                    "baseline": f"{v}{unit}",
                    "current": f"{max(0, v - self.rng.randint(1, 10))}{unit}",
                }
                for name, unit, v in base
            ],
            "goals": [
                {"text": text, "term": "long", "status": self.rng.choice(("progressing", "met"))}
                for text, _, _ in GOALS[disc][:1]
            ],
            "justification": f"{first} still needs skilled care: function improving but below"
            " the goals; the next period progresses loading and independence.",
            "signature": _sig(who, day),
        }

    def _note(self, record: Record, day: str, who: Record) -> Record:
        interventions, timed = _interventions(record)
        first, last, _ = self._person(record)
        note: Record = {
            "interventions": interventions,
            "total_timed_minutes": timed,
            "total_treatment_minutes": max(timed, int(record.get("total_treatment_minutes") or 0)),
            "response": f"{first} {last} tolerated the session; "
            + self.rng.choice(
                (
                    "pain eased afterwards.",
                    "moved more easily by the end.",
                    "needed fewer cues than last visit.",
                )
            ),
            "signature": _sig(who, day),
        }
        if who.get("credential") in ASSISTANT_CREDENTIALS:
            note["supervision"] = "Supervising therapist on site; plan reviewed before the session."
        return note
