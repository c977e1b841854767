"""Fixing a held or rejected claim by hand: the fields the scrubber's findings (or the
999/277CA rejection) name — diagnoses and line pointers, modifiers, units, the rendering
provider, the authorization number — then scrubbing again, so the claim is ready (or
still held, with the findings that remain). A rejected claim was never accepted by the
payer: once ready it is resubmitted as it is (frequency 1) by `claims submit`.

The visit's fields (diagnoses, rendering provider, authorization) are changed on the stored
visit (allowed: the claim was never submitted; the visit store audits the change); the
line fields on the claim's current lines. A claim still held after the fix can be released
with a reason (``lifecycle.release_claim``). A rejected claim the fix made ready has its
rejection answered: ``settle_rejections`` marks its open rejection items done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from ptrcm.config import Config
from ptrcm.domain.codes import Catalog
from ptrcm.domain.intake import SourcedVisit
from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, apply_event
from ptrcm.domain.stored_claims import LineRecord
from ptrcm.domain.visits import Authorization, Visit
from ptrcm.errors import InputError
from ptrcm.services.claims.building import stored_claim
from ptrcm.services.claims.lifecycle import ScrubResult, scrub_claims
from ptrcm.services.claims.ports import ClaimsWork
from ptrcm.services.claims.scrubbing import Scrubber
from ptrcm.services.work.ports import WorkFlow

CENT = Decimal("0.01")
FIXABLE = (ClaimState.HELD.value, ClaimState.REJECTED.value)


@dataclass(frozen=True, slots=True)
class LineEdit:
    units: int | None = None
    modifiers: tuple[str, ...] | None = None
    dx_pointers: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class HeldEdits:
    """What to change (``None``: kept)."""

    diagnoses: tuple[str, ...] | None = None
    lines: Mapping[int, LineEdit] = field(default_factory=dict)
    rendering_npi: str | None = None
    authorization: str | None = None


def _visit(visit: Visit, edits: HeldEdits) -> Visit:
    out = visit
    if edits.diagnoses is not None:
        if not edits.diagnoses:
            raise InputError.one("diagnoses", None, None, "a claim needs at least one diagnosis")
        out = replace(out, diagnoses=tuple(d.strip().upper() for d in edits.diagnoses))
    if edits.rendering_npi is not None and edits.rendering_npi.strip() != out.rendering.npi:
        npi = edits.rendering_npi.strip()
        if not (npi.isdigit() and len(npi) == 10):
            raise InputError.one("rendering_npi", None, None, "an NPI is 10 digits")
        out = replace(out, rendering=replace(out.rendering, npi=npi))
    if edits.authorization is not None:
        found = out.authorization or Authorization(None)
        out = replace(out, authorization=replace(found, number=edits.authorization.strip() or None))
    return out


def _line(line: LineRecord, edit: LineEdit | None, diagnoses: int) -> LineRecord:
    if edit is None:
        return line
    out = line
    if edit.units is not None:
        if edit.units < 1:
            raise InputError.one("units", None, None, f"line {line.line_number}: units below 1")
        charge = (line.charge * edit.units / line.units).quantize(CENT, ROUND_HALF_UP)
        out = replace(out, units=edit.units, charge=charge)
    if edit.modifiers is not None:
        out = replace(out, modifiers=tuple(m.strip().upper() for m in edit.modifiers if m.strip()))
    if edit.dx_pointers is not None:
        if not edit.dx_pointers or any(not 1 <= p <= diagnoses for p in edit.dx_pointers):
            raise InputError.one(
                "dx_pointers", None, None,
                f"line {line.line_number}: pointers must name diagnoses 1 to {diagnoses}",
            )  # fmt: skip
        out = replace(out, dx_pointers=edit.dx_pointers)
    return out


def fix_held_claim(
    work: ClaimsWork, scrubber: Scrubber, config: Config, catalog: Catalog, pcn: str,
    edits: HeldEdits,
) -> ScrubResult:  # fmt: skip
    """Apply ``edits`` to the held or rejected claim ``pcn`` and scrub it again (with the
    other held claims)."""
    with work() as uow:
        heads = [h for h in uow.lifecycle.claims_in(list(FIXABLE)) if h.pcn == pcn]
        if not heads or not heads[0].visit_ids:
            raise InputError.one("CLAIM_ID", None, None, f"no held or rejected claim {pcn}")
        head = heads[0]
        record = uow.claims.by_ids([head.id])[pcn]
        visit = uow.lifecycle.visits_by_id([head.visit_ids[0]]).get(head.visit_ids[0])
        if visit is None:
            raise InputError.one("CLAIM_ID", None, None, f"claim {pcn} has no stored visit")
        fixed = _visit(visit, edits)
        numbers = {line.line_number for line in record.lines}
        unknown = sorted(set(edits.lines) - numbers)
        if unknown:
            raise InputError.one("line", None, None, f"claim {pcn} has no line {unknown[0]}")
        lines = [_line(ln, edits.lines.get(ln.line_number), len(fixed.diagnoses))
                 for ln in record.lines]  # fmt: skip
        if fixed != visit:
            uow.visits.upsert([SourcedVisit(fixed, f"held claim fix by {uow.actor}", None)])
        if lines != list(record.lines):
            uow.lifecycle.replace_lines(head.id, head.version_id, stored_claim(fixed, pcn, lines))
        uow.commit()
    states = (ClaimState.HELD, ClaimState(head.state))
    return scrub_claims(work, scrubber, config, catalog, states=tuple(dict.fromkeys(states)))


def fix_fields(work: ClaimsWork, pcn: str) -> dict[str, str] | None:
    """What the fix form starts from for a held or rejected claim: its visit's diagnoses
    (in order, space-separated), rendering NPI and authorization number (None when the
    claim is neither held nor rejected)."""
    with work() as uow:
        heads = [h for h in uow.lifecycle.claims_in(list(FIXABLE)) if h.pcn == pcn]
        if not heads or not heads[0].visit_ids:
            return None
        visit = uow.lifecycle.visits_by_id([heads[0].visit_ids[0]]).get(heads[0].visit_ids[0])
    if visit is None:
        return None
    auth = visit.authorization.number if visit.authorization else None
    return {
        "diagnoses": " ".join(visit.diagnoses),
        "rendering_npi": visit.rendering.npi or "",
        "authorization": auth or "",
    }


def release_many(work: ClaimsWork, pcns: list[str], reason: str) -> list[str]:
    """Release several held claims to ready with one reason, all or nothing: a claim that
    is not held, or has no line to bill, refuses the lot. Returns the claims released."""
    if not reason.strip():
        raise InputError.one("--reason", None, "reason", "a release needs a reason")
    wanted = list(dict.fromkeys(pcns))
    with work() as uow:
        heads = {h.pcn: h for h in uow.lifecycle.claims_in([ClaimState.HELD.value])}
        missing = [p for p in wanted if p not in heads]
        if missing:
            raise InputError.one("claims", None, "pcn", f"no held claim {missing[0]!r}")
        records = uow.claims.by_ids(heads[p].id for p in wanted)
        lineless = [p for p in wanted if not records[p].lines]
        if lineless:
            raise InputError.one("claims", None, "pcn", f"claim {lineless[0]} has no line to bill")
        steps = [
            (heads[p].id, heads[p].version_id,
             apply_event(p, ClaimState.HELD, ClaimEvent.RELEASE, uow.actor, uow.clock(),
                         reason.strip()))
            for p in wanted
        ]  # fmt: skip
        uow.lifecycle.record_transitions(steps)
        uow.commit()
    return wanted


def settle_rejections(work: WorkFlow, pcn: str, result: ScrubResult) -> int:
    """When the fix made claim ``pcn`` ready, its open rejection items (999/277CA) are
    done: the claim goes out again as it is. The number of items closed."""
    if pcn not in result.ready:
        return 0
    closed = 0
    with work() as uow:
        record = uow.claims.by_pcn([pcn]).get(pcn)
        if record is None:
            return 0
        for row in uow.worklog.for_claim(record.id):
            if row["kind"] == "rejection" and row["state"] in ("open", "in_progress"):
                uow.worklog.change(
                    int(row["id"]), int(row["version"]), {"state": "done"}, "fixed",
                    "fixed and scrubbed clean: ready to resubmit",
                )  # fmt: skip
                closed += 1
        uow.commit()
    return closed
