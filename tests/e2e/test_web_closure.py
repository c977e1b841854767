"""Every work queue can be worked to the end in a real browser: for each queue a member
who works claims (the demo's manager; its admin in the clinic that meets the payers'
rejections and open denials) opens the queue page, opens its first item from the "Item"
column, completes it through
the page's forms (release a held claim; fix and rescrub a rejected one; write off a
denial; accept an underpayment; resolve an 835 claim that matched none of ours), and the
queue holds one item fewer while the claim's timeline (or, for an item without a claim,
the item's history) shows the step under the member who took it.

The store is a small `ptrcm demo` plus one 835 for a claim that is not ours (posted with
`ptrcm remit post`), so the unmatched-remittances queue is not empty. Headless Chromium
under Playwright; screenshots in the pytest tmp dir.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from ptrcm.rules.icd10 import Icd10Codes, _library, with_dot
from ptrcm.store.repository import Store
from ptrcm.store.tables import work_items
from ptrcm.web.app import create_app
from ptrcm.web.deps import WebSettings
from tests.e2e.playwright_app import Browser, Page, find_chromium, serve_app, sign_in
from tests.e2e.test_web_store import PTRCM, Demo, _seed, demo_login
from tests.integration.posting.builders import cas, clp, remittance, svc, write

pytestmark = pytest.mark.browser
STRAY = "NOT-OURS-1"  # an 835 claim with a patient control number we never sent


@dataclass(frozen=True)
class Site:
    url: str
    db: str
    manager: str  # the user names the steps are recorded under
    admin: str


def _post_stray_835(db: str, tmp: Path) -> None:
    stray = clp(
        STRAY, "1", "120.00", "80.00",
        svc("97110", "120.00", "80.00", cas("CO", "45", "40.00"), line=1), payer_claim="X-9",
    )  # fmt: skip
    path = write(tmp, "stray.835", remittance([stray], "80.00", trace="STRAY1"))
    done = subprocess.run(
        [str(PTRCM), "--as", "admin", "remit", "post", str(path), "--db", db],
        check=False, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # 1: something needs a person (the stray claim)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Demo]]:
    tmp = tmp_path_factory.mktemp("closure-web")
    seeded = _seed(tmp)
    _post_stray_835(seeded.db, tmp)
    settings = WebSettings(
        seeded.db, "Demo clinic", lambda: seeded.end, credentials_file=str(seeded.credentials)
    )
    with serve_app(create_app(settings)) as url:
        manager, admin = (demo_login(seeded.credentials, r)[0] for r in ("manager", "admin"))
        yield Site(url, seeded.db, manager, admin), seeded


def _browser(site: tuple[Site, Demo], role: str, org: str = "") -> Browser:
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium chromium-driver)")
    started = Browser(executable)
    tab = started.new_page()
    sign_in(tab, site[0].url, *demo_login(site[1].credentials, role))
    if org:  # through the sidebar's organization switch, as a person would
        switch = tab.pw.locator("form.switch-org")
        switch.locator('select[name="org"]').select_option(org)
        with tab.pw.expect_navigation():
            switch.locator('button[type="submit"]').click()
        tab.wait_idle()
        assert f"· {org}" in tab.text(".who-role")
    return started


@pytest.fixture(scope="module")
def browsers(site: tuple[Site, Demo]) -> Iterator[dict[str, Browser]]:
    """The demo's manager in the default clinic; its admin in the "no-scrubber" clinic,
    whose claims go out unscrubbed and so meet the payers' rejections and open denials."""
    opened = {"manager": _browser(site, "manager")}
    try:
        opened["admin"] = _browser(site, "admin", "no-scrubber")
        yield opened
    finally:
        for started in opened.values():
            started.close()


@pytest.fixture()
def page(browsers: dict[str, Browser], tmp_path: Path) -> Page:
    return browsers["manager"].new_page(tmp_path / "screenshots")


