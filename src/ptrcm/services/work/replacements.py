"""Corrected and void claims: the payer is told by a new claim that names the one it
replaces with the payer's claim control number (REF*F8, the 835's CLP07).

* ``correct_claim``: a claim the payer adjudicated (paid, partly paid, denied) is replaced
  by a claim of frequency 7: the same visit and lines, with the units and modifiers the
  biller changed. The original moves to ``corrected`` (it leaves A/R); the replacement is
  stored ``built`` under the original's CLM01 plus ``-C<n>`` and goes through scrub and
  submit like any claim, so the 837 carries CLM05-3 = 7 and REF*F8.
* ``void_claim``: the payer is asked to cancel its adjudication with a frequency-8 claim
  (CLM01 plus ``-V<n>``, REF*F8). A claim never adjudicated (built, held, ready, rejected)
  is voided at home: no 837, only the transition.

Both record the story on both claims' histories: original → correction (or void) → the
payer's answer, which posting and acknowledgments add to the new claim as for any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from ptrcm.domain.claims import Claim
from ptrcm.domain.lifecycle import ClaimEvent, ClaimState
from ptrcm.domain.stored_claims import ClaimRecord, LineRecord
from ptrcm.errors import InputError
from ptrcm.services.claims.building import stored_claim
from ptrcm.services.remittance.secondary import stored_visit
from ptrcm.services.work.closure import _claim, _step
from ptrcm.services.work.ports import WorkFlow, WorkUnitOfWork
from ptrcm.services.work.queue import close_items_of_claim

ADJUDICATED = frozenset({ClaimState.PAID, ClaimState.PARTIALLY_PAID, ClaimState.DENIED})
NEVER_ADJUDICATED = frozenset(
    {ClaimState.BUILT, ClaimState.HELD, ClaimState.READY, ClaimState.REJECTED}
)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class LineChange:
    """What a correction changes on one line (``None``: kept as billed)."""

    units: int | None = None
    modifiers: tuple[str, ...] | None = None


def _payer_claim_number(uow: WorkUnitOfWork, record: ClaimRecord) -> str:
    numbers = [
        p["payer_claim_number"]
        for p in uow.remits.claim_payments(record.id)
        if p.get("payer_claim_number")
    ]
    if not numbers:
        raise InputError.one(
            "CLAIM_ID", None, None,
            f"claim {record.pcn} has no payer claim number (CLP07) on a posted 835",
        )  # fmt: skip
    return str(numbers[-1])


def _changed(line: LineRecord, change: LineChange | None) -> LineRecord:
    if change is None:
        return line
    units = line.units if change.units is None else change.units
    if units < 1:
        raise InputError.one("--line", None, None, f"line {line.line_number}: units below 1")
    charge = (line.charge * units / line.units).quantize(CENT, ROUND_HALF_UP)
    mods = line.modifiers if change.modifiers is None else change.modifiers
    return replace(line, units=units, charge=charge, modifiers=tuple(mods))


def _new_pcn(uow: WorkUnitOfWork, pcn: str, letter: str) -> str:
    n = 1
    while uow.claims.by_pcn([f"{pcn}-{letter}{n}"]):
        n += 1
    return f"{pcn}-{letter}{n}"


def _replacement(
    uow: WorkUnitOfWork, record: ClaimRecord, frequency: str, letter: str,
    changes: Mapping[int, LineChange],
) -> Claim:  # fmt: skip
    visit = stored_visit(uow, record)
    if visit is None:
        raise InputError.one("CLAIM_ID", None, None, f"claim {record.pcn} has no stored visit")
    numbers = {line.line_number for line in record.lines}
    unknown = sorted(set(changes) - numbers)
    if unknown:
        raise InputError.one("--line", None, None, f"claim {record.pcn} has no line {unknown[0]}")
    lines = [_changed(line, changes.get(line.line_number)) for line in record.lines]
    claim = stored_claim(visit, _new_pcn(uow, record.pcn, letter), lines)
    return replace(claim, frequency=frequency, payer_claim_number=_payer_claim_number(uow, record))


def _store(uow: WorkUnitOfWork, record: ClaimRecord, claim: Claim, what: str) -> None:
    ids = uow.claims.add_claims(
        [claim], state=ClaimState.BUILT.value,
        notes={claim.claim_id: {"replaces": record.pcn}},
    )  # fmt: skip
    uow.claims.record_created(
        ids, ClaimState.BUILT.value,
        f"{what} of claim {record.pcn} (frequency {claim.frequency},"
        f" REF*F8 {claim.payer_claim_number})",
    )  # fmt: skip


def correct_claim(
    work: WorkFlow, pcn: str, reason: str, changes: Mapping[int, LineChange] | None = None
) -> str:
    """Replace an adjudicated claim by a corrected one (frequency 7); its CLM01."""
    if not reason.strip():
        raise InputError.one("--reason", None, None, "a correction needs a reason")
    with work() as uow:
        record = _claim(uow, pcn)
        if ClaimState(record.state) not in ADJUDICATED:
            raise InputError.one(
                "CLAIM_ID", None, None,
                f"claim {pcn} is {record.state}: only an adjudicated claim is corrected"
                " (a held or rejected claim is fixed and scrubbed again)",
            )  # fmt: skip
        claim = _replacement(uow, record, "7", "C", changes or {})
        if not changes and tuple(claim.lines) == ():
            raise InputError.one("CLAIM_ID", None, None, f"claim {pcn} has no line")
        _store(uow, record, claim, "correction")
        _step(uow, record, ClaimEvent.CORRECT,
              f"replaced by corrected claim {claim.claim_id}: {reason.strip()}")  # fmt: skip
        close_items_of_claim(uow, record.id, "corrected", f"corrected as {claim.claim_id}")
        uow.commit()
    return claim.claim_id


def void_claim(work: WorkFlow, pcn: str, reason: str) -> str | None:
    """Void a claim; the CLM01 of the frequency-8 claim sent to the payer, or None when
    the payer never adjudicated it (voided at home)."""
    if not reason.strip():
        raise InputError.one("--reason", None, None, "a void needs a reason")
    with work() as uow:
        record = _claim(uow, pcn)
        state = ClaimState(record.state)
        sent: str | None = None
        if state in ADJUDICATED:
            claim = _replacement(uow, record, "8", "V", {})
            _store(uow, record, claim, "void")
            sent = claim.claim_id
        elif state not in NEVER_ADJUDICATED:
            raise InputError.one("CLAIM_ID", None, None, f"claim {pcn} is {state}: cannot void")
        why = reason.strip() if sent is None else f"void sent as {sent}: {reason.strip()}"
        _step(uow, record, ClaimEvent.VOID, why)
        close_items_of_claim(uow, record.id, "voided", why)
        uow.commit()
    return sent
