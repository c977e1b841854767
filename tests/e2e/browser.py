"""A small headless-Chromium harness for end-to-end tests of the web app.

Chromium is driven through the Chrome DevTools Protocol over ``--remote-debugging-pipe``
(JSON messages separated by NUL bytes on file descriptors 3 and 4), so no WebDriver,
Selenium or websocket package is needed. Every page records its *problems*: console errors,
uncaught exceptions, browser log errors, failed requests and HTTP responses of 400 or more;
tests assert that the list is empty.

``serve_app`` runs an ASGI app with uvicorn on a free localhost port in a background thread.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from base64 import b64decode
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)
WIDTH, HEIGHT = 1366, 900
TRAMPOLINE = """
import fcntl, os, sys
ends = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]
for fd in sys.argv[1:3]:
    os.close(int(fd))
for target, fd in zip((3, 4), ends):
    os.dup2(fd, target)
    os.close(fd)
os.execv(sys.argv[3], sys.argv[3:])
"""


class BrowserError(RuntimeError):
    """Chromium did not start, answered with an error, or did not answer in time."""


def find_chromium() -> str | None:
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
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise BrowserError("uvicorn did not start within 15 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class Browser:
    """One headless Chromium process; ``new_page`` opens a tab that records problems."""

    def __init__(self, executable: str) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="ptrcm-chromium-"))
        self._log = open(self.profile / "chromium.log", "wb")  # noqa: SIM115 - closed in close()
        cmd_r, cmd_w = os.pipe()
        res_r, res_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4: a tiny Python
        # trampoline moves the pipe ends there, then becomes Chromium.
        self.process = subprocess.Popen(
            [sys.executable, "-c", TRAMPOLINE, str(cmd_r), str(res_w), executable,
             *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", f"--window-size={WIDTH},{HEIGHT}"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            pass_fds=(cmd_r, res_w),
        )  # fmt: skip
        os.close(cmd_r)
        os.close(res_w)
        self._writer = os.fdopen(cmd_w, "wb")
        self._reader = os.fdopen(res_r, "rb")
        self._lock = threading.Lock()
        self._next_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        self._pages: dict[str, Page] = {}
        self._thread = threading.Thread(target=self._read_loop, daemon=True)
        self._thread.start()
        self.version = self.send("Browser.getVersion", timeout=30)["product"]

    def _read_loop(self) -> None:
        buffer = b""
        while chunk := self._reader.read1(65536):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                self._dispatch(json.loads(raw))
        with self._arrived:
            self._arrived.notify_all()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message:
            with self._arrived:
                self._replies[message["id"]] = message
                self._arrived.notify_all()
            return
        page = self._pages.get(message.get("sessionId", ""))
        if page is not None:
            page.on_event(message["method"], message.get("params", {}))

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30,
    ) -> dict[str, Any]:
        """Send one CDP command and wait for its reply; raises on an error reply."""
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            self._writer.write(json.dumps(message).encode() + b"\0")
            self._writer.flush()
        deadline = time.monotonic() + timeout
        with self._arrived:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    raise BrowserError(f"no reply to {method} within {timeout} s")
                self._arrived.wait(left)
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        page = Page(self, target, session["sessionId"])
        self._pages[page.session] = page
        page.start()
        return page

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError, ValueError):
            self.send("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for stream in (self._writer, self._reader, self._log):
            with contextlib.suppress(OSError):
                stream.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """A tab: navigation, problems seen since the last navigation, text and screenshots."""

    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self.browser = browser
        self.target = target
        self.session = session
        self.problems: list[str] = []
        self._inflight: set[str] = set()
        self._loaded = threading.Event()
        self._quiet_since = time.monotonic()
        self._guard = threading.Lock()

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def start(self) -> None:
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )

    # Events arrive on the reader thread.
    def on_event(self, method: str, params: dict[str, Any]) -> None:
        with self._guard:
            problem = _problem(method, params)
            if problem:
                self.problems.append(problem)
            request = params.get("requestId")
            if method == "Network.requestWillBeSent" and request:
                self._inflight.add(request)
            elif method in ("Network.loadingFinished", "Network.loadingFailed") and request:
                self._inflight.discard(request)
                if not self._inflight:
                    self._quiet_since = time.monotonic()
            elif method == "Page.loadEventFired":
                self._loaded.set()

    def goto(self, url: str, timeout: float = 30) -> None:
        """Load ``url`` and wait for the load event and for the network to go quiet."""
        with self._guard:
            self.problems.clear()
            self._inflight.clear()
        self._loaded.clear()
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            self.problems.append(f"navigation to {url} failed: {result['errorText']}")
            return
        if not self._loaded.wait(timeout):
            raise BrowserError(f"{url} did not finish loading within {timeout} s")
        self.wait_idle(timeout)

    def wait_idle(self, timeout: float = 10, quiet: float = 0.3) -> None:
        """Wait until no request has been in flight for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._guard:
                idle = not self._inflight and time.monotonic() - self._quiet_since >= quiet
            if idle:
                return
            time.sleep(0.05)
        raise BrowserError(f"requests still in flight after {timeout} s")

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression evaluated in the page."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            raise BrowserError(f"script failed: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    def texts(self, selector: str) -> list[str]:
        """The trimmed text of every element matching a CSS selector, in document order."""
        script = (
            f"Array.from(document.querySelectorAll({json.dumps(selector)}),"
            " e => e.textContent.replace(/\\s+/g, ' ').trim())"
        )
        result: list[str] = self.evaluate(script)
        return result

    def text(self, selector: str) -> str:
        """The text of the first element matching ``selector``; fails when there is none."""
        found = self.texts(selector)
        if not found:
            raise BrowserError(f"no element matches {selector!r}")
        return found[0]

    def attribute(self, selector: str, name: str) -> list[str | None]:
        script = (
            f"Array.from(document.querySelectorAll({json.dumps(selector)}),"
            f" e => e.getAttribute({json.dumps(name)}))"
        )
        result: list[str | None] = self.evaluate(script)
        return result

    def click(self, selector: str) -> None:
        found = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return false; e.click(); return true; })()"
        )
        if not found:
            raise BrowserError(f"no element matches {selector!r}")

    def wait_for(self, expression: str, timeout: float = 10) -> None:
        """Wait until a JavaScript expression is truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(f"Boolean({expression})"):
                return
            time.sleep(0.05)
        raise BrowserError(f"still false after {timeout} s: {expression}")

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole page (not only the viewport)."""
        metrics = self.send("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        height = max(HEIGHT, int(size["height"] + 0.5))
        shot = self.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1},
            },
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b64decode(shot["data"]))
        return path


