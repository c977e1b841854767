"""The claim lifecycle as use cases: build, scrub (with safe fixes), release, submit.

* ``build_claims`` turns imported visits that no claim names yet into claims (state
  ``built``); self-pay visits are not billed to a payer, and a visit an 837 cannot carry
  (no diagnosis, no member id...) is reported, not built.
* ``scrub_claims`` runs the scrubber on built and held claims' visits with the patients'
  stored history: ``scrubbed`` then ``ready`` (no error) or ``held``. With ``fix`` the safe
  fixes are applied to a held claim's visit, the claim is rebuilt and scrubbed again.
  Every run and its findings are stored (``scrub_runs``/``scrub_findings``).
* ``release_claim``: a biller moves a held claim to ``ready``; a reason is required.
* ``submit_claims`` writes ready claims into one 837 per payer in the outbox, control
  numbers from the store, a batch row per file, state ``submitted`` — all in one
  transaction, and the file is renamed into place only after the commit, so a claim is
  never submitted twice nor a file left without its batch.

Every state change is a recorded transition: actor, time (the unit of work's clock) and
reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from ptrcm.config import Config
from ptrcm.domain.charges import Charges
from ptrcm.domain.claims import Claim
from ptrcm.domain.codes import Catalog
from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, Transition, apply_event
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError, PtrcmError
from ptrcm.rules.engine import Finding, Severity
from ptrcm.rules.fixes import fix_visits
from ptrcm.services.claim_building import build_claim, claim_id_for, claim_problems
from ptrcm.services.claim_output import envelope_settings
from ptrcm.services.ports import SourcedVisit
from ptrcm.services.scrubbing import Scrubber
from ptrcm.store.claim_facts import refresh_claim_facts
from ptrcm.store.claims_lifecycle import ClaimHead, ClaimsUnitOfWork
from ptrcm.x12.write837p import Billing, write_837p

UnitOfWorkFactory = Callable[[], ClaimsUnitOfWork]
FIX_SOURCE = "ptrcm claims scrub --fix"


@dataclass(slots=True)
class BuildResult:
    built: list[str] = field(default_factory=list)
    self_pay: int = 0
    not_billable: list[tuple[str, str]] = field(default_factory=list)  # (visit id, reason)


@dataclass(slots=True)
class ScrubResult:
    scrubbed: int = 0
    clean_first_time: int = 0
    ready: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    fixed: int = 0
    errors_by_rule: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Batch:
    file: Path
    payer: str
    claims: tuple[str, ...]
    total: Decimal
    isa: int


class _Recording:
    """Store control numbers, remembering the ones this file took."""

    def __init__(self, uow: ClaimsUnitOfWork) -> None:
        self.uow = uow
        self.isa = self.gs = 0
        self.st: list[int] = []

    def next_interchange(self) -> int:
        self.isa = self.uow.control_numbers.next("ISA")
        return self.isa

    def next_group(self) -> int:
        self.gs = self.uow.control_numbers.next("GS")
        return self.gs

    def next_transaction(self) -> int:
        self.st.append(self.uow.control_numbers.next("ST"))
        return self.st[-1]


def _step(uow: ClaimsUnitOfWork, head: ClaimHead, state: ClaimState, event: ClaimEvent,
          reason: str = "") -> tuple[int, int | None, Transition]:  # fmt: skip
    return (
        head.id,
        head.version_id,
        apply_event(head.pcn, state, event, uow.actor, uow.clock(), reason),
    )


def build_claims(
    unit_of_work: UnitOfWorkFactory,
    config: Config,
    catalog: Catalog,
    *,
    through: date | None = None,
) -> BuildResult:
    """Claims (state built) for every imported visit not billed yet; see module doc.

    ``through`` limits them to visits on or before that date (a clinic bills the week's
    visits, not next month's).
    """
    result = BuildResult()
    with unit_of_work() as uow:
        built: list[Claim] = []
        for visit in uow.lifecycle.unbilled_visits(claim_id_for):
            if through is not None and visit.date_of_service > through:
                continue
            payer = config.payer(visit.payer_id)
            if payer is not None and payer.payer_class == "self_pay":
                result.self_pay += 1
                continue
            try:
                claim = build_claim(visit, config, catalog)
            except InputError as exc:
                result.not_billable.append((visit.visit_id, exc.problems[0].message))
                continue
            problems = claim_problems(claim, "store:visits")
            if problems:
                result.not_billable.append((visit.visit_id, problems[0].message))
                continue
            built.append(claim)
        ids = uow.claims.add_claims(built, state=ClaimState.BUILT.value)
        uow.lifecycle.record_created(ids, ClaimState.BUILT.value, "built from visit {pcn}")
        refresh_claim_facts(uow.connection, uow.org_id, ids.values())
        uow.commit()
    result.built = [c.claim_id for c in built]
    return result


def _history(uow: ClaimsUnitOfWork, targets: Sequence[Visit]) -> list[Visit]:
    return uow.lifecycle.visits_of_patients(v.patient_id for v in targets)


def _scrub(
    scrubber: Scrubber, history: list[Visit], wanted: set[str], keep: bool
) -> tuple[dict[str, list[Finding]], Mapping[str, Charges]]:
    report = scrubber.scrub(history, keep_charges=keep)
    found: dict[str, list[Finding]] = {v: [] for v in wanted}
    for f in report.findings:
        if f.visit_id in found:
            found[f.visit_id].append(f)
    return found, report.charges


def _has_error(found: Sequence[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in found)


def scrub_claims(
    unit_of_work: UnitOfWorkFactory,
    scrubber: Scrubber,
    config: Config,
    catalog: Catalog,
    *,
    fix: bool = False,
    states: Sequence[ClaimState] = (ClaimState.BUILT, ClaimState.HELD),
) -> ScrubResult:
    """Scrub built and held claims (or only ``states``); see the module docstring."""
    result = ScrubResult()
    with unit_of_work() as uow:
        heads = uow.lifecycle.claims_in([state.value for state in states])
        by_visit = {h.visit_ids[0]: h for h in heads if h.visit_ids}
        targets = list(uow.lifecycle.visits_by_id(by_visit).values())
        history = _history(uow, targets)
        found, charges = _scrub(scrubber, history, set(by_visit), fix)
        steps: list[tuple[int, int | None, Transition]] = []
        runs: list[tuple[int, int, Sequence[Finding]]] = []
        held: dict[str, Visit] = {}
        for visit in targets:
            head = by_visit[visit.visit_id]
            errors = _has_error(found[visit.visit_id])
            number = uow.lifecycle.scrub_run_count(head.id) + 1
            runs.append((head.id, number, found[visit.visit_id]))
            if number == 1 and not errors:
                result.clean_first_time += 1
            for f in found[visit.visit_id]:
                if f.severity is Severity.ERROR:
                    result.errors_by_rule[f.rule] = result.errors_by_rule.get(f.rule, 0) + 1
            steps.append(_step(uow, head, ClaimState(head.state), ClaimEvent.SCRUB))
            event = ClaimEvent.ERRORS if errors else ClaimEvent.CLEAN
            steps.append(_step(uow, head, ClaimState.SCRUBBED, event))
            if errors:
                held[visit.visit_id] = visit
        result.scrubbed = len(targets)
        if fix and held:
            _fix_held(uow, scrubber, config, catalog, held, found, charges, by_visit, steps, runs,
                      result)  # fmt: skip
        uow.lifecycle.record_transitions(steps)
        uow.lifecycle.add_scrub_runs(runs)
        refresh_claim_facts(uow.connection, uow.org_id, [h.id for h in heads])
        uow.commit()
    final = {}
    for _cid, _vid, t in steps:
        final[t.claim_id] = t.to_state
    result.ready = sorted(p for p, s in final.items() if s is ClaimState.READY)
    result.held = sorted(p for p, s in final.items() if s is ClaimState.HELD)
    return result


def _fix_held(
    uow: ClaimsUnitOfWork, scrubber: Scrubber, config: Config, catalog: Catalog,
    held: dict[str, Visit], found: dict[str, list[Finding]], charges: Mapping[str, Charges],
    by_visit: dict[str, ClaimHead], steps: list[tuple[int, int | None, Transition]],
    runs: list[tuple[int, int, Sequence[Finding]]], result: ScrubResult,
) -> None:  # fmt: skip
    """Apply safe fixes to held claims' visits, rebuild, scrub again (run number + 1)."""
    flat = [f for v in held for f in found[v]]
    results = fix_visits(list(held.values()), flat, dict(charges))
    fixed = [r for r in results if r.changed]
    if not fixed:
        return
    uow.visits.upsert([SourcedVisit(r.visit, FIX_SOURCE, None) for r in fixed])
    result.fixed = len(fixed)
    rebuilt: dict[str, Claim] = {}
    for r in fixed:
        try:
            claim = build_claim(r.visit, config, catalog)
        except PtrcmError:
            continue
        if not claim_problems(claim, "store:visits"):
            rebuilt[r.visit.visit_id] = claim
    history = _history(uow, [r.visit for r in fixed])
    again, _ = _scrub(scrubber, history, set(rebuilt), False)
    numbers = {cid: n for cid, n, _ in runs}
    for visit_id, claim in rebuilt.items():
        head = by_visit[visit_id]
        uow.lifecycle.replace_lines(head.id, head.version_id, claim)
        runs.append((head.id, numbers[head.id] + 1, again[visit_id]))
        reason = f"safe fixes: {', '.join(sorted({f.rule for f in found[visit_id] if f.fix}))}"
        steps.append(_step(uow, head, ClaimState.HELD, ClaimEvent.SCRUB, reason))
        event = ClaimEvent.ERRORS if _has_error(again[visit_id]) else ClaimEvent.CLEAN
        steps.append(_step(uow, head, ClaimState.SCRUBBED, event))


def release_claim(unit_of_work: UnitOfWorkFactory, pcn: str, reason: str) -> None:
    """A biller releases a held claim to ready; ``InputError`` without a reason."""
    if not reason.strip():
        raise InputError.one("--reason", None, "reason", "a release needs a reason")
    with unit_of_work() as uow:
        heads = [h for h in uow.lifecycle.claims_in([ClaimState.HELD.value]) if h.pcn == pcn]
        if not heads:
            raise InputError.one("claims", None, "pcn", f"no held claim {pcn!r}")
        step = _step(uow, heads[0], ClaimState.HELD, ClaimEvent.RELEASE, reason.strip())
        uow.lifecycle.record_transitions([step])
        refresh_claim_facts(uow.connection, uow.org_id, [heads[0].id])
        uow.commit()


def submit_claims(
    unit_of_work: UnitOfWorkFactory,
    config: Config,
    catalog: Catalog,
    outbox: str | os.PathLike[str],
    *,
    through: date | None = None,
) -> list[Batch]:
    """Ready claims (first date of service up to ``through``) as one 837 per payer."""
    folder = Path(outbox)
    folder.mkdir(parents=True, exist_ok=True)
    done: list[Batch] = []
    pending: list[Path] = []
    try:
        with unit_of_work() as uow:
            heads = uow.lifecycle.claims_in([ClaimState.READY.value])
            if through is not None:
                heads = [h for h in heads if h.first_date_of_service <= through]
            by_payer: dict[str, list[ClaimHead]] = {}
            for h in heads:
                by_payer.setdefault(h.payer, []).append(h)
            for payer_id in sorted(by_payer):
                batch, tmp = _write_batch(uow, config, catalog, folder, by_payer[payer_id])
                done.append(batch)
                pending.append(tmp)
            refresh_claim_facts(uow.connection, uow.org_id, [h.id for h in heads])
            uow.commit()
    except BaseException:
        for tmp in pending:
            tmp.unlink(missing_ok=True)
        raise
    for tmp in pending:
        os.replace(tmp, tmp.with_name(tmp.name.removesuffix(".tmp")))
    return done


def _write_batch(
    uow: ClaimsUnitOfWork, config: Config, catalog: Catalog, folder: Path, heads: list[ClaimHead]
) -> tuple[Batch, Path]:
    visits = uow.lifecycle.visits_by_id(h.visit_ids[0] for h in heads)
    built = [replace(build_claim(visits[h.visit_ids[0]], config, catalog), claim_id=h.pcn)
             for h in heads]  # fmt: skip
    now = uow.clock()
    controls = _Recording(uow)
    text = write_837p(built, Billing(config.clinic, config.payers),
                      envelope_settings(config, built), controls, now)  # fmt: skip
    name = f"{heads[0].payer}-{controls.isa:09d}.837"
    tmp = folder / f"{name}.tmp"
    tmp.write_text(text, encoding="ascii", newline="")
    total = sum((c.total_charge.amount for c in built), Decimal("0.00"))
    batch_id = uow.claims.add_batch(
        "837P", name, controls.isa, controls.gs, min(controls.st), max(controls.st), len(built),
        total,
    )  # fmt: skip
    uow.lifecycle.attach_batch([h.version_id for h in heads], batch_id, now)
    reason = f"837 {name} ISA {controls.isa}"
    uow.lifecycle.record_transitions(
        [_step(uow, h, ClaimState.READY, ClaimEvent.SUBMIT, reason) for h in heads]
    )
    return Batch(
        folder / name, heads[0].payer, tuple(h.pcn for h in heads), total, controls.isa
    ), tmp
