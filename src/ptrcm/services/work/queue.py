"""Working a queue item: assign it (one or many at once), note it, set its status and its
follow-up date, and read it back with its history.

Every change names the item's version the biller saw; a change on an older version is
refused with ``ConflictError`` and nothing is written (a bulk assignment is all or
nothing). Each change leaves a history row (who, when, what) and an audit row, written by
the store in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ptrcm.errors import InputError
from ptrcm.services.work.ports import WorkFlow, WorkUnitOfWork

STATES = ("open", "in_progress", "done", "dismissed")
MAX_NOTE = 2000


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    actor: str
    event: str
    note: str | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ItemView:
    id: int
    kind: str
    state: str
    version: int
    claim: str | None  # the claim's patient control number
    amount: Decimal | None
    due: date | None
    follow_up_on: date | None
    assignee: str | None  # username
    reason: str
    carc: str | None
    history: tuple[Event, ...]


def _item(uow: WorkUnitOfWork, item_id: int) -> dict[str, Any]:
    row = uow.worklog.get(item_id)
    if row is None:
        raise InputError.one("ITEM_ID", None, None, f"no work item {item_id}")
    return row


def view(uow: WorkUnitOfWork, item_id: int) -> ItemView:
    """The item with its history (inside the caller's unit of work)."""
    row = _item(uow, item_id)
    pcn = None
    if row["claim_id"] is not None:
        pcn = next(iter(uow.claims.by_ids([int(row["claim_id"])])), None)
    member = row["assigned_membership_id"]
    names = uow.worklog.member_names([int(member)] if member is not None else [])
    history = tuple(
        Event(e["occurred_at"], e["actor"], e["event"], e["note"], dict(e["detail"] or {}))
        for e in uow.worklog.history(item_id)
    )
    return ItemView(
        int(row["id"]), row["kind"], row["state"], int(row["version"]), pcn, row["amount"],
        row["due_date"], row["follow_up_on"], names.get(int(member)) if member else None,
        row["reason"] or "", row["carc"], history,
    )  # fmt: skip


def open_items(work: WorkFlow, kind: str | None = None) -> list[ItemView]:
    """Open and in-progress items (of one kind), oldest first, without their history."""
    with work() as uow:
        rows = [r for r in uow.work.items(kind) if r["state"] in ("open", "in_progress")]
        pcns = {
            r.id: r.pcn
            for r in uow.claims.by_ids(
                int(r["claim_id"]) for r in rows if r["claim_id"] is not None
            ).values()
        }
        members = {int(r["assigned_membership_id"]) for r in rows if r["assigned_membership_id"]}
        names = uow.worklog.member_names(sorted(members))
    return [
        ItemView(
            int(r["id"]), r["kind"], r["state"], int(r["version"]), pcns.get(r["claim_id"]),
            r["amount"], r["due_date"], r["follow_up_on"],
            names.get(int(r["assigned_membership_id"] or 0)), r["reason"] or "", r["carc"], (),
        )
        for r in rows
    ]  # fmt: skip


def claim_items(work: WorkFlow, pcn: str) -> list[ItemView]:
    """The open items of one claim (none when the claim is unknown)."""
    return [v for v in open_items(work) if v.claim == pcn]


def show(work: WorkFlow, item_id: int) -> ItemView:
    with work() as uow:
        return view(uow, item_id)


def assign(work: WorkFlow, items: Sequence[tuple[int, int]], username: str | None) -> list[int]:
    """Assign each (item id, version seen) to ``username`` (``None``: unassign); all or
    nothing. Returns the new versions."""
    if not items:
        raise InputError.one("ITEM_ID", None, None, "name at least one work item")
    with work() as uow:
        member = None
        if username is not None:
            member = uow.worklog.membership_of(username)
            if member is None:
                raise InputError.one("--to", None, None, "no active member by that user name")
        versions = []
        for item_id, seen in items:
            _item(uow, item_id)
            versions.append(
                uow.worklog.change(
                    item_id,
                    seen,
                    {"assigned_membership_id": member},
                    "assign",
                    detail={"to": username},
                )
            )
        uow.commit()
    return versions


def note(work: WorkFlow, item_id: int, version: int, text: str) -> int:
    """Add a note to the item's history; the new version."""
    body = text.strip()
    if not body:
        raise InputError.one("--text", None, None, "a note needs text")
    if len(body) > MAX_NOTE:
        raise InputError.one("--text", None, None, f"a note is at most {MAX_NOTE} characters")
    with work() as uow:
        _item(uow, item_id)
        new = uow.worklog.change(item_id, version, {}, "note", note=body)
        uow.commit()
    return new


def set_state(work: WorkFlow, item_id: int, version: int, state: str, why: str = "") -> int:
    """Move the item to ``state`` (open, in_progress, done, dismissed); done or dismissed
    need a reason. The new version."""
    if state not in STATES:
        raise InputError.one("--state", None, None, f"must be one of {', '.join(STATES)}")
    if state in ("done", "dismissed") and not why.strip():
        raise InputError.one("--reason", None, None, f"marking an item {state} needs a reason")
    with work() as uow:
        _item(uow, item_id)
        new = uow.worklog.change(
            item_id, version, {"state": state}, "status", note=why.strip() or None
        )
        uow.commit()
    return new


def follow_up(work: WorkFlow, item_id: int, version: int, on: date | None) -> int:
    """Set (or clear) the day to look at the item again; the new version."""
    with work() as uow:
        _item(uow, item_id)
        new = uow.worklog.change(item_id, version, {"follow_up_on": on}, "follow_up")
        uow.commit()
    return new


def close_items_of_claim(uow: WorkUnitOfWork, claim_id: int, event: str, why: str) -> None:
    """Mark the claim's open items done (the claim's outcome completed them), inside the
    caller's unit of work; each at its current version."""
    for row in uow.worklog.for_claim(claim_id):
        if row["state"] in ("open", "in_progress"):
            uow.worklog.change(int(row["id"]), int(row["version"]), {"state": "done"}, event, why)


def claim_number(work: WorkFlow, claim_id: int) -> str:
    """The patient control number of a stored claim (``InputError`` "no claim" when this
    organization has none by that id)."""
    with work() as uow:
        found = next(iter(uow.claims.by_ids([claim_id])), None)
    if found is None:
        raise InputError.one("CLAIM_ID", None, None, f"no claim {claim_id}")
    return str(found)
