"""Denials to closure: an appeal sent, a write-off (with approval above the biller's
limit), and a claim closed with a reason.

* ``appeal_sent``: the claim's pending appeal (its letter made by ``ptrcm appeals letter``,
  possibly edited) went out on a day by a method: ``appeals.submitted_on`` and
  ``sent_method`` are written, the claim moves to ``appealed`` and its denial items to
  ``in_progress``. The denial follow-up SLA counts from ``submitted_on``; a later 835 that
  pays the claim answers the appeal (``remittance.appeals.recover_appeals``).
* ``write_off``: an amount of the claim's open balance given up, with a category. Within
  the requester's limit (``domain.write_offs``) it is applied at once; above it, it waits
  for ``approve_write_off`` by a manager. Applying writes a ``write_off`` ledger entry,
  closes the claim and completes its items, so the write-off rate counts it.
* ``close_claim``: nothing more to collect from this payer; a reason is required.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ptrcm.domain.access import Role
from ptrcm.domain.ledger import LedgerEntry
from ptrcm.domain.lifecycle import TRANSITIONS, ClaimEvent, ClaimState, apply_event
from ptrcm.domain.stored_claims import ClaimRecord
from ptrcm.domain.write_offs import WriteOffCategory, within_limit
from ptrcm.errors import InputError
from ptrcm.services.work.ports import WorkFlow, WorkUnitOfWork
from ptrcm.services.work.queue import close_items_of_claim

SEND_METHODS = ("mail", "fax", "portal", "edi")
WRITE_OFF_ACCOUNT = "write_off"


def _claim(uow: WorkUnitOfWork, pcn: str) -> ClaimRecord:
    record = uow.claims.by_pcn([pcn]).get(pcn)
    if record is None:
        raise InputError.one("CLAIM_ID", None, None, f"no claim {pcn}")
    return record


def _step(uow: WorkUnitOfWork, record: ClaimRecord, event: ClaimEvent, reason: str) -> None:
    state = ClaimState(record.state)
    if event not in TRANSITIONS[state]:
        raise InputError.one(
            "CLAIM_ID", None, None, f"claim {record.pcn} is {state.value}: cannot {event.value}"
        )
    step = apply_event(record.pcn, state, event, uow.actor, uow.clock(), reason)
    uow.claims.record_transitions([(record.id, record.version_id, step)])


def appeal_sent(work: WorkFlow, pcn: str, on: date, method: str, letter: str | None = None) -> int:
    """Mark the claim's pending appeal sent; returns the appeal id."""
    if method not in SEND_METHODS:
        raise InputError.one("--method", None, None, f"must be one of {', '.join(SEND_METHODS)}")
    if letter is not None and not letter.strip():
        raise InputError.one("--letter", None, None, "the letter sent is empty")
    with work() as uow:
        record = _claim(uow, pcn)
        pending = [a for a in uow.appeals.for_claim(record.id) if a["outcome"] == "pending"]
        unsent = [a for a in pending if a.get("submitted_on") is None]
        if not unsent:
            why = "was already marked sent" if pending else "has no appeal letter yet"
            raise InputError.one("CLAIM_ID", None, None, f"claim {pcn}'s appeal {why}")
        appeal_id = int(unsent[-1]["id"])
        uow.appeals.mark_sent(appeal_id, on, method, letter)
        _step(uow, record, ClaimEvent.APPEAL, f"appeal {appeal_id} sent by {method} on {on}")
        for row in uow.worklog.for_claim(record.id):
            if row["kind"] == "denial" and row["state"] == "open":
                uow.worklog.change(
                    int(row["id"]), int(row["version"]), {"state": "in_progress"},
                    "appeal_sent", detail={"appeal_id": appeal_id, "method": method},
                )  # fmt: skip
        uow.commit()
    return appeal_id


def _apply(uow: WorkUnitOfWork, record: ClaimRecord, amount: Decimal, category: str,
           on: date, write_off_id: int) -> None:  # fmt: skip
    entry = LedgerEntry(
        account=WRITE_OFF_ACCOUNT, amount=amount, effective_date=on, payer_id=record.payer_id,
        claim_id=record.id, source=f"write-off {write_off_id}", memo=category,
    )  # fmt: skip
    uow.remits.add_ledger_entries([entry])
    if ClaimEvent.CLOSE in TRANSITIONS[ClaimState(record.state)]:
        _step(uow, record, ClaimEvent.CLOSE, f"written off ({category}), write-off {write_off_id}")
    close_items_of_claim(uow, record.id, "write_off", f"write-off {write_off_id}")


