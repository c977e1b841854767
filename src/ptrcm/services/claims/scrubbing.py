"""Scrub visits: build each visit's context, run the rule catalog, collect findings.

For each visit the service picks the payer's pack version in force on the date of
service (with the payer's overrides from ``ptrcm.toml``) and the ``PayerPolicy`` resolved
from it, and checks the lines that are billed: a stored claim's lines when the caller
passes them, otherwise the lines ``charging.charges_under`` makes under that policy (the
claim builder's own function). The rules also get the patient's earlier visits in the
same input (sorted by date of service, input order within a date) with their allowed
amounts for the KX count. Findings come back in input order of the visits, then by line
and rule.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, overload

from ptrcm.config import Config, PayerConfig
from ptrcm.domain.charges import Charges
from ptrcm.domain.claims import ClaimLine
from ptrcm.domain.codes import Catalog
from ptrcm.domain.fees import FeeSchedule, default_fee_schedule, parse_fee_schedule
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError
from ptrcm.rules.catalog import all_rules
from ptrcm.rules.engine import (
    DiagnosisCodes,
    Finding,
    Pack,
    PatientHistory,
    Rule,
    ScrubContext,
    Severity,
    rule_selected,
    run_rules,
)
from ptrcm.rules.kx import lines_allowed
from ptrcm.rules.packs import PackSeries
from ptrcm.rules.policy import PolicyBook
from ptrcm.services.claims.charging import charges_under

CHARGES_KEPT = 50_000  # visits whose charges a scrubber keeps (bounded, like the store's)


class _Earlier(Sequence[Visit]):
    """The first ``n`` visits of a shared, growing list: a patient's history, O(1) to make."""

    __slots__ = ("_items", "_n")

    def __init__(self, items: list[Visit], n: int) -> None:
        self._items = items
        self._n = n

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> Visit: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Visit]: ...

    def __getitem__(self, index: int | slice) -> Visit | Sequence[Visit]:
        if isinstance(index, slice):
            return self._items[: self._n][index]
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(index)
        return self._items[index]

    def __iter__(self) -> Iterator[Visit]:
        items = self._items
        for i in range(self._n):
            yield items[i]


@dataclass(frozen=True, slots=True)
class ScrubReport:
    visits: int
    findings: tuple[Finding, ...]
    charges: Mapping[str, Charges] = field(default_factory=dict)  # by visit id, on request

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def count_by_rule(self) -> dict[str, dict[str, int]]:
        """{rule: {severity: count}} in rule order."""
        out: dict[str, dict[str, int]] = {}
        for f in sorted(self.findings, key=lambda f: f.rule):
            per = out.setdefault(f.rule, {})
            per[f.severity.value] = per.get(f.severity.value, 0) + 1
        return out


class FeeSchedules:
    """Each payer's fee schedule: its ``fee_schedule`` CSV, else the built-in default."""

    def __init__(self, config: Config) -> None:
        self._base = Path(config.source).parent if os.path.isfile(config.source) else Path()
        self._loaded: dict[str, FeeSchedule] = {}

    def for_payer(self, payer: PayerConfig) -> FeeSchedule:
        if payer.fee_schedule is None:
            return default_fee_schedule()
        sched = self._loaded.get(payer.fee_schedule)
        if sched is None:
            path = self._base / payer.fee_schedule
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError.one(
                    str(path), None, None, f"cannot read ({exc.strerror})"
                ) from None
            sched = self._loaded[payer.fee_schedule] = parse_fee_schedule(text, str(path))
        return sched


def _constant(day: date) -> Callable[[Visit], date]:
    def as_of(_visit: Visit) -> date:
        return day

    return as_of


