"""Post acknowledgments: 999 (per transaction set of an 837 batch) and 277CA (per claim).

* 999: each AK2 set is matched to the 837 batch by GS06 (AK102) and ST02 (AK202) stored on
  the batch. IK5 R (or M, W, X) rejects every claim of that batch into the ``rejection``
  queue with the IK5/IK3 codes; IK5 A or E moves them to accepted. An AK9 R with no AK2
  loop rejects the whole group.
* 277CA: each claim is matched by its patient control number. A category of A3, A4, A6,
  A7 or A8 (returned as unprocessable, not found, missing or invalid information,
  rejected for relational reasons) rejects it with the payer's status codes and message;
  A1/A2 accepts it.
* Idempotent like remittances: the file's SHA-256 is kept; the same file twice changes
  nothing. One transaction per file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, apply_event
from ptrcm.domain.work_queue import WorkItem
from ptrcm.errors import InputError, InvariantError
from ptrcm.x12.ack999 import AckDocument, FunctionalAcknowledgment
from ptrcm.x12.read import read_x12
from ptrcm.x12.status277 import ClaimStatus, StatusDocument

if TYPE_CHECKING:
    from ptrcm.domain.stored_claims import ClaimRecord
    from ptrcm.store.money_in_uow import MoneyInUnitOfWork

REJECT_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})
ACCEPT_CATEGORIES = frozenset({"A1", "A2"})


@dataclass(slots=True)
class AckResult:
    file: str
    kind: str
    sha256: str
    already_posted: bool = False
    accepted: int = 0
    rejected: int = 0
    unmatched: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


def post_acknowledgment(
    unit_of_work: Callable[[], MoneyInUnitOfWork], path: str | os.PathLike[str]
) -> AckResult:
    """Post a 999 or 277CA file (see the module docstring)."""
    p = Path(path)
    if not p.is_file():
        raise InputError.one(str(path), None, None, "no such file")
    data = p.read_bytes()
    document = read_x12(data, source=str(path))
    if not isinstance(document, AckDocument | StatusDocument):
        raise InputError.one(str(path), None, None, f"not a 999 or 277CA ({document.kind})")
    sha = hashlib.sha256(data).hexdigest()
    result = AckResult(str(path), document.kind, sha, findings=[str(f) for f in document.findings])
    with unit_of_work() as uow:
        if uow.acks.file_id(sha) is not None:
            result.already_posted = True
            return result
        file_id = uow.acks.add_file(document.kind[:5], p.name, sha)
        if isinstance(document, AckDocument):
            for group in document.transactions:
                _post_999(uow, group, result, p.name, file_id)
        else:
            for transaction in document.transactions:
                for claim in transaction.claims:
                    _post_277(uow, claim, result, p.name, file_id)
        uow.commit()
    return result


def _move(
    uow: MoneyInUnitOfWork, record: ClaimRecord, event: ClaimEvent, reason: str, result: AckResult
) -> bool:
    try:
        step = apply_event(
            record.pcn, ClaimState(record.state), event, uow.actor, uow.clock(), reason
        )
    except (InvariantError, ValueError):
        result.findings.append(f"claim {record.pcn}: state {record.state} cannot take {event}")
        return False
    uow.claims.record_transition(record.id, record.version_id, step)
    return True


def _set_reason(group: FunctionalAcknowledgment, control: str) -> str:
    for item in group.sets:
        if item.control == control:
            errors = "; ".join(
                f"IK3 {e.segment_id} pos {e.position} code {e.code}"
                + "".join(f" IK4 {x.position} code {x.code}" for x in e.elements)
                for e in item.errors
            )
            codes = ",".join(item.codes)
            return f"999 IK5 {item.status} {codes} set {control}" + (
                f": {errors}" if errors else ""
            )
    return f"999 AK9 {group.group_status} group {group.group_control}"


def _post_999(
    uow: MoneyInUnitOfWork,
    group: FunctionalAcknowledgment,
    result: AckResult,
    name: str,
    file_id: int,
) -> None:
    gs = int(group.group_control) if group.group_control.isdigit() else -1
    targets = [(s.control, s.accepted) for s in group.sets]
    if not targets:
        targets = [("", group.group_status in ("A", "E"))]
    for control, accepted in targets:
        st = int(control) if control.isdigit() else None
        batch_id = uow.acks.batch_for(gs, st)
        if batch_id is None:
            result.unmatched.append(f"GS {group.group_control} ST {control}")
            uow.work.add(
                WorkItem(
                    "exception",
                    f"999 {name}: no 837 batch with GS {group.group_control} ST {control or '-'}",
                )
            )
            continue
        reason = _set_reason(group, control)
        status = "accepted" if accepted else "rejected"
        uow.acks.record(
            [
                {
                    "batch_id": batch_id,
                    "claim_id": None,
                    "kind": "999",
                    "file_name": name[-255:],
                    "control_number": control[:20] or None,
                    "status": status,
                    "detail": {"file_id": file_id, "reason": reason},
                }
            ]
        )
        for record in uow.claims.by_batch(batch_id):
            if accepted:
                if record.state == ClaimState.SUBMITTED:
                    result.accepted += _move(uow, record, ClaimEvent.ACK_ACCEPTED, reason, result)
            elif _move(uow, record, ClaimEvent.ACK_REJECTED, reason, result):
                result.rejected += 1
                uow.work.add(
                    WorkItem(
                        "rejection", f"claim {record.pcn}: {reason}", record.id, record.total_charge
                    )
                )


def _status_text(claim: ClaimStatus) -> tuple[set[str], str]:
    categories: set[str] = set()
    parts: list[str] = []
    for info in claim.statuses:
        for code in info.codes:
            categories.add(code.category)
            parts.append(":".join(x for x in (code.category, code.status, code.entity) if x))
        if info.message:
            parts.append(info.message[:200])
    return categories, " ".join(parts)


def _post_277(
    uow: MoneyInUnitOfWork, claim: ClaimStatus, result: AckResult, name: str, file_id: int
) -> None:
    pcn = claim.patient_control_number
    record = uow.claims.by_pcn([pcn]).get(pcn)
    categories, text = _status_text(claim)
    if record is None:
        result.unmatched.append(pcn)
        uow.work.add(WorkItem("exception", f"277CA {name}: no claim {pcn} ({text})"))
        return
    rejected = bool(categories & REJECT_CATEGORIES)
    accepted = not rejected and bool(categories & ACCEPT_CATEGORIES)
    status = "rejected" if rejected else "accepted" if accepted else "pending"
    reason = f"277CA {text}"
    uow.acks.record(
        [
            {
                "batch_id": record.batch_id,
                "claim_id": record.id,
                "kind": "277CA",
                "file_name": name[-255:],
                "control_number": None,
                "status": status,
                "detail": {
                    "file_id": file_id,
                    "reason": reason,
                    "payer_claim_number": claim.payer_claim_number,
                },
            }
        ]
    )
    if rejected and _move(uow, record, ClaimEvent.ACK_REJECTED, reason, result):
        result.rejected += 1
        uow.work.add(
            WorkItem("rejection", f"claim {pcn}: {reason}", record.id, record.total_charge)
        )
    elif accepted:
        # Counted even when a 999 already moved the claim to accepted: the summary says
        # how many claims this file acknowledged, not how many changed state.
        result.accepted += 1
        if record.state == ClaimState.SUBMITTED:
            _move(uow, record, ClaimEvent.ACK_ACCEPTED, reason, result)
