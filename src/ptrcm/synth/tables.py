"""Reference tables of the synthetic clinic (package data ``data/synth.json``) and KX.

Conditions tie a discipline to typical ICD-10-CM diagnoses, evaluation codes, the timed
interventions with their minute ranges (low, most likely, high), modalities and the usual
length and frequency of an episode. Every diagnosis is checked against simple-icd-10-cm by
the tests, never by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

# Medicare therapy KX threshold by calendar year (reference §3; 2026 $2,480, 2025 $2,410).
KX_THRESHOLDS: dict[int, Decimal] = {
    2018: Decimal("2010.00"),
    2019: Decimal("2040.00"),
    2020: Decimal("2080.00"),
    2021: Decimal("2110.00"),
    2022: Decimal("2150.00"),
    2023: Decimal("2230.00"),
    2024: Decimal("2330.00"),
    2025: Decimal("2410.00"),
    2026: Decimal("2480.00"),
}


def kx_threshold(year: int) -> Decimal:
    """The KX threshold of ``year``; outside the known years, the nearest known year's."""
    known = min(max(year, min(KX_THRESHOLDS)), max(KX_THRESHOLDS))
    return KX_THRESHOLDS[known]


def kx_group(discipline: str) -> str:
    """Threshold group: PT and SLP share one amount, OT has its own."""
    return "OT" if discipline == "OT" else "PT_SLP"


@dataclass(frozen=True, slots=True)
class TimedChoice:
    code: str
    weight: int
    low: int
    mode: int
    high: int


@dataclass(frozen=True, slots=True)
class Condition:
    """A reason for therapy: discipline, diagnoses, interventions, episode shape."""

    id: str
    discipline: str
    weight: int
    ages: tuple[int, int]
    workers_comp: bool
    dx: tuple[tuple[str, ...], ...]
    extra: tuple[str, ...]
    evals: tuple[tuple[str, int], ...]
    timed: tuple[TimedChoice, ...]
    untimed: tuple[tuple[str, int], ...]
    modality_rate: float
    core: tuple[str, ...]
    visits: tuple[int, int]
    per_week: tuple[int, int]
    onset: tuple[int, int]
    companions: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Tables:
    first_names_f: tuple[str, ...]
    first_names_m: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[tuple[str, str, str], ...]
    locations: tuple[tuple[str, str, str, str, str, str, float], ...]
    invalid_diagnoses: tuple[str, ...]
    invalid_siblings: dict[str, str]  # valid code -> a code of its category that does not exist
    external_causes: tuple[str, ...]
    conditions: tuple[Condition, ...]

    def condition(self, condition_id: str) -> Condition:
        for c in self.conditions:
            if c.id == condition_id:
                return c
        raise KeyError(condition_id)


def _pair(raw: list[Any]) -> tuple[int, int]:
    return int(raw[0]), int(raw[1])


def _condition(raw: dict[str, Any]) -> Condition:
    return Condition(
        id=raw["id"],
        discipline=raw["discipline"],
        weight=int(raw["weight"]),
        ages=_pair(raw["ages"]),
        workers_comp=bool(raw["wc"]),
        dx=tuple(tuple(d) for d in raw["dx"]),
        extra=tuple(raw["extra"]),
        evals=tuple((c, int(w)) for c, w in raw["evals"]),
        timed=tuple(
            TimedChoice(c, int(w), int(lo), int(m), int(hi)) for c, w, lo, m, hi in raw["timed"]
        ),
        untimed=tuple((c, int(w)) for c, w in raw["untimed"]),
        modality_rate=float(raw["modality_rate"]),
        core=tuple(raw["core"]),
        visits=_pair(raw["visits"]),
        per_week=_pair(raw["per_week"]),
        onset=_pair(raw["onset"]),
        companions=tuple((c, float(p)) for c, p in raw.get("companions", [])),
    )


@cache
def load_tables() -> Tables:
    """The tables shipped with ptrcm (parsed once, on first use)."""
    text = resources.files("ptrcm.data").joinpath("synth.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return Tables(
        first_names_f=tuple(raw["first_names_f"]),
        first_names_m=tuple(raw["first_names_m"]),
        last_names=tuple(raw["last_names"]),
        streets=tuple(raw["streets"]),
        cities=tuple((c, s, z) for c, s, z in raw["cities"]),
        locations=tuple((i, n, a, c, s, z, float(f)) for i, n, a, c, s, z, f in raw["locations"]),
        invalid_diagnoses=tuple(raw["invalid_diagnoses"]),
        invalid_siblings=dict(raw["invalid_siblings"]),
        external_causes=tuple(raw["external_causes"]),
        conditions=tuple(_condition(c) for c in raw["conditions"]),
    )
