"""The scrubber's engine: rule specs, findings, the per-visit context, and the run loop.

A rule is a small pure function ``check(ctx) -> Iterable[Hit]``. The engine turns hits
into ``Finding`` values carrying the rule id, the severity the payer's pack sets, the
source the rule enforces and the pack name and version. Rules run in catalog order, so
output is deterministic. Checks only report; a ``Fix`` on a hit is a description of a
safe change that ``rules.fixes`` applies separately.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from ptrcm.config import Clinic, PayerConfig
from ptrcm.domain.charges import Charges
from ptrcm.domain.codes import Catalog
from ptrcm.domain.fees import FeeSchedule, default_fee_schedule
from ptrcm.domain.visits import Visit

T = TypeVar("T")


class Severity(StrEnum):
    ERROR = "error"  # blocks release of the claim
    WARNING = "warning"  # needs a person's review
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe automatic change, as data. ``kind`` is one of the operations in rules.fixes."""

    # set_units (value: int, or None to let ptrcm compute) | add_modifier | remove_modifier |
    # replace_modifier (value: (old, new)) | replace_code | drop_service |
    # set_total_timed_minutes
    kind: str
    description: str
    code: str | None = None
    value: Any = None


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check returns: the engine adds rule id, severity, source and pack."""

    message: str
    line: int | None = None  # 1-based claim line number, or None for the whole visit
    code: str | None = None
    fix: Fix | None = None
    severity: Severity | None = None  # only for rules whose severity depends on the case


@dataclass(frozen=True, slots=True)
class Finding:
    visit_id: str
    line: int | None
    code: str | None
    rule: str
    severity: Severity
    message: str
    fix: Fix | None
    source: str
    pack: str

    def to_json(self) -> dict[str, Any]:
        """The contract shape of ``ptrcm scrub --format json`` (plus source and pack)."""
        return {
            "visit_id": self.visit_id,
            "line": self.line,
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "fix": None if self.fix is None else self.fix.description,
            "source": self.source,
            "pack": self.pack,
        }


class DiagnosisCodes(Protocol):
    """ICD-10-CM lookups (adapter: simple-icd-10-cm)."""

    def exists(self, code: str) -> bool: ...

    def is_billable(self, code: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Pack:
    """One version of a payer's policy, chosen by date of service."""

    name: str
    version: str
    effective_from: date
    params: Mapping[str, Any]
    severities: Mapping[str, Severity] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    unverified: frozenset[str] = frozenset()  # parameter names the reference marks [U]
    # Lookup tables rules derive from params (built once per pack, not per visit).
    _derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def param(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    def derived(self, key: str, build: Callable[[Pack], T]) -> T:
        """``build(self)``, computed once per pack: for indexes over large parameters.

        ``key`` must name what ``build`` computes; the result must not be mutated.
        """
        try:
            value: T = self._derived[key]
        except KeyError:
            value = self._derived[key] = build(self)
        return value


@dataclass(frozen=True, slots=True)
class PatientHistory:
    """Earlier visits of the same patient (input file and/or database), oldest first."""

    prior_visits: Sequence[Visit] = ()
    # Values rules derive from prior visits, shared by all visits of the patient in one
    # run (key: helper name and visit id), so history is not re-derived for every visit.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Allowed amount of each prior visit by visit id (payer's fee schedule x billed units),
    # precomputed by the scrub service; rules fall back to computing it when absent.
    allowed: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScrubContext:
    visit: Visit
    charges: Charges
    pack: Pack
    payer: PayerConfig
    clinic: Clinic
    as_of: date
    catalog: Catalog
    history: PatientHistory
    diagnoses: DiagnosisCodes
    fees: FeeSchedule = field(default_factory=default_fee_schedule)
    # Values several rules derive from this visit (computed once per visit).
    _derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def derived(self, key: str, build: Callable[[ScrubContext], T]) -> T:
        """``build(self)``, computed once per visit (e.g. the KX year-to-date count)."""
        try:
            value: T = self._derived[key]
        except KeyError:
            value = self._derived[key] = build(self)
        return value


Check = Callable[[ScrubContext], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    severity: Severity
    source: str
    check: Check
    example: str  # a case that fires, in words, for docs/rules.md

    @property
    def family(self) -> str:
        return self.id[0]


def rule_selected(rule_id: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Linter-style selection: ids or prefixes ("M", "N00"); ignore wins over select."""
    if any(rule_id.startswith(p) for p in ignore):
        return False
    return not select or any(rule_id.startswith(p) for p in select)


def _enabled(pack: Pack, rules: Sequence[Rule]) -> list[tuple[Rule, Severity]]:
    return [(r, pack.severities.get(r.id, r.severity)) for r in rules if r.id not in pack.disabled]


def run_rules(ctx: ScrubContext, rules: Sequence[Rule]) -> list[Finding]:
    """Findings for one visit: every selected rule the pack enables, in catalog order."""
    findings: list[Finding] = []
    pack = ctx.pack
    enabled = pack.derived(f"enabled:{id(rules)}", lambda p: (rules, _enabled(p, rules)))
    if enabled[0] is not rules:  # another sequence reused the id: do not trust the cache
        enabled = (rules, _enabled(pack, rules))
    visit_id = ctx.visit.visit_id
    for rule, default in enabled[1]:
        for hit in rule.check(ctx):
            findings.append(
                Finding(
                    visit_id=visit_id,
                    line=hit.line,
                    code=hit.code,
                    rule=rule.id,
                    severity=hit.severity or default,
                    message=hit.message,
                    fix=hit.fix,
                    source=rule.source,
                    pack=pack.label,
                )
            )
    return findings


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.visit_id, f.line or 0, f.rule))
