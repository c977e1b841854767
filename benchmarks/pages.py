"""Page render times at demo size: every page a signed-in user opens, one client, over the
real HTTP server, with a same-run baseline.

    .venv/bin/python benchmarks/pages.py [--db URL] [--requests 40] [--warmup 2]

Without ``--db`` it builds the demo database once (``ptrcm demo`` at its default size:
600 patients, 6 months, 3 locations) into ``var/bench/web-load-demo.db`` and reuses it
(the file ``benchmarks/web_load.py`` builds; pass ``--db sqlite:///path`` for another).
It adds one admin user (``pages-admin``, a generated password) to the demo's ``default``
organization, starts ``ptrcm serve`` (one worker) as a child process on a free loopback
port and signs in through the login form. Then, for each page in turn, ``--warmup``
untimed requests and ``--requests`` timed ones, one after another: the dashboard, the
queues' summary, each work queue, a claim page (the claim with the longest history), one
work item, payers, therapists and scheduling (the demo's last twelve weeks, as
``web_load.py``), the front-desk work list, connections, chart audits, jobs, the audit
trail, the claims list (open A/R) and two dashboard drill-downs (the claims behind the
clean-claim rate and behind days in A/R, over the same weeks). The baselines, measured
the same way in the same run, are ``/healthz`` (no session, no database) and the
stylesheet (a static file). Prints, per page in milliseconds, its
first request, then p50/p95/max of the timed ones: served from the read cache where the
page uses it (dashboard, queues). Pages with a period are timed once more over periods
that end on different days, so none is a cache hit ("uncached"). Marks each page whose
worse p95 is over the 300 ms bar, and counts answers other than 200. The server is
stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import time
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import func, select

from ptrcm.domain.access import Role
from ptrcm.services.access import users
from ptrcm.services.access.demo_accounts import generated_password
from ptrcm.services.access.passwords import Passwords
from ptrcm.store.access_repo import AccessUnitOfWork
from ptrcm.store.repository import Store
from ptrcm.store.tables import claim_transitions, claims, work_items
from web_load import CSRF, DEMO, ORG, PERIOD, ROOT, demo_database, free_port, start_server

USER = "pages-admin"
QUEUES = ("scrub-errors", "rejections", "denials", "underpayments", "unmatched-remittances")
BAR_MS = 300.0
BASELINES = ("/healthz", "/static/ptrcm.css")


def add_admin(url: str) -> str:
    """The benchmark's admin in the demo organization; its (new) password."""
    store, hasher, now = Store.open(url), Passwords(), datetime.now(UTC)
    password = generated_password(USER)
    try:
        with AccessUnitOfWork(store.engine) as uow:
            actor = users.Actor("bench")
            if uow.access.user_by_name(USER) is None:
                users.add_user(uow.access, hasher, USER, "Pages benchmark", password, now)
            else:
                users.reset_password(uow.access, hasher, USER, password, now, actor)
            users.grant(uow.access, USER, ORG, Role.admin, now, actor)
            uow.commit()
    finally:
        store.close()
    return password


def sample_records(url: str) -> tuple[str, str | None]:
    """The claim with the most history rows, and one open work item (its id, if any)."""
    store = Store.open(url)
    try:
        org = store.organization_id(ORG)
        with store.engine.connect() as conn:
            busiest = (
                select(claims.c.pcn)
                .join(claim_transitions, claim_transitions.c.claim_id == claims.c.id)
                .where(claims.c.org_id == org)
                .group_by(claims.c.pcn)
                .order_by(func.count().desc(), claims.c.pcn)
                .limit(1)
            )
            pcn = conn.execute(busiest).scalar_one()
            item = conn.execute(
                select(work_items.c.id)
                .where(work_items.c.org_id == org)
                .order_by(work_items.c.id)
                .limit(1)
            ).scalar_one_or_none()
    finally:
        store.close()
    return str(pcn), None if item is None else str(item)


def pages(claim: str, item: str | None) -> list[str]:
    found = [f"/?{PERIOD}", "/queues", *(f"/queues/{q}" for q in QUEUES), f"/claims/{claim}"]
    if item is not None:
        found.append(f"/queues/items/W-{item}")
    found += [f"/payers?{PERIOD}", f"/therapists?{PERIOD}", f"/scheduling?{PERIOD}",
              "/worklist", "/connections", "/chart-audits", "/jobs", "/audit",
              "/claims?state=open", f"/claims?kpi=clean_claim_rate&part=scrubbed&{PERIOD}",
              f"/claims?kpi=days_in_ar&part=ar&{PERIOD}"]  # fmt: skip
    return found


