"""Who a command acts as, from the command line as a user runs it: on a database with user
accounts a command must name an active user of its organization, and the shell's login
name never counts; on a single-user database the name is recorded as given."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.e2e.cli import ptrcm


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("attribution")
    made = ptrcm("synth", "visits", "--out", str(where / "visits.jsonl"), "--patients", "3",
                 "--months", "1", "--locations", "1", "--seed", "5", cwd=where)  # fmt: skip
    assert made.returncode == 0, made.stderr
    return where


def _db(where: Path) -> str:
    return f"sqlite:///{where / 'ptrcm.db'}"


def _actors(where: Path) -> list[str]:
    with sqlite3.connect(where / "ptrcm.db") as conn:
        return [row[0] for row in conn.execute("SELECT actor FROM audit_log ORDER BY id")]


def _visits(where: Path) -> int:
    with sqlite3.connect(where / "ptrcm.db") as conn:
        return int(conn.execute("SELECT count(*) FROM visits").fetchone()[0])


def _list_claims(where: Path, *extra: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """``claims list`` (a read of PHI, audited), with the shell's login set to dr.jones."""
    return ptrcm(*extra, "claims", "list", "--db", _db(where), cwd=where,
                 env={"LOGNAME": "dr.jones", "USER": "dr.jones", **(env or {})})  # fmt: skip


def test_attribution_from_single_user_to_multi_user(clinic: Path) -> None:
    where = clinic
    for step in (
        ("import", "master", str(where / "visits.master.json")),
        ("import", "visits", str(where / "visits.jsonl")),
        ("claims", "build"),
    ):
        done = ptrcm(*step, "--db", _db(where), cwd=where, env={"LOGNAME": "dr.jones"})
        assert done.returncode == 0, done.stderr
    assert _list_claims(where, "--as", "kim").returncode == 0
    before = set(_actors(where))
    assert {"cli:unattributed", "operator:kim"} <= before  # no accounts yet: as given
    assert not any("dr.jones" in a for a in before)

    added = ptrcm("users", "add", "alice", "--name", "Alice Example", "--org", "default",
                  "--role", "biller", "--password-stdin", "--db", _db(where), cwd=where,
                  stdin="copper kettle winter orbit 42\n")  # fmt: skip
    assert added.returncode == 0, added.stderr

    # Accounts exist now: a command naming no one is refused before it reads anything,
    # whatever the shell's login name says.
    count = len(_actors(where))
    refused = _list_claims(where)
    assert refused.returncode == 2
    assert "--as" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    unknown = _list_claims(where, "--as", "mallory")
    assert unknown.returncode == 2 and "no active user" in unknown.stderr
    assert len(_actors(where)) == count

    assert _list_claims(where, "--as", "alice").returncode == 0
    assert _list_claims(where, env={"PTRCM_OPERATOR": "Alice"}).returncode == 0
    new = _actors(where)[count:]
    assert new and all(a == "user:alice" for a in new)

    off = ptrcm("users", "disable", "alice", "--db", _db(where), cwd=where)
    assert off.returncode == 0, off.stderr
    disabled = _list_claims(where, "--as", "alice")
    assert disabled.returncode == 2 and "no active user" in disabled.stderr
