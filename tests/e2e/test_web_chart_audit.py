"""The chart-audit pages in headless Chromium on a store seeded with synthetic notes with
labelled documentation defects (`ptrcm synth visits --documentation --doc-defect-rate 0.3`,
`ptrcm import visits`): a manager starts an audit in the browser, sees every record scored
(the labelled defects among the findings), produces the therapist feedback (no patient's
name, birth date, member id or street in it, nor in each report's PDF), logs a records
request, closes it with its outcome and logs the recoupment; after each step the KPI
figures on the page are the ones `ptrcm chart-audit kpis` / `requests-kpis --format json`
print for the same database.
On SQLite and on PostgreSQL (skipped without ``PTRCM_TEST_POSTGRES_URL``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ptrcm.domain.access import Role
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from ptrcm.web.formatting import money
from tests.e2e.cli import ptrcm
from tests.e2e.playwright_app import Browser, Page, find_chromium, serve_app, sign_in
from tests.integration.conftest import fresh_database
from tests.web_access import FAST, PASSWORD, add_member

pytestmark = pytest.mark.browser
MANAGER = "manager-n"  # the member who signs in, and as whom the CLI reads the same store


@dataclass(frozen=True)
class Notes:
    url: str
    db: str
    start: date
    end: date
    today: date
    records: list[dict[str, Any]]
    defects: set[tuple[str, str]]  # (visit id, criterion id) the generator injected


def _cli(db: str, *args: str) -> Any:
    done = ptrcm(*args, "--db", db, "--format", "json", env={"PTRCM_OPERATOR": MANAGER})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _seed(tmp: Path, db: str) -> Notes:
    notes = tmp / "notes.jsonl"
    made = ptrcm("synth", "visits", "--out", str(notes), "--patients", "12", "--months", "2",
                 "--seed", "3", "--defect-rate", "0", "--documentation",
                 "--doc-defect-rate", "0.3")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert ptrcm("import", "visits", str(notes), "--db", db).returncode == 0
    records = [json.loads(line) for line in notes.read_text(encoding="utf-8").splitlines()]
    truth = tmp / "notes.doc-truth.jsonl"
    lines = truth.read_text(encoding="utf-8").splitlines()
    defects = {(d["visit_id"], d["criterion"]) for d in map(json.loads, lines)}
    days = sorted(date.fromisoformat(r["date_of_service"]) for r in records)
    return Notes("", db, days[0], days[-1], days[-1] + timedelta(days=1), records, defects)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def notes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Notes]:
    tmp = tmp_path_factory.mktemp("chart-audit-web")
    with fresh_database(request.param, tmp) as db:
        seeded = _seed(tmp, db)
        settings = WebSettings(db, "Notes clinic", lambda: seeded.today, passwords=FAST)
        app = create_app(settings)
        add_member(app, MANAGER, Role.manager, "default")
        with serve_app(app) as url:
            yield Notes(url, db, seeded.start, seeded.end, seeded.today, seeded.records,
                        seeded.defects)  # fmt: skip


@pytest.fixture()
def page(notes: Notes, tmp_path: Path) -> Iterator[Page]:
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium chromium-driver)")
    browser = Browser(executable)
    try:
        tab = browser.new_page(tmp_path / "screenshots")
        sign_in(tab, notes.url, MANAGER, PASSWORD)
        yield tab
    finally:
        browser.close()


def _rate(text: str | None) -> str:
    return "—" if text is None else f"{Decimal(text):.2%}"


def _pass_rates_on_page(page: Page, by: str) -> list[tuple[str, str, str, str, str]]:
    cells = ("td:nth-child(1)", ".records", ".passed", ".rate", ".significant")
    rows = page.pw.locator(f"#kpis-{by} tbody tr")
    return [
        tuple(" ".join((rows.nth(i).locator(c).text_content() or "").split()) for c in cells)  # type: ignore[misc]
        for i in range(rows.count())
    ]


def _pass_rates_from_cli(notes: Notes, by: str) -> list[tuple[str, str, str, str, str]]:
    return [
        (r[by], str(r["records"]), str(r["passed"]), _rate(r["pass_rate"]),
         str(r["significant_findings"]))
        for r in _cli(notes.db, "chart-audit", "kpis", "--by", by)
    ]  # fmt: skip


def _request_kpis_on_page(page: Page) -> dict[str, Any]:
    figures = {
        k: page.text(f'#request-kpis [data-kpi="{k}"]')
        for k in ("open_requests", "overdue_requests", "recoupments", "recouped")
    }
    rows = page.pw.locator("#requests-by-month tbody tr[data-payer]")
    figures["by_month"] = [
        (rows.nth(i).get_attribute("data-payer"), rows.nth(i).get_attribute("data-month"),
         page.texts("#requests-by-month tbody tr[data-payer] .requests")[i])
        for i in range(rows.count())
    ]  # fmt: skip
    return figures


def _request_kpis_from_cli(notes: Notes) -> dict[str, Any]:
    k = _cli(notes.db, "chart-audit", "requests-kpis", "--as-of", notes.today.isoformat())
    return {
        "open_requests": str(k["open_requests"]), "overdue_requests": str(k["overdue_requests"]),
        "recoupments": str(k["recoupments"]), "recouped": money(Decimal(k["recouped"])),
        "by_month": [(r["payer"], r["month"], str(r["requests"]))
                     for r in k["requests_by_payer_month"]],
    }  # fmt: skip


def _assert_kpis_match_the_cli(page: Page, notes: Notes) -> None:
    page.goto(notes.url + "/chart-audits")
    assert page.problems == []
    for by in ("therapist", "location"):
        assert _pass_rates_on_page(page, by) == _pass_rates_from_cli(notes, by), by
    assert _request_kpis_on_page(page) == _request_kpis_from_cli(notes)


def _pdf_text(pdf: bytes, tmp: Path) -> str:
    """The PDF's text through poppler's pdftotext, when installed (else nothing)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return ""
    (tmp / "report.pdf").write_bytes(pdf)
    done = subprocess.run([tool, str(tmp / "report.pdf"), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def _submit(page: Page, form: str, fields: dict[str, str]) -> None:
    """Fill the form's fields (a select by its option) and submit it, as a person would."""
    for name, value in fields.items():
        field = page.pw.locator(f'{form} [name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.pw.expect_navigation():
        page.pw.locator(f'{form} button[type="submit"]').click()
    page.wait_idle()


def test_audit_feedback_and_records_request_in_the_browser_move_the_kpis(
    page: Page, notes: Notes, tmp_path: Path
) -> None:
    _assert_kpis_match_the_cli(page, notes)
    assert page.texts("#kpis-therapist tbody tr .records") == ["0"]  # only "all", nothing yet
    assert page.text("#request-kpis [data-kpi='open_requests']") == "0"

    # Start an audit of every episode of the period in the browser.
    _submit(page, "#start-audit", {"start": notes.start.isoformat(),
                                   "end": notes.end.isoformat(), "method": "random",
                                   "episodes": "1000", "seed": "3"})  # fmt: skip
    page.wait_for_url("/chart-audits/1")
    assert page.problems == []
    shown = _cli(notes.db, "chart-audit", "show", "1")["results"]
    assert len(shown) == len(notes.records) == len(page.texts("#results tbody tr[data-visit]"))
    failing = set(page.attribute('#results tr[data-passed="no"]', "data-visit"))
    assert failing == {r["visit_id"] for r in shown if not r["passed"]} != set()
    rows = page.pw.locator("#results tbody tr[data-visit]")
    findings = {
        (rows.nth(i).get_attribute("data-visit") or "", criterion)
        for i in range(rows.count())
        for criterion in rows.nth(i)
        .locator(".finding")
        .evaluate_all("els => els.map(e => e.dataset.criterion)")
    }
    assert findings == {(r["visit_id"], c) for r in shown for c in r["findings"]}
    assert notes.defects and notes.defects <= findings  # every labelled defect is found

    # The audit's records moved the pass rate by therapist and location.
    _assert_kpis_match_the_cli(page, notes)
    assert page.text("#kpis-location tr[data-group='all'] .records") == str(len(notes.records))
    assert page.text("#audits tr[data-audit='1'] .passed") == str(len(notes.records) - len(failing))

    # The therapist feedback: one report per therapist, de-identified.
    page.goto(notes.url + "/chart-audits/1")
    with page.pw.expect_navigation():
        page.pw.get_by_role("button", name="Produce therapist feedback").click()
    page.wait_idle()
    assert page.problems == []
    therapists = {r["therapist"] for r in shown}
    assert set(page.attribute("section.feedback", "data-therapist")) == therapists
    for therapist in therapists:
        section = f'section.feedback[data-therapist="{therapist}"]'
        listed = set(page.attribute(f"{section} tr[data-criterion]", "data-criterion"))
        own = {c for r in shown if r["therapist"] == therapist for c in r["findings"]}
        assert listed <= own and bool(listed) == bool(own), therapist
    text = page.evaluate("document.body.innerText")
    links = page.attribute("section.feedback a.pdf", "href")
    assert len(links) == len(therapists)
    for link in links:  # each report as the PDF to send the therapist
        answer = page.pw.request.get(f"{notes.url}{link}")
        assert answer.status == 200 and answer.body().startswith(b"%PDF"), link
        pdf = _pdf_text(answer.body(), tmp_path)
        assert not pdf or "Documentation feedback" in pdf
        text += pdf
    for r in notes.records:
        who = r["patient"]
        street = (who.get("address") or {}).get("line1")
        name = who["first_name"] + " " + who["last_name"]
        for identifier in (name, who["birth_date"], street, r.get("member_id")):
            assert not identifier or identifier not in text

    # Each read is in the audit trail under the member: the pages, and the patients' visits
    # the sampling and the feedback read.
    trail = _cli(notes.db, "audit", "search", "--user", MANAGER, "--limit", "10000")
    read = {(r["action"], r["table_name"], r["record_id"]) for r in trail}
    assert {
        ("read", "chart_audit_results", "1"),
        ("read", "records_requests", "/chart-audits"),
    } <= read
    assert {r["patient"] for r in trail if r["action"] == "read"} >= {
        v["patient_id"] for v in notes.records
    }

    # A payer's records request for a failing visit's payer, linked to the audit.
    payer = next(r["payer_id"] for r in notes.records if r["visit_id"] in failing)
    due = notes.today + timedelta(days=30)
    page.goto(notes.url + "/chart-audits")
    _submit(page, "#add-request", {"payer": payer, "kind": "adr", "due_on": due.isoformat(),
                                   "audit": "1", "reference": "ADR-77"})  # fmt: skip
    assert page.problems == []
    _assert_kpis_match_the_cli(page, notes)
    assert page.text("#request-kpis [data-kpi='open_requests']") == "1"
    assert page.texts("#request-list tr[data-request='1'] .status") == ["open"]

    # Its outcome: closed, upheld; then the money the payer took back.
    _submit(page, "form[aria-label='Update request 1']", {"status": "closed",
                                                          "outcome": "upheld"})  # fmt: skip
    assert page.problems == []
    assert page.texts("#request-list tr[data-request='1'] .outcome") == ["upheld"]
    _submit(page, "#add-recoupment", {"payer": payer, "amount": "95.10",
                                      "records_request": "1"})  # fmt: skip
    assert page.problems == []
    _assert_kpis_match_the_cli(page, notes)
    figures = _request_kpis_on_page(page)
    assert (figures["open_requests"], figures["recoupments"], figures["recouped"]) == (
        "0",
        "1",
        money(Decimal("95.10")),
    )
    assert figures["by_month"] == [(payer, notes.today.strftime("%Y-%m"), "1")]


def test_a_bad_form_is_a_400_naming_the_field_and_changes_nothing(page: Page, notes: Notes) -> None:
    page.goto(notes.url + "/chart-audits")
    before = _pass_rates_on_page(page, "therapist"), _request_kpis_on_page(page)
    _submit(page, "#start-audit", {"start": notes.end.isoformat(),
                                   "end": notes.start.isoformat()})  # fmt: skip
    assert "HTTP 400" in " ".join(page.problems)
    assert "before the start of the period" in page.evaluate("document.body.innerText")
    page.goto(notes.url + "/chart-audits")
    assert (_pass_rates_on_page(page, "therapist"), _request_kpis_on_page(page)) == before
