"""`ptrcm demo` reports its phases, in order, to whoever listens, and the CLI shows them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ptrcm.bootstrap import build_context
from ptrcm.cli import app
from ptrcm.services.demo.run import DemoOptions, run_demo
from ptrcm.store.repository import Store
from ptrcm.store.tenants import Tenants

STEPS = ("import", "build, scrub, submit", "payer simulation", "acknowledgments",
         "remittances and secondaries", "appeals")  # fmt: skip


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []
        self.current = ""

    def phase(self, name: str, total: int) -> None:
        self.current = name
        self.calls.append(("phase", name, total))

    def advance(self, n: int = 1) -> None:
        self.calls.append(("advance", self.current, n))


@pytest.mark.slow
def test_the_demo_reports_each_phase_in_order_and_finishes_each(tmp_path: Path) -> None:
    ctx = build_context()
    options = DemoOptions(tmp_path / "o", patients=12, months=1)
    recorder = Recorder()
    store = Store.open(f"sqlite:///{tmp_path / 'd.db'}")
    try:
        run_demo(options, ctx.config, ctx.catalog, Tenants(store), recorder)
    finally:
        store.close()
    names = list(dict.fromkeys(name for kind, name, _ in recorder.calls if kind == "phase"))
    runs = [f"{label}: {step}" for label in ("with scrubber", "without scrubber") for step in STEPS]
    assert names == ["synthetic clinic", *runs]
    totals = {name: total for kind, name, total in recorder.calls if kind == "phase"}
    done = {name: 0 for name in names}
    for kind, name, n in recorder.calls:
        if kind == "advance":
            done[name] += n
    assert done == totals
    assert totals["with scrubber: build, scrub, submit"] >= 4  # one step a week


@pytest.mark.slow
def test_the_cli_prints_a_line_per_phase_when_not_on_a_terminal(tmp_path: Path) -> None:
    args = ["demo", "--db", f"sqlite:///{tmp_path / 'd.db'}", "--out", str(tmp_path / "o"),
            "--patients", "12", "--months", "1"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("demo [")]
    assert len(lines) == 1 + 2 * len(STEPS)
    assert lines[0].endswith("synthetic clinic (1 steps)")
    assert "without scrubber: appeals" in lines[-1]
    assert "first-pass payment rate:" in result.stdout


@pytest.mark.slow
def test_the_cli_prints_no_progress_under_json(tmp_path: Path) -> None:
    args = ["demo", "--db", f"sqlite:///{tmp_path / 'd.db'}", "--out", str(tmp_path / "o"),
            "--patients", "12", "--months", "1", "--format", "json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_a_stderr_that_is_not_a_terminal_gets_each_phase_once_as_it_starts() -> None:
    from rich.console import Console

    from ptrcm.cli_support import OutputFormat
    from ptrcm.commands.demo import _Lines, _progress

    log = io.StringIO()
    with _progress(OutputFormat.text, Console(file=log)) as progress:
        assert isinstance(progress, _Lines)
        progress.phase("with scrubber: build, scrub, submit", 3)
        assert log.getvalue().count("\n") == 1  # printed as it starts, not at the end
        for _week in range(3):  # the weekly loop returns to the same phases
            progress.advance()
            progress.phase("with scrubber: appeals", 3)
            progress.advance()
            progress.phase("with scrubber: build, scrub, submit", 3)
    lines = log.getvalue().splitlines()
    assert [ln.split("] ", 1)[1] for ln in lines] == [
        "with scrubber: build, scrub, submit (3 steps)",
        "with scrubber: appeals (3 steps)",
    ]
    dumb = Console(file=io.StringIO(), force_terminal=True, _environ={"TERM": "dumb"})
    with _progress(OutputFormat.text, dumb) as progress:
        assert isinstance(progress, _Lines)
    terminal = Console(file=io.StringIO(), force_terminal=True, _environ={"TERM": "xterm"})
    with _progress(OutputFormat.text, terminal) as progress:
        assert not isinstance(progress, _Lines)
    with _progress(OutputFormat.json, terminal) as progress:
        assert progress is None