@pytest.fixture()
def admin_page(browsers: dict[str, Browser], tmp_path: Path) -> Page:
    return browsers["admin"].new_page(tmp_path / "screenshots")


def _count(page: Page, site: Site, queue: str) -> int:
    """The queue's item count as its page states it ("Items 1–5 of 12 ($…)")."""
    page.goto(f"{site.url}/queues/{queue}")
    assert page.problems == [], queue
    summary = page.text("[data-pager-summary]")
    found = re.search(r"of ([\d,]+) \(", summary)
    assert found, summary
    return int(found.group(1).replace(",", ""))


def _open_first_item(page: Page, site: Site, queue: str) -> str:
    """Open the queue's first item from its "Item" column; the item's reference."""
    page.goto(f"{site.url}/queues/{queue}")
    link = page.pw.locator("#queue tbody tr").first.locator("td").first.locator("a")
    ref = " ".join((link.text_content() or "").split())
    with page.pw.expect_navigation():
        link.click()
    page.wait_idle()
    return ref


def _submit(page: Page, form: str, shot: Path, **fields: str) -> None:
    """Fill the form named ``form`` (its aria-label) and press its button."""
    found = page.pw.locator(f'form[aria-label="{form}"]').first
    for name, value in fields.items():
        found.locator(f'[name="{name}"]').fill(value)
    with page.pw.expect_navigation():
        found.locator('button[type="submit"]').first.click()
    page.wait_idle()
    page.screenshot(shot)


def _timeline(page: Page) -> list[str]:
    return page.texts(".timeline .tl strong")


def _item_state(site: Site, ref: str) -> str:
    store = Store.open(site.db)
    try:
        with store.engine.connect() as conn:
            number = int(ref.removeprefix("W-"))
            query = select(work_items.c.state).where(work_items.c.id == number)
            return str(conn.execute(query).scalar_one())
    finally:
        store.close()


def test_a_held_claim_is_released_from_the_scrub_errors_queue(
    page: Page, site: tuple[Site, Demo], tmp_path: Path
) -> None:
    web = site[0]
    before = _count(page, web, "scrub-errors")
    assert before > 0, "the demo held no claim"
    ref = _open_first_item(page, web, "scrub-errors")
    assert ref.startswith("H-") and "/claims/" in page.pw.url  # a held claim opens its page
    _submit(page, "Release", tmp_path / "released.png", reason="checked with the therapist")
    assert page.problems == []
    assert page.text(".facts .status") == "ready"
    assert "State held → ready" in _timeline(page)
    said = " ".join(page.texts(".timeline .tl p"))
    assert f"checked with the therapist (by user:{web.manager})" in said
    assert _count(page, web, "scrub-errors") == before - 1


def _billable_under(category: str) -> str:
    """A billable ICD-10-CM code under ``category`` (the more specific code a coder picks)."""
    codes = Icd10Codes()
    found = sorted(
        c for c in _library().get_descendants(category) if codes.is_billable(c)
    )  # fmt: skip
    assert found, category
    return with_dot(found[0])


def test_a_rejected_claim_is_fixed_and_its_rejection_answered(
    admin_page: Page, site: tuple[Site, Demo], tmp_path: Path
) -> None:
    web, page = site[0], admin_page
    before = _count(page, web, "rejections")
    assert before > 0, "the demo had no 999/277CA rejection"
    ref = _open_first_item(page, web, "rejections")
    assert ref.startswith("W-") and page.text("h1").startswith("Rejection item")
    assert "277CA" in page.text(".facts p")  # what the payer's acknowledgment said
    with page.pw.expect_navigation():
        page.click("text=Open the claim")
    page.wait_idle()
    # Scrubbing the claim again names what is wrong (this clinic sends unscrubbed claims).
    _submit(page, "Fix", tmp_path / "scrubbed.png")
    assert page.problems == [] and page.text(".facts .status") == "held"
    findings = " ".join(page.texts(".timeline .tl p"))
    category = re.search(r"Diagnosis \d+ (\S+) is a category, not a billable code", findings)
    assert category, findings
    shown = page.pw.locator('form[aria-label="Fix"] [name="diagnoses"]').input_value()
    assert category.group(1) in shown.split()  # the form starts from the claim's diagnoses
    fixed = shown.replace(category.group(1), _billable_under(category.group(1)))
    _submit(page, "Fix", tmp_path / "fixed.png", diagnoses=fixed)
    assert page.problems == []
    assert page.text(".facts .status") == "ready"
    assert f"Rejection item {ref}: fixed → done" in _timeline(page)
    assert f"ready to resubmit; by user:{web.admin}" in " ".join(page.texts(".timeline .tl p"))
    runs = [t for t in page.texts(".timeline .tl-scrub") if "Scrubbed (run" in t]
    assert "0 errors" in runs[-1] and "(error)" not in runs[-1]  # the last scrub is clean
    assert _item_state(web, ref) == "done"
    assert _count(page, web, "rejections") == before - 1