def sign_in(base: str, password: str) -> httpx.Client:
    # TCP_NODELAY: without it the client's delayed ACKs add ~40 ms to every answer that
    # the server writes in two segments (headers, then body), so even /healthz took 44 ms.
    nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    transport = httpx.HTTPTransport(socket_options=nodelay)
    client = httpx.Client(base_url=base, timeout=60, transport=transport)
    form = client.get("/login")
    found = CSRF.search(form.text)
    if found is None:
        raise SystemExit("no CSRF token on the login page")
    done = client.post(
        "/login", data={"username": USER, "password": password,
                        "csrf_token": found.group(1), "next": "/"},
    )  # fmt: skip
    if done.status_code != 303 or "ptrcm_session" not in client.cookies:
        raise SystemExit(f"sign-in failed: {done.status_code}")
    return client


def percentile(ordered: list[float], q: float) -> float:
    index = min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))
    return ordered[index] * 1000


def _timed(client: httpx.Client, urls: list[str], errors: list[str]) -> list[float]:
    times = []
    for url in urls:
        began = time.perf_counter()
        answer = client.get(url)
        times.append(time.perf_counter() - began)
        if answer.status_code != 200:
            errors.append(f"{answer.status_code} {url}")
    return times


def _varied(page: str, requests: int) -> list[str]:
    """The page over ``requests`` periods that end on different days: no two share a read
    cache entry (the cache keys on the period), so each is computed afresh."""
    start, end = (date.fromisoformat(x.split("=")[1]) for x in PERIOD.split("&"))
    path = page.split("?", maxsplit=1)[0]
    return [f"{path}?from={start}&to={end - timedelta(days=n)}" for n in range(1, requests + 1)]


def time_page(client: httpx.Client, page: str, warmup: int, requests: int) -> tuple[str, float]:
    """One line of figures for the page; its worst p95 (cached or not)."""
    errors: list[str] = []
    first = _timed(client, [page], errors)[0] * 1000  # this page's first request
    _timed(client, [page] * max(0, warmup - 1), errors)
    ordered = sorted(_timed(client, [page] * requests, errors))
    p95 = percentile(ordered, 0.95)
    shown = page.split("&" if "kpi=" in page else "?", maxsplit=1)[0]
    line = (f"  {shown:<36} first {first:5.0f}  p50 {percentile(ordered, 0.50):5.0f}"
            f"  p95 {p95:5.0f}  max {ordered[-1] * 1000:5.0f}")  # fmt: skip
    if "?from=" in page:
        fresh = sorted(_timed(client, _varied(page, requests), errors))
        fresh95 = percentile(fresh, 0.95)
        line += (f"  | uncached p50 {percentile(fresh, 0.50):5.0f}  p95 {fresh95:5.0f}"
                 f"  max {fresh[-1] * 1000:5.0f}")  # fmt: skip
        p95 = max(p95, fresh95)
    if errors:
        line += f"  errors {len(errors)} ({errors[0]})"
    if p95 > BAR_MS:
        line += "  OVER 300 ms"
    return line, p95


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", help=f"an existing demo database (default: {DEMO})")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page")
    args = parser.parse_args()
    url = args.db or demo_database()
    password = add_admin(url)
    claim, item = sample_records(url)
    port = free_port()
    log = ROOT / "var" / "bench" / "pages-serve.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"ptrcm serve on 127.0.0.1:{port} ({url}); claim {claim}", flush=True)
    server = start_server(url, port, 1, log)
    try:
        client = sign_in(f"http://127.0.0.1:{port}", password)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"{args.requests} timed requests per page after {args.warmup} untimed;"
              f" load average {load}", flush=True)  # fmt: skip
        print("milliseconds; 'uncached': the period's last day moved back one day a request")
        print("baselines:")
        for page in BASELINES:
            print(time_page(client, page, args.warmup, args.requests)[0], flush=True)
        print("pages:")
        slowest = 0.0
        for page in pages(claim, item):
            line, p95 = time_page(client, page, args.warmup, args.requests)
            slowest = max(slowest, p95)
            print(line, flush=True)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"slowest p95 {slowest:.0f} ms (bar {BAR_MS:.0f} ms); load average {load}")
        client.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
