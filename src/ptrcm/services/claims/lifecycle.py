"""The claim lifecycle as use cases: build, scrub (with safe fixes), release, submit.

* ``build_claims`` turns imported visits that no claim names yet into claims (state
  ``built``), each made once by ``make_claim`` under its payer's ``PayerPolicy``;
  self-pay visits are not billed to a payer. A visit an 837 cannot carry (unknown payer,
  missing data, absurd units) does not stop the others: its claim is stored ``held`` with
  a C005 finding (the scrub-errors queue shows why), without lines when they cannot be
  stored (made at a later scrub once the visit is corrected; never released lineless).
* ``scrub_claims`` runs the scrubber on built and held claims — on their stored lines,
  with the visits' documentation and the patients' stored history: ``scrubbed`` then
  ``ready`` (no error) or ``held``. With ``fix`` the safe fixes are applied to a held
  claim's visit and the claim is made again (new lines) and scrubbed again. Every run and
  its findings are stored (``scrub_runs``/``scrub_findings``).
* ``release_claim``: a biller moves a held claim to ``ready``; a reason is required.
* ``submit_claims`` writes ready claims — their stored lines — into one 837 per payer in
  the outbox, control numbers from the store, a batch row per file, state ``submitted``
  — all in one transaction, and the file is renamed into place only after the commit, so
  a claim is never submitted twice nor a file left without its batch.

Every state change is a recorded transition: actor, time (the unit of work's clock) and
reason. Storage is reached only through the port ``ptrcm.services.claims.ports``.
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
from ptrcm.domain.claim_ids import claim_id_for
from ptrcm.domain.claims import Claim
from ptrcm.domain.codes import Catalog
from ptrcm.domain.intake import SourcedVisit
from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, Transition, apply_event
from ptrcm.domain.stored_claims import ClaimHead
from ptrcm.domain.visits import Visit
from ptrcm.errors import InputError, PtrcmError, RecordProblem
from ptrcm.rules.engine import Finding, Severity
from ptrcm.rules.fixes import fix_visits
from ptrcm.rules.policy import PolicyBook
from ptrcm.services.claims.building import (
    REQUIRED_DATA_RULE,
    as_sent,
    claim_problems,
    claim_with_lines,
    held_copy,
    held_findings,
    make_claim,
    stored_claim,
)
from ptrcm.services.claims.output import RecordedControlNumbers, envelope_settings
from ptrcm.services.claims.ports import ClaimsUnitOfWork, ClaimsWork
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.x12.claim837.professional import Billing, write_837p

FIX_SOURCE = "ptrcm claims scrub --fix"


@dataclass(slots=True)
class BuildResult:
    built: list[str] = field(default_factory=list)
    self_pay: int = 0
    self_pay_visits: list[str] = field(default_factory=list)  # their visit ids
    # visits an 837 cannot carry, (visit id, reason): their claims are stored held
    not_billable: list[tuple[str, str]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # their claim ids


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


def _step(uow: ClaimsUnitOfWork, head: ClaimHead, state: ClaimState, event: ClaimEvent,
          reason: str = "") -> tuple[int, int | None, Transition]:  # fmt: skip
    return (
        head.id,
        head.version_id,
        apply_event(head.pcn, state, event, uow.actor, uow.clock(), reason),
    )


def build_claims(
    unit_of_work: ClaimsWork,
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
    book = PolicyBook(config)
    self_pay = [p for p, c in config.payers.items() if c.payer_class == "self_pay"]
    with unit_of_work() as uow:
        built: list[Claim] = []
        held: list[tuple[Claim, list[RecordProblem]]] = []
        result.self_pay_visits = uow.lifecycle.unbilled_visit_ids(through, payers=self_pay)
        result.self_pay = len(result.self_pay_visits)
        for visit in uow.lifecycle.unbilled_visits(through, skip_payers=self_pay):
            try:
                claim = make_claim(visit, book.policy_for(visit), config.charge_for, catalog)
            except InputError as exc:
                claim = claim_with_lines(visit, (), claim_id_for(visit.visit_id))
                held.append((claim, list(exc.problems)))
                continue
            problems = claim_problems(claim, "store:visits")
            if problems:
                held.append((held_copy(claim, problems), problems))
                continue
            built.append(claim)
        ids = uow.claims.add_claims(built, state=ClaimState.BUILT.value)
        uow.lifecycle.record_created(ids, ClaimState.BUILT.value, "built from visit {pcn}")
        held_ids = _hold(uow, held)
        uow.commit()
    result.built = [c.claim_id for c in built]
    result.held = list(held_ids)
    result.not_billable = [(c.visit_ids[0], p[0].message) for c, p in held]
    return result


def _hold(
    uow: ClaimsUnitOfWork, held: Sequence[tuple[Claim, list[RecordProblem]]]
) -> dict[str, int]:
    """Store claims an 837 cannot carry as held, each with a scrub run naming why."""
    if not held:
        return {}
    ids = uow.claims.add_claims([c for c, _ in held], state=ClaimState.BUILT.value)
    uow.lifecycle.record_created(ids, ClaimState.BUILT.value, "built from visit {pcn}")
    heads = {h.pcn: h for h in uow.lifecycle.claims_in([ClaimState.BUILT.value]) if h.pcn in ids}
    steps: list[tuple[int, int | None, Transition]] = []
    runs: list[tuple[int, int, Sequence[Finding]]] = []
    for claim, problems in held:
        head = heads[claim.claim_id]
        reason = "not billable as built: " + "; ".join(p.field or "" for p in problems)
        steps.append(_step(uow, head, ClaimState.BUILT, ClaimEvent.SCRUB, reason))
        steps.append(_step(uow, head, ClaimState.SCRUBBED, ClaimEvent.ERRORS))
        runs.append((head.id, 1, held_findings(claim, problems)))
    uow.lifecycle.record_transitions(steps)
    uow.lifecycle.add_scrub_runs(runs)
    return ids


def _history(
    uow: ClaimsUnitOfWork, scrubber: Scrubber, config: Config, targets: Sequence[Visit]
) -> list[Visit]:
    """The patients' stored visits the scrubber can read (a visit to a payer the config
    does not define is held at build and does not stop the others' scrub), up to the last
    target's date of service: the scrubber reads a patient's visits in date order, so a
    later one is never history of a target. A scrubber without rules reads none: the
    targets alone (no rule looks at history; the charges are the targets' own)."""
    if not scrubber.rules:
        return list(targets)
    last = max((v.date_of_service for v in targets), default=None)
    if last is None:
        return []
    found = uow.lifecycle.visits_of_patients((v.patient_id for v in targets), through=last)
    return [v for v in found if config.payer(v.payer_id) is not None]


def _stored_claims(uow: ClaimsUnitOfWork, heads: Sequence[ClaimHead],
                   visits: Mapping[str, Visit]) -> dict[str, Claim]:  # fmt: skip
    """Each head's claim as stored (its current version's lines), by visit id."""
    records = uow.claims.by_ids(h.id for h in heads)
    out: dict[str, Claim] = {}
    for head in heads:
        visit = visits.get(head.visit_ids[0]) if head.visit_ids else None
        record = records.get(head.pcn)
        if visit is not None and record is not None:
            out[visit.visit_id] = as_sent(stored_claim(visit, head.pcn, record.lines), record)
    return out


def _scrub(
    scrubber: Scrubber,
    history: list[Visit],
    claims: Mapping[str, Claim],
    keep: bool,
) -> tuple[dict[str, list[Finding]], Mapping[str, Charges]]:
    """Findings on the stored claims' lines (with C005 for what an 837 needs that a
    claim lacks), by visit id; the charges checked when ``keep``."""
    lines = {v: c.lines for v, c in claims.items()}
    report = scrubber.scrub(history, keep_charges=keep, claims=lines, only=lines)
    found: dict[str, list[Finding]] = {v: [] for v in claims}
    for f in report.findings:
        if f.visit_id in found:
            found[f.visit_id].append(f)
    for visit_id, claim in claims.items():
        if not any(f.rule == REQUIRED_DATA_RULE for f in found[visit_id]):
            found[visit_id].extend(held_findings(claim, claim_problems(claim, "claims")))
    return found, report.charges


def _make_lineless(
    uow: ClaimsUnitOfWork, scrubber: Scrubber, config: Config, catalog: Catalog,
    by_visit: Mapping[str, ClaimHead], visits: Mapping[str, Visit], stored: dict[str, Claim],
) -> None:  # fmt: skip
    """A claim held at build without lines is made now if its visit (corrected since)
    can be billed: its lines are stored and it is scrubbed like the others."""
    for visit_id, claim in list(stored.items()):
        if claim.lines:
            continue
        visit = visits[visit_id]
        made = make_claim(visit, scrubber.policies.policy_for(visit), config.charge_for, catalog)
        if made.lines and not claim_problems(made, "store:visits"):
            head = by_visit[visit_id]
            uow.lifecycle.replace_lines(head.id, head.version_id, made)
            stored[visit_id] = replace(made, claim_id=head.pcn)


def _has_error(found: Sequence[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in found)


def scrub_claims(
    unit_of_work: ClaimsWork,
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
        visits = uow.lifecycle.visits_by_id(by_visit)
        targets = [v for v in visits.values() if config.payer(v.payer_id) is not None]
        stored = _stored_claims(uow, [by_visit[v.visit_id] for v in targets], visits)
        _make_lineless(uow, scrubber, config, catalog, by_visit, visits, stored)
        found, charges = _scrub(scrubber, _history(uow, scrubber, config, targets), stored, fix)
        steps: list[tuple[int, int | None, Transition]] = []
        runs: list[tuple[int, int, Sequence[Finding]]] = []
        held: dict[str, Visit] = {}
        counts = uow.lifecycle.scrub_run_counts(h.id for h in heads)
        for visit in targets:
            head = by_visit[visit.visit_id]
            errors = _has_error(found[visit.visit_id])
            number = counts.get(head.id, 0) + 1
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
    """Apply safe fixes to held claims' visits, make their claims again (new lines under
    the same policy), scrub again (run number + 1)."""
    flat = [f for v in held for f in found[v]]
    results = fix_visits(list(held.values()), flat, dict(charges))
    fixed = [r for r in results if r.changed]
    if not fixed:
        return
    uow.visits.upsert([SourcedVisit(r.visit, FIX_SOURCE, None) for r in fixed])
    result.fixed = len(fixed)
    remade: dict[str, Claim] = {}
    for r in fixed:
        try:
            policy = scrubber.policies.policy_for(r.visit)
        except PtrcmError:
            continue
        claim = make_claim(r.visit, policy, config.charge_for, catalog)
        if not claim_problems(claim, "store:visits"):
            remade[r.visit.visit_id] = replace(claim, claim_id=by_visit[r.visit.visit_id].pcn)
    history = _history(uow, scrubber, config, [r.visit for r in fixed])
    again, _ = _scrub(scrubber, history, remade, False)
    numbers = {cid: n for cid, n, _ in runs}
    for visit_id, claim in remade.items():
        head = by_visit[visit_id]
        uow.lifecycle.replace_lines(head.id, head.version_id, claim)
        runs.append((head.id, numbers[head.id] + 1, again[visit_id]))
        reason = f"safe fixes: {', '.join(sorted({f.rule for f in found[visit_id] if f.fix}))}"
        steps.append(_step(uow, head, ClaimState.HELD, ClaimEvent.SCRUB, reason))
        event = ClaimEvent.ERRORS if _has_error(again[visit_id]) else ClaimEvent.CLEAN
        steps.append(_step(uow, head, ClaimState.SCRUBBED, event))


def release_claim(unit_of_work: ClaimsWork, pcn: str, reason: str) -> None:
    """A biller releases a held claim to ready; ``InputError`` without a reason."""
    if not reason.strip():
        raise InputError.one("--reason", None, "reason", "a release needs a reason")
    with unit_of_work() as uow:
        heads = [h for h in uow.lifecycle.claims_in([ClaimState.HELD.value]) if h.pcn == pcn]
        if not heads:
            raise InputError.one("claims", None, "pcn", f"no held claim {pcn!r}")
        if not uow.claims.by_ids([heads[0].id])[pcn].lines:
            raise InputError.one(
                "claims", None, "pcn",
                f"claim {pcn} has no line to bill; correct its visit and scrub again",
            )  # fmt: skip
        step = _step(uow, heads[0], ClaimState.HELD, ClaimEvent.RELEASE, reason.strip())
        uow.lifecycle.record_transitions([step])
        uow.commit()


def submit_claims(
    unit_of_work: ClaimsWork,
    config: Config,
    catalog: Catalog,
    outbox: str | os.PathLike[str],
    *,
    through: date | None = None,
    scope: Callable[[str, str | None], bool] | None = None,
) -> list[Batch]:
    """Ready claims (first date of service up to ``through``) as one 837 per payer;
    with ``scope`` (payer id, location id -> bool: a pilot), only the claims it covers."""
    folder = Path(outbox)
    folder.mkdir(parents=True, exist_ok=True)
    done: list[Batch] = []
    pending: list[Path] = []
    try:
        with unit_of_work() as uow:
            heads = uow.lifecycle.claims_in([ClaimState.READY.value])
            if through is not None:
                heads = [h for h in heads if h.first_date_of_service <= through]
            # the week's claims are read once for all its payers' batches
            visits = uow.lifecycle.visits_by_id(h.visit_ids[0] for h in heads)
            if scope is not None:
                place = {k: v.location_id for k, v in visits.items()}
                heads = [h for h in heads if scope(h.payer, place.get(h.visit_ids[0]))]
            stored = _stored_claims(uow, heads, visits)
            by_payer: dict[str, list[ClaimHead]] = {}
            for h in heads:
                by_payer.setdefault(h.payer, []).append(h)
            for payer_id in sorted(by_payer):
                built = [stored[h.visit_ids[0]] for h in by_payer[payer_id]]
                batch, tmp = _write_batch(uow, config, folder, by_payer[payer_id], built)
                done.append(batch)
                pending.append(tmp)
            uow.commit()
    except BaseException:
        for tmp in pending:
            tmp.unlink(missing_ok=True)
        raise
    for tmp in pending:
        os.replace(tmp, tmp.with_name(tmp.name.removesuffix(".tmp")))
    return done


def _write_batch(
    uow: ClaimsUnitOfWork, config: Config, folder: Path, heads: list[ClaimHead],
    built: list[Claim],
) -> tuple[Batch, Path]:  # fmt: skip
    """One payer's 837 of ``heads`` (their stored claims ``built``, in the same order)."""
    now = uow.clock()
    controls = RecordedControlNumbers(uow.control_numbers)
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
