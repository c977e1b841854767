"""Load on the web app: signed-in users reading the dashboard and work-queue pages over
loopback, one client (the baseline) and then many at once, in the same run.

    .venv/bin/python benchmarks/web_load.py [--db URL] [--workers 4] [--clients 50]
        [--requests 20] [--baseline-requests 60]

Without ``--db`` it builds the demo database once (``ptrcm demo`` at its default size:
600 patients, 6 months, 3 locations) into ``var/bench/web-load-demo.db`` and reuses it.
It adds ``--clients`` users (``load-01`` ...; biller and manager roles, alternately, in the
demo's ``default`` organization) with generated passwords, starts ``ptrcm serve --workers
N`` as a child process on a free loopback port, and signs each client in through the
login form (its own session cookie; a GET of the form for the CSRF token, then the POST).
Each client first opens every page once (untimed: its worker's cache may be cold), then
requests the pages in turn: the dashboard for the demo's last twelve weeks, the work
queues' summary, and the denial queue. The baseline is one client doing
``--baseline-requests``; the load is every client at once, each doing ``--requests``.
Prints requests per second, p50/p95/p99 in milliseconds and errors (any status but 200,
or no answer within 30 s) for both, the CPU seconds the load generator itself used (it
shares the machine with the server) and the load average. The server is stopped at the
end. Runs against code from before ``serve --workers`` too (``--workers 1``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from ptrcm.domain.access import Role
from ptrcm.services.access import users
from ptrcm.services.access.demo_accounts import generated_password
from ptrcm.services.access.passwords import Passwords
from ptrcm.store.access_repo import AccessUnitOfWork
from ptrcm.store.repository import Store

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "var" / "bench" / "web-load-demo.db"
ORG = "default"
PERIOD = "from=2026-01-06&to=2026-03-30"  # the demo's last twelve weeks of visits
PAGES = (f"/?{PERIOD}", "/queues", "/queues/denials")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def demo_database() -> str:
    url = f"sqlite:///{DEMO}"
    if not DEMO.exists():
        DEMO.parent.mkdir(parents=True, exist_ok=True)
        print(f"building the demo database {DEMO} (ptrcm demo, default size)...", flush=True)
        began = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "ptrcm.cli", "demo", "--db", url,
             "--out", str(DEMO.parent / "web-load-demo"), "--format", "json"],
            check=True, capture_output=True, cwd=ROOT,
        )  # fmt: skip
        print(f"  built in {time.monotonic() - began:.0f} s", flush=True)
    return url


def add_users(url: str, count: int) -> list[tuple[str, str]]:
    """``count`` users in the organization (new passwords when they exist already)."""
    store, hasher, now = Store.open(url), Passwords(), datetime.now(UTC)
    made = []
    try:
        with AccessUnitOfWork(store.engine) as uow:
            actor = users.Actor("bench")
            for n in range(1, count + 1):
                name, role = f"load-{n:02d}", (Role.biller, Role.manager)[n % 2]
                password = generated_password(name)
                if uow.access.user_by_name(name) is None:
                    users.add_user(uow.access, hasher, name, f"Load user {n}", password, now)
                else:
                    users.reset_password(uow.access, hasher, name, password, now, actor)
                users.grant(uow.access, name, ORG, role, now, actor)
                made.append((name, password))
            uow.commit()
    finally:
        store.close()
    return made


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "ptrcm.cli", "serve", "--db", url, "--port", str(port)]
    if workers > 1:  # (so the script also runs against code from before --workers)
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"ptrcm serve exited ({server.returncode}); see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"ptrcm serve did not answer within 120 s; see {log}")


async def sign_in(base: str, name: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    form = await client.get("/login")
    found = CSRF.search(form.text)
    if found is None:
        raise SystemExit("no CSRF token on the login page")
    done = await client.post(
        "/login", data={"username": name, "password": password,
                        "csrf_token": found.group(1), "next": "/"},
    )  # fmt: skip
    if done.status_code != 303 or "ptrcm_session" not in client.cookies:
        raise SystemExit(f"sign-in of {name} failed: {done.status_code}")
    for page in PAGES:  # warm-up, untimed
        await client.get(page)
    return client


async def run_client(
    client: httpx.AsyncClient,
    requests: int,
    start: int,
    times: list[tuple[str, float]],
    errors: list[str],
) -> None:
    for i in range(requests):
        page = PAGES[(start + i) % len(PAGES)]
        began = time.perf_counter()
        try:
            answer = await client.get(page)
            if answer.status_code != 200:
                errors.append(f"{page} {answer.status_code}")
        except httpx.HTTPError as exc:
            errors.append(f"{page} {type(exc).__name__}")
        times.append((page, time.perf_counter() - began))


def percentile(sorted_times: list[float], q: float) -> float:
    index = min(len(sorted_times) - 1, max(0, round(q * len(sorted_times)) - 1))
    return sorted_times[index] * 1000


async def phase(label: str, clients: list[httpx.AsyncClient], requests: int) -> None:
    times: list[tuple[str, float]] = []
    errors: list[str] = []
    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(
        *(run_client(c, requests, i, times, errors) for i, c in enumerate(clients))
    )
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    ordered = sorted(t for _page, t in times)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{label}: {len(clients)} client(s) x {requests} requests = {len(times)} in {wall:.1f} s:"
        f" {len(times) / wall:.1f} req/s, p50 {percentile(ordered, 0.50):.0f} ms,"
        f" p95 {percentile(ordered, 0.95):.0f} ms, p99 {percentile(ordered, 0.99):.0f} ms,"
        f" max {ordered[-1] * 1000:.0f} ms, errors {len(errors)}; this client process used"
        f" {cpu:.1f} s CPU (load average {load})",
        flush=True,
    )
    for page in PAGES:
        mine = sorted(t for p, t in times if p == page)
        print(f"  {page.split('?')[0]:<16} p50 {percentile(mine, 0.50):.0f} ms,"
              f" p95 {percentile(mine, 0.95):.0f} ms")  # fmt: skip
    if errors:
        print(f"  first errors: {errors[:5]}")


async def measure(base: str, accounts: list[tuple[str, str]], args: argparse.Namespace) -> None:
    clients = []
    began = time.monotonic()
    for name, password in accounts:  # one at a time: each sign-in is an Argon2 check
        clients.append(await sign_in(base, name, password))
    print(f"signed in {len(clients)} users in {time.monotonic() - began:.1f} s", flush=True)
    try:
        await phase("baseline", clients[:1], args.baseline_requests)
        await phase("load", clients, args.requests)
    finally:
        for client in clients:
            await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing demo database (default: build one)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client, load phase")
    parser.add_argument("--baseline-requests", type=int, default=60)
    args = parser.parse_args()
    url = args.db or demo_database()
    accounts = add_users(url, args.clients)
    port = free_port()
    log = ROOT / "var" / "bench" / "web-load-serve.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"ptrcm serve --workers {args.workers} on 127.0.0.1:{port} ({url})", flush=True)
    server = start_server(url, port, args.workers, log)
    try:
        asyncio.run(measure(f"http://127.0.0.1:{port}", accounts, args))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
