"""Documentation of kept appointments: the visit records of the interchange format.

A clean visit is billed the way a careful biller would: units from the unit engine with
the payer's method, GP/GO/GN on every line, CQ/CO on the units an assistant furnished in
whole or in part, decided per billed unit (PT and OT only; a split code is two entries),
the supervising therapist named on an assistant's visit, KX on every line once the Medicare
year-to-date allowed amount of the threshold group goes past the year's threshold, no
NCCI pair billed on one date, no code twice on one date for the patient, and every
counter (episode visit, progress report, authorization, annual visits) kept honestly.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ptrcm.config import PayerConfig
from ptrcm.domain.assistants import assistant_units, final_unit_rule_on
from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.codes import Catalog, load_catalog
from ptrcm.domain.contracts import default_contract, expected_allowed
from ptrcm.domain.fees import FeeSchedule
from ptrcm.domain.money import Money
from ptrcm.domain.units import UnitMethod, UnitResult, compute_units
from ptrcm.domain.visits import ASSISTANT_MODIFIER, DISCIPLINE_MODIFIER
from ptrcm.synth.clinic import Patient, Therapist
from ptrcm.synth.schedule import Appointment, Episode
from ptrcm.synth.tables import kx_group, kx_threshold

Record = dict[str, Any]
_TIMED_15 = load_catalog().timed_15
Doc = tuple[str, int | None, int]  # code, minutes (timed codes only), assistant minutes

# Pairs never billed together in a clean visit (reference §4), in both directions.
NCCI_PAIRS = (
    ("97140", "97530"),
    ("97161", "97140"),
    ("97162", "97140"),
    ("97163", "97140"),
    ("97530", "97164"),
    ("97012", "97140"),
    ("97530", "97168"),
)
CONFLICTS: dict[str, frozenset[str]] = {}
for _a, _b in NCCI_PAIRS:
    CONFLICTS[_a] = CONFLICTS.get(_a, frozenset()) | {_b}
    CONFLICTS[_b] = CONFLICTS.get(_b, frozenset()) | {_a}
REEVAL = {"PT": "97164", "OT": "97168"}
NOT_IN_TELEHEALTH = frozenset({"97140", "97035", "97032", "97012", "97016", "97018", "97010"})
TIMED_COUNT = ((2, 35), (3, 50), (4, 15))


@dataclass(slots=True)
class EpisodeState:
    number: int = 0
    last_report: int = 0
    report_every: int = 9
    plan: Record | None = None
    plan_initial: bool = True
    plans: list[Record] = field(default_factory=list)
    auth: Record | None = None
    auth_used: int = 0
    auths: list[Record] = field(default_factory=list)


@dataclass(slots=True)
class Ledger:
    """What one patient has used so far: KX amounts, annual visits, codes per date."""

    first_year: int
    prior_ytd: Decimal
    visit_limit: int | None
    ytd: dict[tuple[int, str], Decimal] = field(default_factory=dict)
    year_visits: dict[int, int] = field(default_factory=dict)
    codes_on: dict[date, list[str]] = field(default_factory=dict)
    verified: date | None = None

    def ytd_before(self, year: int, group: str) -> Decimal:
        prior = self.prior_ytd if year == self.first_year else Decimal(0)
        return prior + self.ytd.get((year, group), Decimal(0))


@dataclass(frozen=True, slots=True)
class Facts:
    """What defect injection needs to know about a clean visit beyond its record."""

    method: UnitMethod
    payer: PayerConfig
    ytd_before: Decimal | None
    threshold: Decimal | None
    kx: bool
    initial_plan: bool
    other_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Billing:
    catalog: Catalog
    fees: FeeSchedule


def bill_services(
    docs: Sequence[Doc],
    discipline: str,
    method: UnitMethod,
    kx: bool,
    catalog: Catalog,
    pointers: list[int],
) -> tuple[list[Record], int]:
    """Service lines with units and modifiers, and the total timed minutes."""
    result = compute_units([(c, m) for c, m, _ in docs], method, catalog)
    return lines_for(docs, discipline, result.units, kx, pointers), result.total_timed_minutes


def lines_for(
    docs: Sequence[Doc],
    discipline: str,
    units: dict[str, int],
    kx: bool,
    pointers: list[int],
    day: date | None = None,
) -> list[Record]:
    """Service lines from documented services and the units the engine gave them.

    CQ/CO goes on the units the assistant furnished in whole or in part, decided per
    billed unit (``domain.assistants``); a code partly furnished by the assistant is billed
    as two entries, the assistant's minutes with CQ/CO and the therapist's without.
    """
    disc = DISCIPLINE_MODIFIER[discipline]
    assist = ASSISTANT_MODIFIER.get(discipline)
    rule = final_unit_rule_on(day) if day is not None else "threshold"
    lines: list[Record] = []
    for code, minutes, assistant in docs:
        billed = units.get(code, 1) or 1
        with_mod = 0
        if minutes is not None and assistant and assist is not None:
            with_mod = assistant_units(
                billed, minutes, assistant, timed=code in _TIMED_15, final_unit_rule=rule
            )
        parts: list[tuple[int | None, int, int, list[str]]] = []
        if 0 < with_mod < billed and minutes is not None:
            parts.append((minutes - assistant, 0, billed - with_mod, [disc]))
            parts.append((assistant, assistant, with_mod, [disc, str(assist)]))
        else:
            mods = [disc, str(assist)] if with_mod else [disc]
            parts.append((minutes, assistant if minutes is not None else 0, billed, mods))
        for mins, asst, n, mods in parts:
            line: Record = {"code": code}
            if mins is not None:
                line["minutes"] = mins
                if asst:
                    line["assistant_minutes"] = asst
            line["units"] = n
            line["modifiers"] = [*mods, "KX"] if kx else list(mods)
            line["dx_pointers"] = pointers
            lines.append(line)
    return lines


def settle_units(
    docs: list[Doc], method: UnitMethod, catalog: Catalog
) -> tuple[list[Doc], UnitResult]:
    """Drop documented timed codes that earn no unit (they are not billed)."""
    while True:
        result = compute_units([(c, m) for c, m, _ in docs], method, catalog)
        units = result.units
        keep = [d for d in docs if d[1] is None or units.get(d[0], 0) > 0]
        if len(keep) == len(docs):
            return docs, result
        docs = keep


def allowed_amount(lines: Sequence[Record], fees: Mapping[str, Decimal]) -> Decimal:
    """Allowed amount of the lines as Medicare allows them: fee x units after MPPR and
    the CQ/CO reduction (what the KX threshold counts, as the scrubber does)."""
    schedule = FeeSchedule("synth", {c: Money(a) for c, a in fees.items()})
    contract = replace(
        default_contract("SYNTH", "medicare", schedule, sequestration_rate=Decimal(0)),
        lesser_of_charge=False,
    )
    claim_lines = [
        ClaimLine(i, _ANY_DAY, ln["code"], tuple(ln.get("modifiers", ())), ln["units"],
                  ln["units"], Money.zero(), (1,))
        for i, ln in enumerate(lines, start=1)
    ]  # fmt: skip
    return sum((e.allowed.amount for e in expected_allowed(claim_lines, contract)), Decimal(0))


_ANY_DAY = date(2026, 1, 1)  # after 2022: the CQ/CO reduction applies


def fee_map(schedule: FeeSchedule) -> dict[str, Decimal]:
    return {code: money.amount for code, money in schedule.allowed.items()}


def _pick(rng: random.Random, choices: Sequence[tuple[str, int]], exclude: set[str]) -> str | None:
    pool = [(c, w) for c, w in choices if c not in exclude]
    if not pool:
        return None
    x = rng.random() * sum(w for _, w in pool)
    for c, w in pool:
        x -= w
        if x < 0:
            return c
    return pool[-1][0]


def _blocked(code: str) -> set[str]:
    return set(CONFLICTS.get(code, frozenset())) | {code}


def document_services(
    rng: random.Random,
    ep: Episode,
    kind: str,
    medicare: bool,
    telehealth: bool,
    assistant: bool,
    taken: Sequence[str],
    reeval_code: str | None,
) -> tuple[list[Doc], int]:
    """Documented services of one visit and its untimed minutes."""
    docs, untimed_minutes, n_timed = _anchor_services(rng, ep, kind, reeval_code)
    exclude: set[str] = set(taken)
    for anchor, _, _ in docs:
        exclude |= _blocked(anchor)
    if kind != "evaluation" and ep.condition.core:
        for core in ep.condition.core:
            if core not in exclude:
                docs.append((core, None, 0))
                exclude.add(core)
                untimed_minutes += rng.randint(30, 45)
        n_timed = 1 if rng.random() < 0.35 else 0
    if telehealth:
        exclude |= NOT_IN_TELEHEALTH
    _add_timed(rng, ep, n_timed, assistant, docs, exclude)
    cond = ep.condition
    if kind == "treatment" and not telehealth and rng.random() < cond.modality_rate:
        picked = _pick(rng, cond.untimed, exclude)
        code = None if picked is None else _payer_variant(picked, medicare)
        if code is not None and code not in exclude:
            docs.append((code, None, 0))
            untimed_minutes += rng.randint(8, 15)
    return docs, untimed_minutes


def _anchor_services(
    rng: random.Random, ep: Episode, kind: str, reeval_code: str | None
) -> tuple[list[Doc], int, int]:
    """The evaluation or re-evaluation code, its minutes, and how many timed codes follow."""
    if kind == "evaluation":
        n_timed = 1 if ep.discipline != "SLP" and rng.random() < 0.5 else 0
        return [(ep.eval_code, None, 0)], rng.randint(25, 50), n_timed
    if reeval_code is not None:
        return [(reeval_code, None, 0)], rng.randint(15, 30), rng.randint(1, 2)
    x = rng.random() * 100
    return [], 0, 2 if x < 35 else (3 if x < 85 else 4)


def _add_timed(
    rng: random.Random,
    ep: Episode,
    n_timed: int,
    assistant: bool,
    docs: list[Doc],
    exclude: set[str],
) -> None:
    by_code = {t.code: t for t in ep.condition.timed}
    weights = [(t.code, t.weight) for t in ep.condition.timed]
    for _ in range(n_timed):
        code = _pick(rng, weights, exclude)
        if code is None:
            return
        exclude |= _blocked(code)
        t = by_code[code]
        minutes = int(rng.triangular(t.low, t.high + 1, t.mode))
        docs.append((code, minutes, _assistant_minutes(rng, minutes, assistant)))
        if code == "97129" and "97130" not in exclude and rng.random() < 0.6:
            docs.append(("97130", rng.randint(15, 30), 0))
            exclude.add("97130")


def _payer_variant(code: str, medicare: bool) -> str | None:
    """Medicare wants G0283 for unattended e-stim and does not pay hot/cold packs."""
    if medicare:
        return {"97014": "G0283", "97010": None}.get(code, code)
    return "97014" if code == "G0283" else code


def _assistant_minutes(rng: random.Random, minutes: int, assistant: bool) -> int:
    if not assistant:
        return 0
    if rng.random() < 0.7:
        return minutes
    return rng.randint(-(-minutes // 5), minutes)  # at least 20 %: clearly over 10 %


def rendering_for(ep: Episode, appt: Appointment, needs_therapist: bool) -> Therapist:
    """The appointment's clinician, or the episode's therapist when a therapist must write."""
    if needs_therapist and appt.therapist.is_assistant:
        return ep.therapist
    return appt.therapist


def new_plan(rng: random.Random, ep: Episode, day: date, initial: bool) -> Record:
    weeks = -(-ep.target_visits // ep.per_week) + 2
    days = min(89, weeks * 7) if initial else rng.randint(28, 89)
    signed = int(rng.triangular(1, 29, 5)) if initial else rng.randint(1, 21)
    return {
        "start": day.isoformat(),
        "certified_on": (day + timedelta(days=signed)).isoformat(),
        "through": (day + timedelta(days=days)).isoformat(),
    }


def new_authorization(rng: random.Random, patient: Patient, day: date) -> Record:
    span = rng.choice((59, 59, 89))
    return {
        "number": f"AU{patient.number % 1000:03d}{rng.randrange(10**6):06d}",
        "visits_authorized": rng.choice((8, 10, 12, 12, 16, 20)),
        "visits_used": 0,
        "start": day.isoformat(),
        "end": (day + timedelta(days=span)).isoformat(),
    }


def threshold_for(payer: PayerConfig, year: int) -> Decimal | None:
    return kx_threshold(year) if payer.payer_class == "medicare" else None


def kx_state(ledger: Ledger, payer: PayerConfig, day: date, discipline: str) -> Decimal | None:
    if payer.payer_class != "medicare":
        return None
    return ledger.ytd_before(day.year, kx_group(discipline))