def _problem(method: str, params: dict[str, Any]) -> str | None:
    """What went wrong, if this DevTools event reports an error."""
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        words = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
        return f"console.{params['type']}: {' '.join(words)}"
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        description = details.get("exception", {}).get("description") or details.get("text")
        return f"uncaught exception: {description}"
    if method == "Log.entryAdded":
        entry = params.get("entry", {})
        if entry.get("level") == "error":
            return (
                f"browser log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}"
            )
    if method == "Network.loadingFailed" and not params.get("canceled"):
        reason = params.get("blockedReason") or params.get("errorText")
        return f"request failed: {reason} (request {params.get('requestId')})"
    if method == "Network.responseReceived":
        response = params.get("response", {})
        if int(response.get("status", 0)) >= 400:
            return f"HTTP {response.get('status')} for {response.get('url')}"
    return None


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real sign-in form, as a person would: the session cookie is then
    the browser's for every tab."""
    page.goto(base_url + "/login")
    page.evaluate(
        "(() => { const f = document.querySelector('form.login');"
        f" f.username.value = {json.dumps(username)}; f.password.value = {json.dumps(password)};"
        " f.requestSubmit(); return true; })()"
    )
    page.wait_for("location.pathname !== '/login'", timeout=30)
    page.wait_idle()
