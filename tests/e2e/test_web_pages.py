"""Every page of the web app in Debian's Chromium under Playwright: no console errors, no
failed requests, a screenshot of each page visited in the pytest tmp dir (also in
var/screenshots/ with PTRCM_SCREENSHOTS set), and htmx working."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI

from ptrcm.domain.access import Role
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.e2e.playwright_app import Browser, Page, find_chromium, serve_app, sign_in
from tests.e2e.web_fake import sample_data
from tests.web_access import FAST, PASSWORD, add_member

pytestmark = pytest.mark.browser

TODAY = date(2026, 3, 31)
PAGES = {
    "dashboard": "/",
    "queues": "/queues",
    "queue-denials": "/queues/denials",
    "claim": "/claims/C-1000",
    "payers": "/payers",
    "therapists": "/therapists",
    "scheduling": "/scheduling",
}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    settings = WebSettings("sqlite://", "Riverside Rehab Partners", lambda: TODAY, passwords=FAST)
    made = create_app(settings, sample_data(TODAY))
    add_member(made, "pat.manager", Role.manager)
    return made


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium chromium-driver)")
    started = Browser(executable)
    try:
        sign_in(started.new_page(), base_url, "pat.manager", PASSWORD)
        yield started
    finally:
        started.close()


@pytest.fixture()
def page(browser: Browser, tmp_path: Path) -> Page:
    return browser.new_page(tmp_path / "screenshots")


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_without_console_errors_or_failed_requests(
    page: Page, base_url: str, name: str
) -> None:
    page.goto(base_url + PAGES[name])
    assert page.problems == []
    assert page.text("h1")
    assert page.evaluate("typeof htmx === 'object'"), "htmx did not load from /static"


def test_the_harness_reports_a_missing_page_and_a_console_error(page: Page, base_url: str) -> None:
    page.goto(base_url + "/claims/C-0")
    assert any("HTTP 404" in p for p in page.problems)
    page.goto(base_url + "/")
    page.evaluate("console.error('deliberate')")
    page.wait_idle()
    assert any("deliberate" in p for p in page.problems)


def test_dashboard_tiles_show_each_kpi_with_a_trend_arrow(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    keys = page.attribute(".tile-value", "data-kpi")
    assert "clean_claim_rate" in keys and "days_in_ar" in keys
    assert page.text('[data-kpi="clean_claim_rate"]') == "94.2%"
    assert page.text('[data-kpi="days_in_ar"]') == "31.4 days"
    assert len(page.texts(".tile .trend .arrow")) == len(keys)
    assert page.evaluate("document.querySelectorAll('svg.chart').length") == 6


def test_sorting_a_table_by_a_header_swaps_the_table_in_place_with_htmx(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/queues/denials")
    page.evaluate("window.__marker = 'kept'")
    page.click('#queue th a[href*="sort=amount"]')
    page.wait_for_url("sort=amount")
    page.wait_idle()
    amounts = [float(t.replace("$", "").replace(",", "")) for t in page.texts("#queue td.num")[::2]]
    assert amounts == sorted(amounts, reverse=True)
    assert page.evaluate("window.__marker") == "kept", "the page reloaded instead of swapping"
    assert page.problems == []


def test_claim_links_in_a_queue_open_the_claim_timeline(page: Page, base_url: str) -> None:
    page.goto(base_url + "/queues")
    href = page.attribute("#queue-denials .wl-claim", "href")[0]
    assert href is not None
    page.goto(base_url + href)
    assert page.problems == []
    steps = page.texts(".timeline .tl strong")
    assert steps[0] == "Visit documented"
    assert "Payment posted" in steps
