"""The in-memory money-in unit of work keeps the SQL one's transaction rules, so the
services' atomicity can be tested on it without a database: nothing is kept without
``commit``, ``serialize_posting`` comes before any write, and a posting that fails midway
leaves every table as it was. (The scenarios on fake, SQLite and PostgreSQL are in
``tests/scenarios/test_money_in.py``.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ptrcm.domain.work_queue import WorkItem
from ptrcm.errors import InvariantError
from ptrcm.services.remittance import posting
from ptrcm.services.remittance.claim_posting import PostedClaim
from ptrcm.x12.remit835 import model as rm
from tests.fakes.money_in import MoneyInDatabase
from tests.integration.posting.builders import remittance, write
from tests.scenarios.money_in_steps import OPTIONS, paid, seed

ONE = (("97110", 30),)


def test_nothing_is_kept_without_commit_and_everything_with_it() -> None:
    database = MoneyInDatabase()
    with database.unit_of_work() as uow:
        uow.work.add(WorkItem("exception", "left without commit"))
    with database.unit_of_work() as uow:
        assert uow.work.items() == []
        uow.work.add(WorkItem("exception", "committed"))
        uow.commit()
    with database.unit_of_work() as uow:
        assert [i["reason"] for i in uow.work.items()] == ["committed"]


def test_serialize_posting_must_come_before_any_write() -> None:
    with MoneyInDatabase().unit_of_work() as uow:
        uow.serialize_posting()
        uow.work.add(WorkItem("exception", "written"))
        with pytest.raises(InvariantError, match="after this transaction wrote"):
            uow.serialize_posting()


def test_a_unit_of_work_refuses_to_be_used_outside_its_with_block() -> None:
    uow = MoneyInDatabase().unit_of_work()
    with pytest.raises(InvariantError, match="outside its `with` block"):
        uow.work.items()


def test_a_posting_that_fails_midway_leaves_the_fake_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = MoneyInDatabase()
    seed(database.unit_of_work, (("V-4", ONE), ("V-5", ONE)), None)
    path = write(tmp_path, "i.835", remittance([paid("V-4"), paid("V-5")], "94.40"))
    before = database.committed.copy()
    real = posting.post_claim
    calls: list[str] = []

    def failing(claim: rm.ClaimPayment, *args: Any, **kwargs: Any) -> PostedClaim:
        calls.append(claim.patient_control_number)
        if len(calls) == 2:
            raise RuntimeError("disk on fire after the first claim was posted")
        return real(claim, *args, **kwargs)

    monkeypatch.setattr(posting, "post_claim", failing)
    with pytest.raises(RuntimeError):
        posting.post_remittance(database.unit_of_work, path, OPTIONS)
    assert calls == ["V-4", "V-5"]
    assert database.committed == before
    monkeypatch.setattr(posting, "post_claim", real)
    result = posting.post_remittance(database.unit_of_work, path, OPTIONS)
    assert (result.posted, result.paid) == (2, 2 * paid("V-4").paid.amount)
    with database.unit_of_work() as uow:
        assert {p: r.state for p, r in uow.claims.by_pcn(["V-4", "V-5"]).items()} == {
            "V-4": "paid",
            "V-5": "paid",
        }
