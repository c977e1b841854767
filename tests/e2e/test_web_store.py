"""The web app on a real store seeded by `ptrcm demo`, in headless Chromium: every page
loads cleanly (screenshots in the pytest tmp dir), no sample notice,
claim timelines explain 835 adjustments in words, and the dashboard tiles show the same
numbers as `ptrcm report kpis --format json` for the same period."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ptrcm.store.repository import Store
from ptrcm.store.tables import claim_payments, claims, remittance_transactions, visits
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from ptrcm.web.formatting import format_unit
from ptrcm.web.ports import Unit
from tests.e2e.playwright_app import Browser, Page, find_chromium, serve_app, sign_in

pytestmark = pytest.mark.browser

PTRCM = Path(sys.executable).with_name("ptrcm")


@dataclass(frozen=True)
class Demo:
    url: str
    db: str
    start: date
    end: date
    denied_pcn: str
    held_pcn: str
    credentials: Path


def demo_login(credentials: Path, role: str) -> tuple[str, str]:
    """The user name and password the demo printed for ``role`` (its credentials file)."""
    for line in credentials.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields and not line.startswith("#") and fields[0] == role:
            return fields[1], fields[2]
    raise AssertionError(f"no {role} in {credentials}")


def _seed(tmp: Path) -> Demo:
    db = f"sqlite:///{tmp / 'demo.db'}"
    subprocess.run(
        [str(PTRCM), "demo", "--db", db, "--out", str(tmp / "out"),
         "--patients", "40", "--months", "2", "--format", "json"],
        check=True, capture_output=True, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    store = Store.open(db)
    org = store.organization_id("default")
    with store.engine.connect() as conn:
        first_visit = conn.execute(
            select(func.min(visits.c.date_of_service)).where(visits.c.org_id == org)
        ).scalar_one()
        last_remit = conn.execute(
            select(func.max(remittance_transactions.c.payment_date)).where(
                remittance_transactions.c.org_id == org
            )
        ).scalar_one()
        denied = conn.execute(
            select(claims.c.pcn)
            .join(claim_payments, claim_payments.c.claim_id == claims.c.id)
            .where(claims.c.org_id == org, claims.c.state.in_(("denied", "closed", "appealed")))
            .limit(1)
        ).scalar_one()
        held = conn.execute(
            select(claims.c.pcn).where(claims.c.org_id == org, claims.c.state == "held").limit(1)
        ).scalar_one()
    store.close()
    return Demo("", db, first_visit, last_remit, denied, held, tmp / "out" / "credentials.txt")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    seeded = _seed(tmp_path_factory.mktemp("store-web"))
    settings = WebSettings(
        seeded.db, "Demo clinic", lambda: seeded.end, credentials_file=str(seeded.credentials)
    )
    with serve_app(create_app(settings)) as url:
        yield Demo(url, seeded.db, seeded.start, seeded.end, seeded.denied_pcn, seeded.held_pcn,
                   seeded.credentials)  # fmt: skip


@pytest.fixture(scope="module")
def browser(demo: Demo) -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium chromium-driver)")
    started = Browser(executable)
    try:
        # The demo's printed credentials work: the manager signs in with them.
        sign_in(started.new_page(), demo.url, *demo_login(demo.credentials, "manager"))
        yield started
    finally:
        started.close()


@pytest.fixture()
def page(browser: Browser, tmp_path: Path) -> Page:
    return browser.new_page(tmp_path / "screenshots")


def _period(demo: Demo) -> str:
    return f"?from={demo.start}&to={demo.end}"


def _pages(demo: Demo) -> dict[str, str]:
    return {
        "dashboard": "/" + _period(demo),
        "queues": "/queues",
        "queue-scrub-errors": "/queues/scrub-errors",
        "queue-underpayments": "/queues/underpayments",
        "claim-denied": f"/claims/{demo.denied_pcn}",
        "claim-held": f"/claims/{demo.held_pcn}",
        "payers": "/payers" + _period(demo),
        "therapists": "/therapists" + _period(demo),
        "scheduling": "/scheduling" + _period(demo),
    }


def test_the_demo_credentials_are_the_owners_only_and_named_not_shown_at_sign_in(
    browser: Browser, demo: Demo
) -> None:
    assert demo.credentials.stat().st_mode & 0o777 == 0o600
    roles = {"admin", "therapist", "front_desk", "biller", "manager", "auditor"}
    logins = {role: demo_login(demo.credentials, role) for role in roles}
    fresh = Browser(find_chromium() or "chromium")
    try:
        tab = fresh.new_page()
        tab.goto(demo.url + "/login")
        text = tab.evaluate("document.body.innerText")
        assert str(demo.credentials) in text
        assert not any(password in tab.evaluate("document.documentElement.outerHTML")
                       for _name, password in logins.values())  # fmt: skip
        sign_in(tab, demo.url, *logins["front_desk"])
        assert tab.evaluate("location.pathname") == "/worklist"
        assert tab.problems == []
    finally:
        fresh.close()


def test_every_page_on_demo_data_loads_cleanly_without_the_sample_notice(
    page: Page, demo: Demo
) -> None:
    for name, path in _pages(demo).items():
        page.goto(demo.url + path)
        assert page.problems == [], name
        assert page.text("h1"), name
        assert not page.evaluate("document.body.innerText.includes('ample data')"), name


def test_a_denied_claim_timeline_explains_each_adjustment_in_words(page: Page, demo: Demo) -> None:
    page.goto(f"{demo.url}/claims/{demo.denied_pcn}")
    steps = page.texts(".timeline .tl strong")
    assert "Visit documented" in steps
    assert any(s.startswith("Submitted 837P") for s in steps)
    assert any(s.startswith("835: ") for s in steps)
    details = " ".join(page.texts(".timeline .tl p"))
    assert "(denial, " in details and "next: " in details


def test_a_held_claim_is_in_the_scrub_queue_with_its_rule(page: Page, demo: Demo) -> None:
    page.goto(f"{demo.url}/queues/scrub-errors")
    assert demo.held_pcn in page.texts("#queue td a")
    page.goto(f"{demo.url}/claims/{demo.held_pcn}")
    details = " ".join(page.texts(".timeline .tl p"))
    assert "(error): " in details


def _report(demo: Demo) -> dict[str, Any]:
    done = subprocess.run(
        [str(PTRCM), "--as", "admin", "report", "kpis", "--db", demo.db, "--from", str(demo.start),
         "--to", str(demo.end), "--format", "json"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout))


def test_dashboard_tiles_equal_the_kpi_report_for_the_same_period(page: Page, demo: Demo) -> None:
    report = _report(demo)
    expected = {
        "clean_claim_rate": (report["clean_claim_rate"]["rate"], Unit.percent),
        "first_pass_rate": (report["first_pass_rate"]["rate"], Unit.percent),
        "denial_rate": (report["initial_denial_rate"]["claims"]["rate"], Unit.percent),
        "net_collection_rate": (report["net_collection"]["ratio"]["rate"], Unit.percent),
        "days_in_ar": (report["days_in_ar"]["days"], Unit.days),
        "net_revenue_per_visit": (report["net_revenue_per_visit"], Unit.money),
        "visits": (sum(r["visits"] for r in report["net_revenue"]), Unit.number),
    }
    assert int(expected["visits"][0]) > 0, "the demo seeded no visits in the period"
    page.goto(demo.url + "/" + _period(demo))
    for key, (value, unit) in expected.items():
        want = Decimal(str(value)) if value is not None else None
        shown = page.attribute(f'[data-kpi="{key}"]', "data-value")
        assert shown, key
        assert (Decimal(str(shown[0])) if shown[0] else None) == want, key
        assert page.text(f'[data-kpi="{key}"]') == format_unit(want, unit), key


def test_dashboard_shows_targets_and_service_levels(page: Page, demo: Demo, tmp_path: Path) -> None:
    from ptrcm.domain.targets import DEFAULT_TARGETS

    report = _report(demo)
    page.goto(demo.url + "/" + _period(demo))
    page.screenshot(tmp_path / "dashboard-targets.png")
    keys = page.attribute("[data-target]", "data-target")
    assert keys == [t.kpi for t in DEFAULT_TARGETS]
    clean = next(t for t in DEFAULT_TARGETS if t.kpi == "clean_claim_rate")
    rate = report["clean_claim_rate"]["rate"]
    want = clean.standing(None if rate is None else Decimal(str(rate)))
    assert page.attribute('[data-target="clean_claim_rate"]', "data-standing") == [str(want)]
    cells = page.texts('[data-target="clean_claim_rate"] td')
    assert cells[1] == format_unit(None if rate is None else Decimal(str(rate)), Unit.percent)
    assert cells[2] == "≥ 95.0%"
    levels = page.attribute("[data-sla]", "data-sla")
    assert levels == ["charge_entry", "claim_submission", "denial_follow_up", "patient_inquiry"]
    charge = page.texts('[data-sla="charge_entry"] td')
    assert charge[2] == str(report["charge_lag"]["count"])


def test_the_review_pack_downloads_from_the_dashboard(page: Page, demo: Demo) -> None:
    page.goto(demo.url + "/" + _period(demo))
    (href,) = page.attribute('a[href^="/reviews/"]', "href")
    assert href == f"/reviews/{demo.end:%Y-%m}"
    answer = page.pw.request.get(demo.url + href)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    assert page.pw.request.get(demo.url + "/reviews/2026-13").status == 400  # a bad month