def test_a_denial_is_written_off_and_the_claim_closed(
    admin_page: Page, site: tuple[Site, Demo], tmp_path: Path
) -> None:
    web, page = site[0], admin_page
    before = _count(page, web, "denials")
    assert before > 0, "the demo had no open denial"
    ref = _open_first_item(page, web, "denials")
    amount = page.text(".facts dd.num").replace("$", "").replace(",", "")
    with page.pw.expect_navigation():
        page.click("text=Open the claim")
    page.wait_idle()
    _submit(page, "Write off", tmp_path / "written-off.png", amount=amount,
            reason="not worth an appeal")  # fmt: skip
    assert page.problems == []
    assert page.text(".facts .status") == "closed"
    steps = _timeline(page)
    assert f"Denial item {ref}: write_off → done" in steps
    assert f"by user:{web.admin}" in " ".join(page.texts(".timeline .tl-work p"))
    assert any(s.startswith("State ") and s.endswith("→ closed") for s in steps), steps
    assert _item_state(web, ref) == "done"
    assert _count(page, web, "denials") == before - 1


def test_an_underpayment_is_accepted_from_its_item_page(
    page: Page, site: tuple[Site, Demo], tmp_path: Path
) -> None:
    web = site[0]
    before = _count(page, web, "underpayments")
    assert before > 0, "the demo had no underpayment"
    ref = _open_first_item(page, web, "underpayments")
    claim = page.text('.facts a[href^="/claims/"]')
    _submit(page, "Accept", tmp_path / "accepted.png", reason="contract rate changed in March")
    assert page.problems == []
    assert page.text("[data-item-state]") == "done"
    assert "status → done" in page.texts("[data-item-history] strong")
    page.goto(f"{web.url}/claims/{claim}")
    assert f"Underpayment item {ref}: status → done" in _timeline(page)
    assert f"contract rate changed in March; by user:{web.manager}" in " ".join(
        page.texts(".timeline .tl p")
    )
    assert _count(page, web, "underpayments") == before - 1


def test_an_unmatched_remittance_is_resolved_from_its_item_page(
    page: Page, site: tuple[Site, Demo], tmp_path: Path
) -> None:
    web = site[0]
    before = _count(page, web, "unmatched-remittances")
    assert before > 0, "the stray 835 claim opened no exception"
    ref = _open_first_item(page, web, "unmatched-remittances")
    assert STRAY in page.text(".facts p") and "no claim of ours" in page.text(".facts")
    _submit(page, "Resolve", tmp_path / "resolved.png", reason="another clinic's claim")
    assert page.problems == []
    assert page.pw.url.endswith(f"/queues/items/{ref.removeprefix('W-')}")
    assert page.text("[data-item-state]") == "done"
    history = " ".join(page.texts("[data-item-history] li"))
    assert "status → done" in history and "another clinic's claim" in history
    assert f"user:{web.manager}" in history
    assert _item_state(web, ref) == "done"
    assert _count(page, web, "unmatched-remittances") == before - 1
