"""The closure commands as a biller and a manager run them: queue list/note (a stale
version refused, exit 2), appeals sent, a write-off above the biller's limit approved by
a manager, correct and void. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ptrcm.store.repository import Store
from tests.e2e.cli import ptrcm
from tests.integration.posting.builders import cas, clp, post, remittance, seed, svc, visit, write
from tests.integration.work.helpers import DENIED, add_member, as_actor


@dataclass(frozen=True, slots=True)
class Result:
    exit_code: int
    output: str


def run(db_url: str, *args: str, who: str | None = None) -> Result:
    """The command in a new process, as a terminal runs it (``--as`` before the command);
    ``output``: what it printed on stdout and stderr."""
    head = ["--as", who] if who else []
    done = ptrcm(*head, *args, "--db", db_url)
    return Result(done.returncode, done.stdout + done.stderr)


def _org(store: Store, tmp_path: Path) -> int:
    second = clp(
        "V-2", "4", "110.00", "0.00",
        svc("97110", "110.00", "0.00", cas("CO", "4", "110.00"), line=1), payer_claim="CCN-2",
    )  # fmt: skip
    org = seed(store, [visit("V-1", [("97110", 30)]), visit("V-2", [("97110", 30)])], "default")
    post(store, org, write(tmp_path, "denied.835", remittance([DENIED, second], "0.00")))
    add_member(store, org, "bea", "biller")
    add_member(store, org, "max", "manager")
    return org


def test_a_biller_works_a_denial_and_a_manager_approves_the_write_off(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    org = _org(store, tmp_path)
    listed = run(db_url, "queue", "list", "--kind", "denial", "--format", "json", who="bea")
    assert listed.exit_code == 0, listed.output
    first = next(i for i in json.loads(listed.output) if i["claim"] == "V-1")
    ref = str(first["id"])
    noted = run(db_url, "queue", "note", ref, "--version", str(first["version"]),
                "--text", "called payer", who="bea")  # fmt: skip
    assert noted.exit_code == 0, noted.output
    stale = run(db_url, "queue", "note", ref, "--version", str(first["version"]),
                "--text", "again", who="bea")  # fmt: skip
    assert stale.exit_code == 2 and "changed by someone else" in stale.output
    letter = run(db_url, "appeals", "letter", "V-1", "--as-of", "2026-03-24", who="bea")
    assert letter.exit_code == 0, letter.output
    sent = run(db_url, "appeals", "sent", "V-1", "--method", "portal", "--on", "2026-03-24",
               who="bea")  # fmt: skip
    assert sent.exit_code == 0 and "sent by portal on 2026-03-24" in sent.output
    asked = run(db_url, "claims", "write-off", "V-2", "--amount", "110.00", "--category",
                "no_authorization", "--reason", "no auth on file", who="bea")  # fmt: skip
    assert asked.exit_code == 0 and "waits for a manager" in asked.output
    refused = run(db_url, "claims", "approve", "1", who="bea")
    assert refused.exit_code == 2 and "approved by someone else" in refused.output
    approved = run(db_url, "claims", "approve", "1", who="max")
    assert approved.exit_code == 0 and "write-off 1 approved" in approved.output, approved.output
    shown = run(db_url, "queue", "show", ref, "--format", "json", who="max")
    history = json.loads(shown.output)["history"]
    assert [(h["actor"], h["event"]) for h in history] == [
        ("user:bea", "note"), ("user:bea", "appeal_sent"),
    ]  # fmt: skip
    with as_actor(store, org, "t") as uow:
        states = {p: r.state for p, r in uow.claims.by_pcn(["V-1", "V-2"]).items()}
        (appeal,) = uow.appeals.all()
    assert states == {"V-1": "appealed", "V-2": "closed"}
    assert str(appeal["submitted_on"]) == "2026-03-24" and appeal["sent_method"] == "portal"


def test_correct_and_void_from_the_command_line(store: Store, db_url: str, tmp_path: Path) -> None:
    org = _org(store, tmp_path)
    bad = run(db_url, "claims", "correct", "V-1", "--reason", "x", "--line", "1:units=two",
              who="bea")  # fmt: skip
    assert bad.exit_code == 2 and "whole number" in bad.output
    fixed = run(db_url, "claims", "correct", "V-1", "--reason", "KX", "--line",
                "1:modifiers=GP+KX", who="bea")  # fmt: skip
    assert fixed.exit_code == 0 and "replacement V-1-C1" in fixed.output
    voided = run(db_url, "claims", "void", "V-2", "--reason", "wrong payer", who="bea")
    assert voided.exit_code == 0 and "void claim V-2-V1" in voided.output
    closed = run(db_url, "claims", "close", "V-2", "--reason", "again", who="bea")
    assert closed.exit_code == 2 and "voided: cannot close" in closed.output
    with as_actor(store, org, "t") as uow:
        found = uow.claims.by_pcn(["V-1", "V-1-C1", "V-2-V1"])
    assert [found[p].state for p in ("V-1", "V-1-C1", "V-2-V1")] == ["corrected", "built", "built"]
    assert found["V-1-C1"].lines[0].modifiers == ("GP", "KX")
    assert found["V-1-C1"].document["replaces"] == "V-1"