class Scrubber:
    """Runs the catalog over visit files; wire once per process (packs are cached).

    ``as_of`` is the date deadlines are measured to: one date for the whole file (the
    CLI), or a function of the visit (to replay daily scrubbing, e.g. the day after each
    date of service, as the accuracy benchmark does).
    """

    def __init__(
        self,
        config: Config,
        catalog: Catalog,
        diagnoses: DiagnosisCodes,
        as_of: date | Callable[[Visit], date],
        *,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        rules: Sequence[Rule] | None = None,
        packs: dict[str, PackSeries] | None = None,
    ) -> None:
        self.config = config
        self.catalog = catalog
        self.diagnoses = diagnoses
        self.as_of = as_of
        self._as_of = as_of if callable(as_of) else _constant(as_of)
        chosen = all_rules() if rules is None else rules
        sel = (*config.select, *select)
        ign = (*config.ignore, *ignore)
        self.rules = tuple(r for r in chosen if rule_selected(r.id, sel, ign))
        self.policies = PolicyBook(config, packs)
        self.packs = self.policies.packs
        self.fees = FeeSchedules(config)
        self._rank = {r.id: i for i, r in enumerate(self.rules)}
        # Charges by visit object: a stored visit is the same (immutable) object while its
        # record is unchanged (``ptrcm.store.parsed_visits``), so a weekly scrub does not
        # build a patient's whole history again. The visit is held, so its id is not reused.
        self._charges: dict[int, tuple[Visit, Charges]] = {}
        self._allowed: dict[int, tuple[Charges, FeeSchedule, Decimal]] = {}

    def _payer(self, visit: Visit, where: int) -> PayerConfig:
        payer = self.config.payer(visit.payer_id)
        if payer is None:
            raise InputError.one(
                "<visits>",
                where,
                "payer_id",
                f"visit {visit.visit_id} names payer {visit.payer_id!r}, which"
                f" {self.config.source} does not define",
            )
        return payer

    def charges_for(
        self, visit: Visit, payer: PayerConfig | None = None, pack: Pack | None = None
    ) -> Charges:
        """The lines billed for ``visit``: its payer's policy on the date of service, the
        claim builder's own charge function (``payer``/``pack`` are resolved anyway)."""
        held = self._charges.get(id(visit))
        if held is not None and held[0] is visit:
            return held[1]
        policy = self.policies.policy_for(visit)
        charges = charges_under(visit, policy, self.config.charge_for, self.catalog)
        if len(self._charges) >= CHARGES_KEPT:
            self._charges.clear()
        self._charges[id(visit)] = (visit, charges)
        return charges

    def _remember_allowed(self, visit: Visit, allowed: dict[str, Decimal]) -> None:
        """KX year to date counts a stored visit's allowed amounts as the rules would."""
        payer = self.config.payer(visit.payer_id)
        if payer is None:
            return
        pack = self.packs.for_visit(visit.payer_id, visit.date_of_service)
        if pack.param("kx_applies", False):
            charges = self.charges_for(visit, payer, pack)
            allowed[visit.visit_id] = self._lines_allowed(charges, self.fees.for_payer(payer))

    def _lines_allowed(self, charges: Charges, fees: FeeSchedule) -> Decimal:
        """``lines_allowed`` of the charges, kept per charges object (see ``_charges``)."""
        held = self._allowed.get(id(charges))
        if held is not None and held[0] is charges and held[1] is fees:
            return held[2]
        amount = lines_allowed(charges.lines, fees)
        if len(self._allowed) >= CHARGES_KEPT:
            self._allowed.clear()
        self._allowed[id(charges)] = (charges, fees, amount)
        return amount

    def scrub(
        self,
        visits: Sequence[Visit],
        keep_charges: bool = False,
        prior: Mapping[str, Sequence[Visit]] | None = None,
        claims: Mapping[str, Sequence[ClaimLine]] | None = None,
        only: Collection[str] | None = None,
    ) -> ScrubReport:
        """Findings for every visit, in input order of the visits, then line, then rule.

        ``keep_charges`` also returns each visit's charges (the fixer needs them).
        ``prior`` maps a patient id to visits already on file (e.g. in the database):
        they are history for the rules (KX year to date, visit counts, duplicates,
        progress reports) but are not scrubbed themselves. ``claims`` maps a visit id to
        its stored claim's lines: those are the lines checked for that visit. ``only``
        (visit ids) limits the checking to those visits: the others stay in place as the
        patients' history (same order, same allowed amounts), and yield no findings.
        """
        kept: dict[str, Charges] = {}
        position = {id(v): i for i, v in enumerate(visits)}
        by_patient: dict[str, list[Visit]] = {}
        for v in visits:
            by_patient.setdefault(v.patient_id, []).append(v)
        found: list[tuple[int, Finding]] = []
        earlier = prior or {}
        for patient_id, input_visits in by_patient.items():
            # Stored history first, so on a tie of dates the input visit counts as later.
            patient_visits = [*earlier.get(patient_id, ()), *input_visits]
            patient_visits.sort(key=lambda v: v.date_of_service)  # stable: input order
            allowed: dict[str, Decimal] = {}
            memo: dict[str, Any] = {}
            for n, visit in enumerate(patient_visits):
                where = position.get(id(visit))
                if where is None:  # history on file: only its allowed amounts are needed
                    self._remember_allowed(visit, allowed)
                    continue
                payer = self._payer(visit, where + 1)
                pack = self.packs.for_visit(visit.payer_id, visit.date_of_service)
                charges = self.charges_for(visit, payer, pack)
                if claims is not None and visit.visit_id in claims:
                    charges = stored_charges(charges, claims[visit.visit_id])
                fees = self.fees.for_payer(payer)
                checked = only is None or visit.visit_id in only
                if checked:
                    ctx = ScrubContext(
                        visit=visit,
                        charges=charges,
                        pack=pack,
                        payer=payer,
                        clinic=self.config.clinic,
                        as_of=self._as_of(visit),
                        catalog=self.catalog,
                        history=PatientHistory(
                            _Earlier(patient_visits, n), memo=memo, allowed=allowed
                        ),
                        diagnoses=self.diagnoses,
                        fees=fees,
                    )
                    found.extend((where, f) for f in run_rules(ctx, self.rules))
                if pack.param("kx_applies", False):
                    allowed[visit.visit_id] = self._lines_allowed(charges, fees)
                if keep_charges and checked:
                    kept[visit.visit_id] = charges
        rank = self._rank
        found.sort(key=lambda p: (p[0], p[1].line or 0, rank[p[1].rule], p[1].code or ""))
        return ScrubReport(len(visits), tuple(f for _, f in found), kept)


def stored_charges(made: Charges, stored: Sequence[ClaimLine]) -> Charges:
    """A stored claim's lines as the charges the rules check: code, modifiers, units,
    charge and pointers as stored (what is billed); the documented minutes and ptrcm's
    own unit count from the visit (``made``), matched by code (one line per code)."""
    documented = {line.code: line for line in made.lines}
    lines = []
    for line in stored:
        doc = documented.get(line.code)
        if doc is not None:
            line = replace(
                line,
                expected_units=doc.expected_units,
                minutes=doc.minutes,
                assistant_minutes=doc.assistant_minutes,
                rendering_npi=line.rendering_npi or doc.rendering_npi,
            )
        lines.append(line)
    return replace(made, lines=tuple(lines))
