"""Every command's "today" is the clinic's date, never the server's.

The processes run with the server's clock set to UTC-12 and the clinic in UTC+14: the two
dates always differ (by one or two days), so a command that read the server's date would
show it.
"""

from __future__ import annotations

import ast
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ptrcm import commands as command_modules
from tests.e2e.cli import ptrcm
from tests.unit.x12_write.factory import visit_record as claim_visit

SERVER_TZ = {"TZ": "Etc/GMT+12"}  # POSIX sign: twelve hours behind UTC
CLINIC_ZONE = "Pacific/Kiritimati"  # fourteen hours ahead of UTC
COMMANDS = Path(command_modules.__file__).parent


def _clinic_days() -> set[date]:
    """The clinic's date now (and a moment later: a test may straddle midnight)."""
    return {datetime.now(ZoneInfo(CLINIC_ZONE)).date()}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "ptrcm.toml"
    path.write_text(f'[clinic]\ntimezone = "{CLINIC_ZONE}"\n', encoding="utf-8")
    return path


def test_report_kpis_ends_its_default_period_on_the_clinics_today(
    tmp_path: Path, config: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'clinic.db'}"
    assert ptrcm("db", "upgrade", "--db", database).returncode == 0
    before = _clinic_days()
    done = ptrcm("report", "kpis", "--format", "json", "--db", database, cwd=tmp_path,
                 env=SERVER_TZ)  # fmt: skip
    assert done.returncode == 0, done.stderr
    last = date.fromisoformat(json.loads(done.stdout)["filters"]["to"])
    assert last in before | _clinic_days()


def test_payer_simulate_receives_on_the_clinics_today(tmp_path: Path, config: Path) -> None:
    visits = tmp_path / "visits.jsonl"
    visits.write_text(json.dumps(claim_visit()) + "\n", encoding="utf-8")
    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    outbox.mkdir()
    written = ptrcm("x12", "write-837", str(visits), "--out", str(outbox / "batch.837"),
                    cwd=tmp_path, env=SERVER_TZ)  # fmt: skip
    assert written.returncode == 0, written.stderr
    before = _clinic_days()
    done = ptrcm("payer", "simulate", "--in", str(outbox), "--out", str(inbox), "--profile",
                 "medicare", "--format", "json", cwd=tmp_path, env=SERVER_TZ)  # fmt: skip
    assert done.returncode == 0, done.stderr
    isa = (inbox / "batch.999").read_text(encoding="ascii").split("~")[0].split("*")
    stamped = datetime.strptime(isa[9], "%y%m%d").date()
    assert stamped in before | _clinic_days()


def _calls_the_server_clock(path: Path) -> list[str]:
    """Calls of the server's local date in a module: ``date.today()``, ``datetime.today()``,
    ``datetime.utcnow()`` and ``datetime.now()`` without a time zone (``datetime.now(UTC)``
    for a timestamp is fine)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        name = owner.id if isinstance(owner, ast.Name) else ""
        call = (name, node.func.attr)
        if call in {("date", "today"), ("datetime", "utcnow"), ("datetime", "today")} or (
            call == ("datetime", "now") and not node.args and not node.keywords
        ):
            found.append(f"{path.name}:{node.lineno} {name}.{node.func.attr}()")
    return found


def test_no_command_reads_the_server_clock() -> None:
    modules = [*sorted(COMMANDS.glob("*.py")), COMMANDS.parent / "cli.py"]
    calls = [call for module in modules for call in _calls_the_server_clock(module)]
    assert calls == []  # today comes from the composition root's clinic clock
