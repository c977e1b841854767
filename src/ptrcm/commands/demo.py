"""`ptrcm demo`: the synthetic clinic through the whole flow, with and without the scrubber."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from ptrcm.cli_support import OutputFormat, emit_json, err, fail, opened, out
from ptrcm.commands.options import Config, Db, Fmt
from ptrcm.errors import PtrcmError

DEMO_ORGS = ("default", "no-scrubber")  # the organizations ptrcm.services.demo.run fills

if TYPE_CHECKING:
    from rich.console import Console

    from ptrcm.bootstrap import Root
    from ptrcm.services.demo.run import RunSummary
    from ptrcm.services.progress import Progress

ROWS = (
    ("claims", "claims built"),
    ("submitted", "claims submitted"),
    ("held", "claims held after safe fixes"),
    ("charges", "charges submitted"),
    ("payments", "payer payments posted"),
    ("clean_claim_rate", "clean-claim rate %"),
    ("first_pass_rate", "first-pass payment rate %"),
    ("rejected", "rejected at 277CA"),
    ("denied_claims", "claims with denials"),
    ("underpayments", "underpaid lines found"),
    ("appeals", "appeal letters"),
    ("appeals_won", "appeals won"),
    ("appeal_recovered", "recovered on appeal"),
    ("secondary_files", "secondary 837 files"),
    ("remittances_pending", "835s not yet received"),
    ("today", "as of (the run's today)"),
)


def demo(
    db: Db = None,
    out_dir: Annotated[str, typer.Option("--out", help="Folder for files.")] = "var/demo",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    patients: Annotated[int, typer.Option(help="Patients.")] = 600,
    months: Annotated[int, typer.Option(help="Months of visits.")] = 6,
    locations: Annotated[int, typer.Option(help="Clinic locations, 1 to 5.")] = 3,
    start: Annotated[
        str,
        typer.Option(
            help="First day of the clinic's visits (YYYY-MM-DD); the --months after it must"
            " end by today."
        ),
    ] = "2025-10-01",
    config: Config = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Run a synthetic clinic through the whole cycle, with and without the scrubber.

    Import, scrub with safe fixes, 837 batches, the payer simulator's 999/277CA/835,
    posting, secondary claims and appeals; then the same clinic without the scrubber; both
    summaries side by side. Nothing is dated after the run's today: an 835 the payer would
    send later is not sent (its claims stay in A/R; "835s not yet received").
    """
    from ptrcm.services.demo.calendar import period_end
    from ptrcm.services.demo.run import DemoOptions, run_demo

    try:
        first_day = date.fromisoformat(start)
    except ValueError:
        raise fail(f"--start {start!r}: must be a date YYYY-MM-DD") from None
    started = time.monotonic()
    # The demo makes its database (a SQLite file is created when missing).
    with (
        opened(config=config, db=db, create_db=True) as root,
        _progress(fmt) as progress,
    ):
        options = DemoOptions(
            Path(out_dir), seed, patients, months, locations, first_day, today=root.clock.today()
        )
        try:
            period_end(options)  # a period past today is refused before the store is opened
            with_scrub, without = run_demo(
                options, root.config, root.catalog, root.tenants, progress
            )
        except (PtrcmError, ValueError) as exc:
            raise fail(str(exc)) from None
        credentials = _seed_people(root, Path(out_dir))
    seconds = round(time.monotonic() - started, 1)
    if fmt is OutputFormat.json:
        emit_json({"seconds": seconds, "with_scrubber": with_scrub.to_json(),
                   "without_scrubber": without.to_json(),
                   "credentials_file": str(credentials)})  # fmt: skip
        return
    _print(with_scrub, without, seconds)
    out.print(
        f"sign in with the demo's users: names and generated passwords in {credentials}"
        " (readable by you only)",
        markup=False,
    )


def _seed_people(root: Root, folder: Path) -> Path:
    """An admin and one user per role in the demo organizations; their generated
    passwords in ``folder/credentials.txt`` (0600)."""
    from datetime import UTC, datetime

    from ptrcm.services.access.demo_accounts import seed_demo_accounts, write_credentials
    from ptrcm.services.access.passwords import Passwords

    with root.access_unit_of_work() as uow:
        accounts = seed_demo_accounts(uow.access, Passwords(), DEMO_ORGS, datetime.now(UTC))
        uow.commit()
    path = folder / "credentials.txt"
    write_credentials(path, accounts, "http://127.0.0.1:8000/login")
    return path


class _Bars:
    """A Rich bar per phase; a phase named again resumes its bar."""

    def __init__(self, bars: Any) -> None:
        self.bars, self.tasks, self.current = bars, dict[str, Any](), None

    def phase(self, name: str, total: int) -> None:
        if name not in self.tasks:
            self.tasks[name] = self.bars.add_task(name, total=total)
        self.current = self.tasks[name]

    def advance(self, n: int = 1) -> None:
        if self.current is not None:
            self.bars.advance(self.current, n)


class _Lines:
    """One plain line as each phase first starts, on a stream that cannot redraw a bar (a
    log file, a pipe, a dumb terminal): a phase the run returns to is not printed again."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.seen: set[str] = set()

    def phase(self, name: str, total: int) -> None:
        if name not in self.seen:
            self.seen.add(name)
            elapsed = time.monotonic() - self.started
            print(f"demo [{elapsed:6.1f} s] {name} ({total} steps)", file=self.stream, flush=True)

    def advance(self, n: int = 1) -> None:
        return None


@contextmanager
def _progress(fmt: OutputFormat, console: Console = err) -> Iterator[Progress | None]:
    """Bars when ``console`` (stderr) is a terminal that redraws, a line per phase
    otherwise, nothing under ``--format json``. (Rich draws nothing on a stream that is not
    a terminal until the end, so a log would stay empty for the whole run.)"""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bars

    if fmt is OutputFormat.json:
        yield None
    elif not console.is_terminal or console.is_dumb_terminal:
        yield _Lines(console.file)
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())  # fmt: skip
        with Bars(*columns, console=console) as bars:
            yield _Bars(bars)


def _print(a: RunSummary, b: RunSummary, seconds: float) -> None:
    from rich.table import Table

    table = Table(title=f"ptrcm demo: {a.visits} visits, {seconds} s")
    for col in ("", a.label, b.label):
        table.add_column(col, justify="right" if col else "left")
    for key, label in ROWS:
        table.add_row(label, _shown(getattr(a, key)), _shown(getattr(b, key)))
    out.print(table)
    cats = sorted(set(a.denials_by_category) | set(b.denials_by_category))
    if cats:
        table = Table(title="denials by category (claims)")
        for col in ("category", a.label, b.label):
            table.add_column(col, justify="right" if col != "category" else "left")
        for c in cats:
            table.add_row(c, str(a.denials_by_category.get(c, 0)),
                          str(b.denials_by_category.get(c, 0)))  # fmt: skip
        out.print(table)
    out.print(
        f"first-pass payment rate: {_shown(a.first_pass_rate, '%')} with the scrubber,"
        f" {_shown(b.first_pass_rate, '%')} without",
        markup=False,
    )


def _shown(value: object, unit: str = "") -> str:
    """A summary figure; "—" when it has no denominator (nothing submitted, say)."""
    return "—" if value is None else f"{value}{unit}"
