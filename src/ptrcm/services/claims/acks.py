"""Post acknowledgments: 999 (per transaction set of an 837 batch) and 277CA (per claim).

* 999: each AK2 set is matched to the 837 batch by GS06 (AK102) and ST02 (AK202) stored on
  the batch. IK5 R (or M, W, X) rejects every claim of that batch into the ``rejection``
  queue with the IK5/IK3 codes; IK5 A or E moves them to accepted. An AK9 R with no AK2
  loop rejects the whole group.
* 277CA: each claim is matched by its patient control number. A category of A3, A4, A6,
  A7 or A8 (returned as unprocessable, not found, missing or invalid information,
  rejected for relational reasons) rejects it with the payer's status codes and message;
  A1/A2 accepts it.
* 277 (claim status, the answer to a 276): as a 277CA, and a finalized (F*) or pending
  (P*) status also tells that the payer has the claim, so a submitted claim is accepted;
  payment itself comes by 835. The row is kept with kind ``277``.
* Idempotent like remittances: the file's SHA-256 is kept; the same file twice changes
  nothing. One transaction per file
  (or per call of ``post_acknowledgments``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ptrcm.domain.lifecycle import ClaimEvent, ClaimState, Transition, apply_event
from ptrcm.domain.stored_claims import ClaimRecord
from ptrcm.domain.work_queue import WorkItem
from ptrcm.errors import InputError, InvariantError
from ptrcm.services.money_in_ports import MoneyInUnitOfWork, MoneyInWork
from ptrcm.x12.ack999.parse import AckDocument, FunctionalAcknowledgment
from ptrcm.x12.read import read_x12
from ptrcm.x12.status277.parse import ClaimStatus, StatusDocument

REJECT_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})
ACCEPT_CATEGORIES = frozenset({"A1", "A2"})
IN_PROCESS_PREFIXES = ("F", "P")  # 277 claim status: finalized or pending at the payer


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


def post_acknowledgment(unit_of_work: MoneyInWork, path: str | os.PathLike[str]) -> AckResult:
    """Post a 999 or 277CA file (see the module docstring)."""
    return post_acknowledgments(unit_of_work, [path])[0]


def post_acknowledgments(
    unit_of_work: MoneyInWork, paths: Sequence[str | os.PathLike[str]]
) -> list[AckResult]:
    """Post several 999/277CA files in order, in one transaction (all or none, so the claim
    facts are brought up to date once, at its commit); each file as ``post_acknowledgment``
    would (a file already posted, or named twice, is posted once)."""
    read = [_read(path) for path in paths]
    results = []
    with unit_of_work() as uow:
        for p, document, sha in read:
            result = AckResult(str(p), document.kind, sha,
                               findings=[str(f) for f in document.findings])  # fmt: skip
            results.append(result)
            if uow.acks.file_id(sha) is not None:
                result.already_posted = True
                continue
            file_id = uow.acks.add_file(document.kind[:5], p.name, sha)
            post = _Posting(uow, result, p.name, file_id)
            if isinstance(document, AckDocument):
                for group in document.transactions:
                    post.group_999(group)
            else:
                claims = [c for t in document.transactions for c in t.claims]
                # states, ids and totals only: the claims' lines are not read
                pcns = (c.patient_control_number for c in claims)
                records = uow.claims.by_pcn(pcns, with_lines=False)
                for claim in claims:
                    post.claim_277(claim, records.get(claim.patient_control_number),
                                   document.kind)  # fmt: skip
            post.flush()
        if any(not r.already_posted for r in results):
            uow.commit()
    return results


def _read(path: str | os.PathLike[str]) -> tuple[Path, AckDocument | StatusDocument, str]:
    p = Path(path)
    if not p.is_file():
        raise InputError.one(str(path), None, None, "no such file")
    data = p.read_bytes()
    document = read_x12(data, source=str(path))
    if not isinstance(document, AckDocument | StatusDocument):
        raise InputError.one(str(path), None, None, f"not a 999 or 277CA ({document.kind})")
    return p, document, hashlib.sha256(data).hexdigest()


class _Posting:
    """One file's acknowledgment rows, transitions and work items, written in bulk at the
    end (``flush``) in the order they were made; claim states are followed in memory so a
    claim named twice sees its first move."""

    def __init__(self, uow: MoneyInUnitOfWork, result: AckResult, name: str, file_id: int):
        self.uow, self.result, self.name, self.file_id = uow, result, name, file_id
        self.rows: list[dict[str, object]] = []
        self.steps: list[tuple[int, int | None, Transition]] = []
        self.items: list[WorkItem] = []
        self.states: dict[int, str] = {}

    def state(self, record: ClaimRecord) -> str:
        return self.states.get(record.id, record.state)

    def move(self, record: ClaimRecord, event: ClaimEvent, reason: str) -> bool:
        uow, state = self.uow, self.state(record)
        try:
            step = apply_event(record.pcn, ClaimState(state), event, uow.actor, uow.clock(),
                               reason)  # fmt: skip
        except (InvariantError, ValueError):
            self.result.findings.append(f"claim {record.pcn}: state {state} cannot take {event}")
            return False
        self.steps.append((record.id, record.version_id, step))
        self.states[record.id] = step.to_state.value
        return True

    def flush(self) -> None:
        self.uow.acks.record(self.rows)
        self.uow.claims.record_transitions(self.steps)
        self.uow.work.add_many(self.items)

    def group_999(self, group: FunctionalAcknowledgment) -> None:
        gs = int(group.group_control) if group.group_control.isdigit() else -1
        targets = [(s.control, s.accepted) for s in group.sets]
        if not targets:
            targets = [("", group.group_status in ("A", "E"))]
        result = self.result
        for control, accepted in targets:
            st = int(control) if control.isdigit() else None
            batch_id = self.uow.acks.batch_for(gs, st)
            if batch_id is None:
                result.unmatched.append(f"GS {group.group_control} ST {control}")
                self.items.append(
                    WorkItem(
                        "exception",
                        f"999 {self.name}: no 837 batch with GS {group.group_control}"
                        f" ST {control or '-'}",
                    )
                )
                continue
            reason = _set_reason(group, control)
            self.rows.append(
                {
                    "batch_id": batch_id,
                    "claim_id": None,
                    "kind": "999",
                    "file_name": self.name[-255:],
                    "control_number": control[:20] or None,
                    "status": "accepted" if accepted else "rejected",
                    "detail": {"file_id": self.file_id, "reason": reason},
                }
            )
            for record in self.uow.claims.by_batch(batch_id, with_lines=False):
                if accepted:
                    if self.state(record) == ClaimState.SUBMITTED:
                        result.accepted += self.move(record, ClaimEvent.ACK_ACCEPTED, reason)
                elif self.move(record, ClaimEvent.ACK_REJECTED, reason):
                    result.rejected += 1
                    self.items.append(WorkItem("rejection", f"claim {record.pcn}: {reason}",
                                               record.id, record.total_charge))  # fmt: skip

    def claim_277(self, claim: ClaimStatus, record: ClaimRecord | None,
                  kind: str = "277CA") -> None:  # fmt: skip
        pcn, result = claim.patient_control_number, self.result
        categories, text = _status_text(claim)
        kind = "277" if kind == "277" else "277CA"
        if record is None:
            result.unmatched.append(pcn)
            self.items.append(WorkItem("exception", f"{kind} {self.name}: no claim {pcn} ({text})"))
            return
        rejected = bool(categories & REJECT_CATEGORIES)
        known = kind == "277" and any(c.startswith(IN_PROCESS_PREFIXES) for c in categories)
        accepted = not rejected and (bool(categories & ACCEPT_CATEGORIES) or known)
        status = "rejected" if rejected else "accepted" if accepted else "pending"
        reason = f"{kind} {text}"
        self.rows.append(
            {
                "batch_id": record.batch_id,
                "claim_id": record.id,
                "kind": kind,
                "file_name": self.name[-255:],
                "control_number": None,
                "status": status,
                "detail": {
                    "file_id": self.file_id,
                    "reason": reason,
                    "payer_claim_number": claim.payer_claim_number,
                },
            }
        )
        if rejected and self.move(record, ClaimEvent.ACK_REJECTED, reason):
            result.rejected += 1
            self.items.append(
                WorkItem("rejection", f"claim {pcn}: {reason}", record.id, record.total_charge)
            )
        elif accepted:
            # Counted even when a 999 already moved the claim to accepted: the summary says
            # how many claims this file acknowledged, not how many changed state.
            result.accepted += 1
            if self.state(record) == ClaimState.SUBMITTED:
                self.move(record, ClaimEvent.ACK_ACCEPTED, reason)


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
