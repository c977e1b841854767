"""The command line's shape: shared options declared once and `ptrcm --help` light."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import typer

from ptrcm.cli import app
from tests.e2e.cli import SOURCES

SHARED = ("db", "owner_db", "org", "config", "as_of")


def _commands(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    subcommands = getattr(node, "commands", None)
    if getattr(node, "callback", None) is not None and path:
        yield " ".join(path), node
    for name, child in (subcommands or {}).items():
        yield from _commands(child, (*path, name))


COMMANDS = dict(_commands(typer.main.get_command(app)))


@pytest.mark.parametrize("option", SHARED)
def test_each_shared_option_means_the_same_in_every_command(option: str) -> None:
    seen: dict[tuple[str, str, str], list[str]] = {}
    for name, command in COMMANDS.items():
        for param in command.params:
            # db refresh-facts and users list take --org as a filter: one organization or all
            if param.name == option and name not in ("db refresh-facts", "users list"):
                key = (param.opts[0], str(param.help), str(param.envvar))
                seen.setdefault(key, []).append(name)
    assert len(seen) == 1, seen


def test_every_command_that_loads_data_takes_config() -> None:
    for name in ("import visits", "import master", "import appointments", "demo"):
        assert "config" in {p.name for p in COMMANDS[name].params}, name


def test_help_imports_no_database_web_or_service_code() -> None:
    probe = (
        "import sys, ptrcm.cli; heavy = ('sqlalchemy', 'fastapi', 'uvicorn', 'ptrcm.services',"
        " 'ptrcm.store', 'ptrcm.bootstrap', 'ptrcm.rules'); print(sorted({m.split('.')[0] if"
        " not m.startswith('ptrcm') else '.'.join(m.split('.')[:2]) for m in sys.modules"
        " if m.startswith(heavy)}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={"PYTHONPATH": SOURCES}, check=False, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
