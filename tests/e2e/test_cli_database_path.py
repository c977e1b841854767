"""A mistyped --db path is refused, never silently created; commands that load data create
the database they are pointed at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.cli import ptrcm
from tests.unit.scrub.factory import base

READERS = [
    ("claims", "list"),
    ("claims", "build"),
    ("report", "kpis"),
    ("appeals", "queue"),
    ("worklist",),
    ("estimate", "report"),
    ("db", "current"),
    ("db", "refresh-facts"),
]


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_command_that_reads_refuses_a_sqlite_file_that_does_not_exist(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    missing = tmp_path / "clinc.db"
    done = ptrcm(*command, "--db", f"sqlite:///{missing}", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert str(missing) in done.stderr and "no such file" in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert not missing.exists()


def test_the_default_database_is_not_created_by_a_reader(tmp_path: Path) -> None:
    done = ptrcm("claims", "list", cwd=tmp_path, env={"PTRCM_DATABASE_URL": ""})
    assert done.returncode == 2 and "ptrcm.db" in done.stderr
    assert not (tmp_path / "ptrcm.db").exists()


def test_import_and_db_upgrade_create_the_database(tmp_path: Path) -> None:
    visits = tmp_path / "visits.jsonl"
    visits.write_text(json.dumps(base()) + "\n", encoding="utf-8")
    imported = tmp_path / "imported.db"
    done = ptrcm("import", "visits", str(visits), "--db", f"sqlite:///{imported}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert imported.is_file()
    upgraded = tmp_path / "upgraded.db"
    done = ptrcm("db", "upgrade", "--db", f"sqlite:///{upgraded}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    listed = ptrcm("claims", "list", "--db", f"sqlite:///{upgraded}", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