def write_off(
    work: WorkFlow, pcn: str, amount: Decimal, category: str, reason: str, on: date,
    role: Role | None,
) -> tuple[int, str]:  # fmt: skip
    """Request a write-off; applied at once within ``role``'s limit, else pending. Returns
    (write-off id, state)."""
    if category not in set(WriteOffCategory):
        names = ", ".join(c.value for c in WriteOffCategory)
        raise InputError.one("--category", None, None, f"must be one of {names}")
    if amount <= 0:
        raise InputError.one("--amount", None, None, "a write-off is a positive amount")
    if not reason.strip():
        raise InputError.one("--reason", None, None, "a write-off needs a reason")
    with work() as uow:
        record = _claim(uow, pcn)
        if amount > record.total_charge:
            raise InputError.one("--amount", None, None, f"more than claim {pcn}'s charge")
        if any(w["state"] == "pending" for w in uow.write_offs.for_claim(record.id)):
            raise InputError.one("CLAIM_ID", None, None, f"claim {pcn} has a pending write-off")
        new_id = uow.write_offs.request(record.id, amount, category, reason.strip(), on)
        state = "pending"
        if within_limit(role, amount):
            uow.write_offs.decide(new_id, "approved")
            _apply(uow, record, amount, category, on, new_id)
            state = "approved"
        uow.commit()
    return new_id, state


def approve_write_off(
    work: WorkFlow, write_off_id: int, role: Role | None, approve: bool = True
) -> str:
    """A manager approves (or refuses) a pending write-off above the biller's limit."""
    with work() as uow:
        row = uow.write_offs.get(write_off_id)
        if row is None:
            raise InputError.one("WRITE_OFF_ID", None, None, f"no write-off {write_off_id}")
        if row["requested_by"] == uow.actor and approve:
            raise InputError.one(
                "WRITE_OFF_ID", None, None, "a write-off is approved by someone else"
            )
        if approve and not within_limit(role, row["amount"]):
            raise InputError.one(
                "WRITE_OFF_ID", None, None, f"write-off {write_off_id} is above your limit"
            )
        uow.write_offs.decide(write_off_id, "approved" if approve else "refused")
        if approve:
            (record,) = uow.claims.by_ids([int(row["claim_id"])]).values()
            _apply(uow, record, row["amount"], row["category"], row["effective_date"],
                   write_off_id)  # fmt: skip
        uow.commit()
    return "approved" if approve else "refused"


def close_claim(work: WorkFlow, pcn: str, reason: str) -> None:
    """Close a claim (nothing more to collect from this payer) with a reason."""
    if not reason.strip():
        raise InputError.one("--reason", None, None, "closing a claim needs a reason")
    with work() as uow:
        record = _claim(uow, pcn)
        _step(uow, record, ClaimEvent.CLOSE, reason.strip())
        close_items_of_claim(uow, record.id, "close", reason.strip())
        uow.commit()


def write_off_claim(work: WorkFlow, write_off_id: int) -> str:
    """The patient control number of a write-off's claim."""
    with work() as uow:
        row = uow.write_offs.get(write_off_id)
        if row is None:
            raise InputError.one("WRITE_OFF_ID", None, None, f"no write-off {write_off_id}")
        return next(iter(uow.claims.by_ids([int(row["claim_id"])])))


def pending_write_offs(work: WorkFlow, pcn: str) -> list[dict[str, object]]:
    """The claim's write-offs waiting for approval: ``id``, ``amount``, ``category``,
    ``reason``, ``requested_by``."""
    with work() as uow:
        record = uow.claims.by_pcn([pcn]).get(pcn)
        if record is None:
            return []
        return [
            {k: w[k] for k in ("id", "amount", "category", "reason", "requested_by")}
            for w in uow.write_offs.for_claim(record.id)
            if w["state"] == "pending"
        ]


def pending_appeal(work: WorkFlow, pcn: str) -> dict[str, object] | None:
    """The claim's latest pending appeal: ``id``, ``letter``, ``submitted_on``,
    ``sent_method``, ``deadline`` (None when there is none)."""
    with work() as uow:
        record = uow.claims.by_pcn([pcn]).get(pcn)
        if record is None:
            return None
        pending = [a for a in uow.appeals.for_claim(record.id) if a["outcome"] == "pending"]
        if not pending:
            return None
        keys = ("id", "letter", "submitted_on", "sent_method", "deadline")
        return {k: pending[-1].get(k) for k in keys}


def claim_state(work: WorkFlow, pcn: str) -> str:
    """The claim's state (``InputError`` "no claim" when this organization has none)."""
    with work() as uow:
        return _claim(uow, pcn).state
