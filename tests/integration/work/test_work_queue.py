"""Working a queue item: assign (one or many), note, status, follow-up, each kept in the
item's history and the audit trail; a change made on an outdated copy is refused and
writes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ptrcm.errors import ConflictError, InputError
from ptrcm.services.work import queue
from ptrcm.store.repository import Store
from tests.integration.work.helpers import add_member, as_actor, audit_rows, denied_claim


def _denial_item(store: Store, org: int) -> tuple[int, int]:
    with as_actor(store, org, "test") as uow:
        (item,) = uow.work.items("denial")
        row = uow.worklog.get(int(item["id"]))
        assert row is not None
        return int(row["id"]), int(row["version"])


def test_assign_note_follow_up_and_done_are_kept_in_history_and_audited(
    store: Store, tmp_path: Path
) -> None:
    org = denied_claim(store, tmp_path)
    add_member(store, org, "bea")
    item, version = _denial_item(store, org)
    work = lambda: as_actor(store, org, "user:bea")  # noqa: E731
    (version,) = queue.assign(work, [(item, version)], "Bea")
    version = queue.note(work, item, version, "called payer, ref 123")
    version = queue.follow_up(work, item, version, date(2026, 4, 2))
    version = queue.set_state(work, item, version, "done", "payer reprocessing")
    shown = queue.show(work, item)
    assert (shown.assignee, shown.state, shown.follow_up_on, shown.version) == (
        "bea",
        "done",
        date(2026, 4, 2),
        version,
    )
    assert shown.claim == "V-1" and version == 5
    assert [e.event for e in shown.history] == ["assign", "note", "follow_up", "status"]
    assert shown.history[1].note == "called payer, ref 123"
    assert {e.actor for e in shown.history} == {"user:bea"}
    audited = audit_rows(store, org, "work_items")
    assert [a["detail"]["event"] for a in audited] == ["assign", "note", "follow_up", "status"]
    assert all(a["record_id"] == str(item) and a["actor"] == "user:bea" for a in audited)


def test_a_change_on_an_outdated_version_is_refused_and_writes_nothing(
    store: Store, tmp_path: Path
) -> None:
    org = denied_claim(store, tmp_path)
    add_member(store, org, "bea")
    add_member(store, org, "cal")
    item, seen = _denial_item(store, org)
    work = lambda: as_actor(store, org, "user:x")  # noqa: E731
    queue.assign(work, [(item, seen)], "bea")  # the first biller wins
    with pytest.raises(ConflictError, match="changed by someone else"):
        queue.assign(work, [(item, seen)], "cal")  # the second worked on the same copy
    with pytest.raises(ConflictError):
        queue.note(work, item, seen, "overwrites nothing")
    shown = queue.show(work, item)
    assert shown.assignee == "bea" and [e.event for e in shown.history] == ["assign"]
    assert len(audit_rows(store, org, "work_items")) == 1


def test_bulk_assign_is_all_or_nothing(store: Store, tmp_path: Path) -> None:
    org = denied_claim(store, tmp_path)
    add_member(store, org, "bea")
    item, version = _denial_item(store, org)
    work = lambda: as_actor(store, org, "test")  # noqa: E731
    queue.note(work, item, version, "moves the version on")
    with pytest.raises(ConflictError):
        queue.assign(work, [(item, version + 1), (item, version)], "bea")
    assert queue.show(work, item).assignee is None  # the first one was not kept either
    with pytest.raises(InputError, match="no active member"):
        queue.assign(work, [(item, version + 1)], "nobody")


def test_done_needs_a_reason_and_states_are_checked(store: Store, tmp_path: Path) -> None:
    org = denied_claim(store, tmp_path)
    item, version = _denial_item(store, org)
    work = lambda: as_actor(store, org, "test")  # noqa: E731
    with pytest.raises(InputError, match="needs a reason"):
        queue.set_state(work, item, version, "done")
    with pytest.raises(InputError, match="must be one of"):
        queue.set_state(work, item, version, "closed", "x")
    with pytest.raises(InputError, match="no work item"):
        queue.note(work, 9999, 1, "x")
