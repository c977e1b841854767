"""`ptrcm demo` end to end on a small clinic: every 837 validates with pyx12, both
first-pass rates are printed, and the scrubber's is the higher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ptrcm.cli import app
from tests.x12_oracle import pyx12_errors


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], Path]:
    folder = tmp_path_factory.mktemp("demo")
    args = ["demo", "--db", f"sqlite:///{folder / 'd.db'}", "--out", str(folder / "out"),
            "--patients", "40", "--months", "2", "--seed", "11", "--format", "json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), folder / "out"


@pytest.mark.slow
def test_every_837_the_demo_writes_validates_with_pyx12(
    demo_run: tuple[dict[str, object], Path],
) -> None:
    _, out = demo_run
    files = sorted(out.glob("*/outbox/*.837"))
    assert len(files) >= 10
    for path in files:
        assert pyx12_errors(path.read_text(encoding="ascii")) == [], path.name


@pytest.mark.slow
def test_the_scrubber_raises_the_first_pass_rate(demo_run: tuple[dict[str, object], Path]) -> None:
    summary, _ = demo_run
    with_scrub = summary["with_scrubber"]
    without = summary["without_scrubber"]
    assert isinstance(with_scrub, dict) and isinstance(without, dict)
    assert float(with_scrub["first_pass_rate"]) > float(without["first_pass_rate"])
    assert float(with_scrub["first_pass_rate"]) >= 95.0
    assert with_scrub["submitted"] and without["submitted"]


def test_each_visit_is_counted_once_as_a_claim_or_as_self_pay(tmp_path: Path) -> None:
    """A self-pay visit never gets a claim, so every weekly build sees it again: the
    summary counts it once (it used to count it once a week: 229 of 276 visits here)."""
    size = ["--patients", "40", "--months", "2", "--locations", "1"]
    out = ["--out", str(tmp_path / "out"), "--format", "json"]
    args = ["demo", "--db", f"sqlite:///{tmp_path / 'd.db'}", *size, *out]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    for run in (summary["with_scrubber"], summary["without_scrubber"]):
        assert int(run["self_pay_visits"]) > 0
        assert int(run["claims"]) + int(run["self_pay_visits"]) <= int(run["visits"])


@pytest.mark.slow
def test_the_demo_answers_every_batch_and_prints_both_rates(tmp_path: Path) -> None:
    args = ["demo", "--db", f"sqlite:///{tmp_path / 'd.db'}", "--out", str(tmp_path / "o"),
            "--patients", "12", "--months", "1"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "first-pass payment rate:" in result.stdout
    assert "with the scrubber" in result.stdout and "without" in result.stdout
    outbox = sorted(p.stem for p in (tmp_path / "o" / "default" / "outbox").glob("*.837"))
    inbox = {p.name for p in (tmp_path / "o" / "default" / "inbox").iterdir()}
    for stem in outbox:
        assert {f"{stem}.999", f"{stem}.277ca"} <= inbox


@pytest.mark.slow
def test_the_run_without_the_scrubber_posts_its_answers_into_its_own_organization(
    demo_run: tuple[dict[str, object], Path],
) -> None:
    summary, out = demo_run
    without = summary["without_scrubber"]
    assert isinstance(without, dict)
    # underpayments and appeals exist only once remittances are posted into the store
    assert without["underpayments"] > 0 and without["appeals"] > 0
    assert sorted((out / "no-scrubber" / "appeals").glob("*.md"))


@pytest.mark.slow
def test_no_claim_is_built_before_its_date_of_service_and_none_waits_over_a_week(
    demo_run: tuple[dict[str, object], Path],
) -> None:
    from sqlalchemy import create_engine, select

    from ptrcm.store.tables import claim_transitions, claims

    _, out = demo_run
    engine = create_engine(f"sqlite:///{out.parent / 'd.db'}")
    query = (
        select(claims.c.first_date_of_service, claim_transitions.c.occurred_at)
        .join(claim_transitions, claim_transitions.c.claim_id == claims.c.id)
        .where(claim_transitions.c.from_state.is_(None), claim_transitions.c.to_state == "built")
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    engine.dispose()
    assert rows
    lags = [(built.date() - dos).days for dos, built in rows]
    assert min(lags) >= 1  # billed the day after the week that holds the visit closes
    assert max(lags) <= 7


@pytest.mark.slow
def test_start_moves_the_clinic_in_time_and_a_bad_start_is_a_usage_error(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, func, select

    from ptrcm.store.tables import claims

    args = ["demo", "--db", f"sqlite:///{tmp_path / 'd.db'}", "--out", str(tmp_path / "o"),
            "--patients", "8", "--months", "1", "--start", "2026-06-01"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{tmp_path / 'd.db'}")
    with engine.connect() as conn:
        first = conn.execute(select(func.min(claims.c.first_date_of_service))).scalar_one()
    engine.dispose()
    assert first is not None and first.isoformat() >= "2026-06-01"
    bad = CliRunner().invoke(app, ["demo", "--start", "June"])
    assert bad.exit_code == 2


# Columns that name a day ahead by their meaning: deadlines and the end of a validity
# window (an authorization, a plan of care, a coverage). Everything else records a fact.
FORWARD_LOOKING = {
    ("work_items", "due_date"),
    ("appeals", "deadline"),
    ("authorizations", "start_date"),  # an authorization may be issued ahead of its window
    ("authorizations", "end_date"),
    ("plans_of_care", "through"),
    ("coverages", "end_date"),
    ("fee_schedules", "effective_from"),  # next year's PFS schedule, published ahead
}
# The day a claim leaves A/R in the A/R rollups (0034): 9999-12-31 while it is still open,
# so only the other days are checked.
STILL_OPEN = "9999-12-31"
OPEN_ENDED = {("ar_rollup_charges", "gone_on"), ("ar_rollup_reductions", "gone_on")}


# The people who use the system (accounts, sessions, sign-ins, tokens, and the audit rows of
# their creation) are dated by the real clock when the demo seeds them, not by the clinic's;
# so is the read caches' counter of writes (``data_versions``), which holds no clinic data.
PEOPLE = frozenset(
    {"users", "memberships", "sessions", "login_attempts", "api_tokens", "audit_log",
     "data_versions"}
)  # fmt: skip


@pytest.mark.slow
def test_nothing_the_demo_stores_is_dated_after_its_today(
    demo_run: tuple[dict[str, object], Path],
) -> None:
    from datetime import UTC, date, datetime, time, timedelta

    from sqlalchemy import Date, DateTime, MetaData, create_engine, func, select

    summary, out = demo_run
    run = summary["with_scrubber"]
    assert isinstance(run, dict)
    today = date.fromisoformat(str(run["today"]))
    assert today <= date.today()
    midnight = datetime.combine(today + timedelta(days=1), time.min)
    engine = create_engine(f"sqlite:///{out.parent / 'd.db'}")
    tables = MetaData()
    tables.reflect(engine)
    late: dict[str, object] = {}
    checked = 0
    with engine.connect() as conn:
        for table in tables.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, Date | DateTime):
                    continue
                if (table.name, column.name) in FORWARD_LOOKING or table.name in PEOPLE:
                    continue
                query = select(func.max(column))
                if (table.name, column.name) in OPEN_ENDED:
                    query = query.where(column < date.fromisoformat(STILL_OPEN))
                latest = conn.execute(query).scalar()
                checked += 1
                if isinstance(latest, datetime):
                    naive = latest.astimezone(UTC).replace(tzinfo=None) if latest.tzinfo else latest
                    if naive >= midnight:
                        late[f"{table.name}.{column.name}"] = latest
                elif isinstance(latest, date) and latest > today:
                    late[f"{table.name}.{column.name}"] = latest
    engine.dispose()
    assert checked > 50
    assert late == {}
    # The payers' files too: no 835 in an inbox pays on a day after the run's today.
    for path in out.glob("*/inbox/*.835"):
        segments = [s.strip() for s in path.read_text(encoding="ascii").split("~")]
        bpr = next(s for s in segments if s.startswith("BPR*"))
        assert date.fromisoformat(_iso(bpr.split("*")[16])) <= today, path.name
    assert int(str(run["remittances_pending"])) > 0  # later payments simply have not come


def _iso(ccyymmdd: str) -> str:
    return f"{ccyymmdd[:4]}-{ccyymmdd[4:6]}-{ccyymmdd[6:8]}"


def test_a_demo_period_that_runs_past_today_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    from datetime import date

    start = date.today().replace(day=1).isoformat()
    args = ["demo", "--db", f"sqlite:///{tmp_path / 'd.db'}", "--out", str(tmp_path / "o"),
            "--patients", "4", "--months", "2", "--start", start]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "after today" in result.output
    assert not (tmp_path / "o").exists() and not (tmp_path / "d.db").exists()


@pytest.mark.slow
def test_every_underpayment_the_demo_flags_is_one_the_payer_made(tmp_path: Path) -> None:
    # Across the turn of the year (2025 and 2026 PFS amounts) every queued underpayment is
    # a line the simulated payer quietly allowed at (1 - underpayment_cut) of the contract:
    # the check and the payer price MPPR, CQ/CO and each year's schedule alike.
    from decimal import Decimal

    from sqlalchemy import create_engine, select

    from ptrcm.domain.money import round_cents
    from ptrcm.store.tables import underpayments

    db = tmp_path / "d.db"
    args = ["demo", "--db", f"sqlite:///{db}", "--out", str(tmp_path / "o"), "--patients", "30",
            "--months", "2", "--start", "2025-12-01", "--seed", "5"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    cuts = {Decimal(c) for c in ("0.08", "0.10", "0.12", "0.15")}
    with create_engine(f"sqlite:///{db}").connect() as conn:
        rows = list(conn.execute(select(underpayments)))
    assert rows
    for row in rows:
        expected, actual = row.expected_allowed, row.actual_allowed
        assert any(actual == round_cents(expected * (1 - cut)) for cut in cuts), (
            row.code,
            expected,
            actual,
            row.steps,
        )
