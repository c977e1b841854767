"""Playwright on Debian's Chromium for end-to-end tests of the web app.

No browser is downloaded: Playwright launches the system ``chromium`` through
``executable_path``. Every page records its *problems* (console errors, uncaught
exceptions, failed requests and HTTP responses of 400 or more); tests assert that the list
is empty. ``serve_app`` runs an ASGI app with uvicorn on a free loopback port.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from playwright.sync_api import Browser as PwBrowser
from playwright.sync_api import Page as PwPage
from playwright.sync_api import expect, sync_playwright

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
WIDTH, HEIGHT = 1366, 900
SHOTS_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def find_chromium() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@contextlib.contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 at a free port for the duration; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:  # a thread start-up wait, not a page wait
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start within 15 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class Page:
    """A Playwright page with the list of problems seen since the last ``goto``."""

    def __init__(self, page: PwPage, shots: Path | None = None) -> None:
        self.pw = page
        self.problems: list[str] = []
        self.shots = shots
        self._visits = 0
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "assert"):
            self.problems.append(f"console.{message.type}: {message.text}")

    def _failed(self, request: Any) -> None:
        self.problems.append(f"request failed: {request.failure} ({request.url})")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def goto(self, url: str) -> None:
        """Load ``url`` until the network is idle; with ``shots`` set, screenshot the page."""
        self.problems.clear()
        self.pw.goto(url, wait_until="networkidle")
        if self.shots is not None:
            self._visits += 1
            slug = re.sub(r"[^A-Za-z0-9]+", "-", urlsplit(url).path).strip("-") or "home"
            self.screenshot(self.shots / f"{self._visits:02d}-{slug}.png")

    def wait_idle(self) -> None:
        self.pw.wait_for_load_state("networkidle")

    def evaluate(self, expression: str) -> Any:
        return self.pw.evaluate(expression)

    def texts(self, selector: str) -> list[str]:
        found: list[str] = self.pw.eval_on_selector_all(
            selector, "els => els.map(e => e.textContent.replace(/\\s+/g, ' ').trim())"
        )
        return found

    def text(self, selector: str) -> str:
        return " ".join(self.pw.locator(selector).first.text_content(timeout=10_000).split())

    def attribute(self, selector: str, name: str) -> list[str | None]:
        found: list[str | None] = self.pw.eval_on_selector_all(
            selector, "(els, n) => els.map(e => e.getAttribute(n))", name
        )
        return found

    def click(self, selector: str) -> None:
        self.pw.locator(selector).first.click()

    def wait_for_url(self, part: str, timeout: float = 10) -> None:
        """Until the address holds ``part`` (also after htmx's pushState). Polled from
        Playwright's side: the app's CSP (script-src 'self') forbids a string predicate
        evaluated in the page."""
        expect(self.pw).to_have_url(re.compile(re.escape(part)), timeout=timeout * 1000)

    def screenshot(self, path: Path) -> Path:
        """A full-page PNG at ``path``, copied to var/screenshots when PTRCM_SCREENSHOTS is set."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.pw.screenshot(path=str(path), full_page=True)
        if os.environ.get("PTRCM_SCREENSHOTS"):
            SHOTS_DIR.mkdir(parents=True, exist_ok=True)
            # the test's tmp dir name (its test's name) keeps one test's shots from another's
            (SHOTS_DIR / f"{path.parent.parent.name}-{path.name}").write_bytes(path.read_bytes())
        return path


class Browser:
    """A fresh browser context (own cookies) on Debian's Chromium under Playwright.

    One Playwright driver and one Chromium process serve every open ``Browser`` in the
    process (the sync API allows one driver per thread); the last ``close`` stops both.
    """

    _shared: tuple[Any, PwBrowser] | None = None
    _open = 0

    def __init__(self, executable: str) -> None:
        if Browser._shared is None:
            driver = sync_playwright().start()
            launched = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            Browser._shared = (driver, launched)
        Browser._open += 1
        self._context = Browser._shared[1].new_context(viewport={"width": WIDTH, "height": HEIGHT})

    def new_page(self, shots: Path | None = None) -> Page:
        """A tab; with ``shots``, every page it visits is saved there as a PNG."""
        return Page(self._context.new_page(), shots)

    def close(self) -> None:
        self._context.close()
        Browser._open -= 1
        if Browser._open == 0 and Browser._shared is not None:
            driver, launched = Browser._shared
            Browser._shared = None
            launched.close()
            driver.stop()


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real sign-in form, as a person would."""
    page.goto(base_url + "/login")
    form = page.pw.locator("form.login")
    form.locator('[name="username"]').fill(username)
    form.locator('[name="password"]').fill(password)
    with page.pw.expect_navigation():
        form.locator('[name="password"]').press("Enter")
    page.pw.wait_for_url(lambda url: "/login" not in url)
    page.wait_idle()
