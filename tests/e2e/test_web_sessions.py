"""Sessions over HTTP: the cookie's flags, a new session at every sign-in (fixation), idle
and absolute expiry on the server's clock, sign-out, lockout after the configured number of
failures, a CSRF token on every state-changing request, and API tokens that expire and are
revoked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ptrcm.domain.access import Role
from ptrcm.services.access.policy import SecurityPolicy
from ptrcm.services.access.tokens import revoke_token
from ptrcm.web.app import create_app
from ptrcm.web.auth import SESSION_COOKIE
from ptrcm.web.deps import WebSettings
from tests.e2e.test_web_access_matrix import CALLS, routes
from tests.e2e.two_clinics import build
from tests.e2e.web_fake import sample_data
from tests.web_access import FAST, PASSWORD, add_member, api_token, csrf, sign_in

START = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
POLICY = SecurityPolicy(
    idle=timedelta(minutes=15),
    lifetime=timedelta(hours=2),
    max_failures=3,
    window=timedelta(minutes=10),
    lockout=timedelta(minutes=20),
)


class Clock:
    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> FastAPI:
    settings = WebSettings(
        "sqlite://", "Clinic", lambda: clock().date(), policy=POLICY, passwords=FAST, now=clock
    )
    made = create_app(settings, sample_data(START.date()))
    add_member(made, "bea.biller", Role.biller)
    return made


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def _attempt(client: TestClient, password: str) -> int:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"username": "bea.biller", "password": password, "csrf_token": token.group(1)}
    return client.post("/login", data=form, follow_redirects=False).status_code


def test_the_session_cookie_is_httponly_lax_and_secure_over_tls(app: FastAPI) -> None:
    plain = TestClient(app)
    sign_in(plain, "bea.biller")
    with TestClient(app, base_url="https://testserver") as tls:
        page = tls.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        done = tls.post(
            "/login",
            data={"username": "bea.biller", "password": PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        cookie = done.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
        assert tls.get("/").headers["strict-transport-security"].startswith("max-age=")
    page = TestClient(app).get("/login")
    assert "strict-transport-security" not in page.headers
    login = plain.get("/").request  # the plain client's cookie is not Secure
    assert login is not None


def test_each_sign_in_makes_a_new_session_and_ends_the_one_the_browser_held(
    client: TestClient,
) -> None:
    sign_in(client, "bea.biller")
    first = client.cookies[SESSION_COOKIE]
    sign_in(client, "bea.biller")
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    stale = TestClient(client.app)
    stale.cookies.set(SESSION_COOKIE, first)
    assert stale.get("/api/queues").status_code == 401
    assert client.get("/api/queues").status_code == 200


def test_a_planted_cookie_is_never_promoted_to_a_session(app: FastAPI) -> None:
    planted = TestClient(app)
    planted.cookies.set(SESSION_COOKIE, "attacker-chosen-value")
    assert planted.get("/api/queues").status_code == 401
    page = planted.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    done = planted.post(
        "/login",
        follow_redirects=False,
        data={"username": "bea.biller", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    issued = re.search(rf"{SESSION_COOKIE}=([^;]+)", done.headers["set-cookie"])
    assert issued and issued.group(1) != "attacker-chosen-value"
    again = TestClient(app)
    again.cookies.set(SESSION_COOKIE, "attacker-chosen-value")
    assert again.get("/api/queues").status_code == 401


def test_a_session_ends_after_the_idle_timeout(client: TestClient, clock: Clock) -> None:
    sign_in(client, "bea.biller")
    clock.advance(minutes=14)
    assert client.get("/api/queues").status_code == 200  # activity resets the idle clock
    clock.advance(minutes=14)
    assert client.get("/api/queues").status_code == 200
    clock.advance(minutes=15)
    assert client.get("/api/queues").status_code == 401
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_session_ends_at_its_absolute_lifetime_however_active(
    client: TestClient, clock: Clock
) -> None:
    sign_in(client, "bea.biller")
    for _ in range(11):  # every 10 minutes for 1 h 50
        clock.advance(minutes=10)
        assert client.get("/api/queues").status_code == 200
    clock.advance(minutes=11)
    assert client.get("/api/queues").status_code == 401


def test_sign_out_ends_the_session_on_the_server(client: TestClient) -> None:
    sign_in(client, "bea.biller")
    token = client.cookies[SESSION_COOKIE]
    done = client.post("/logout", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    replay = TestClient(client.app)
    replay.cookies.set(SESSION_COOKIE, token)
    assert replay.get("/api/queues").status_code == 401


def test_lockout_after_the_configured_failures_then_lifts(client: TestClient, clock: Clock) -> None:
    assert [_attempt(client, "wrong password 1") for _ in range(3)] == [401, 401, 401]
    assert _attempt(client, PASSWORD) == 429  # locked: even the right password is refused
    clock.advance(minutes=19)
    assert _attempt(client, PASSWORD) == 429  # the lock lasts 20 minutes, past the window
    clock.advance(minutes=2)
    assert _attempt(client, PASSWORD) == 303
    # A success clears the count: two more failures do not lock.
    assert [_attempt(client, "wrong again") for _ in range(2)] == [401, 401]
    assert _attempt(client, PASSWORD) == 303


def test_a_wrong_user_and_a_wrong_password_read_the_same(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answers = [
        client.post(
            "/login", data={"username": name, "password": "x" * 14, "csrf_token": token.group(1)}
        )
        for name in ("bea.biller", "nobody.here")
    ]
    assert [a.status_code for a in answers] == [401, 401]
    said = [re.search(r'role="alert">([^<]+)<', a.text) for a in answers]
    assert said[0] and said[1] and said[0].group(1) == said[1].group(1)


def test_the_sign_in_form_needs_its_own_csrf_token(client: TestClient) -> None:
    client.get("/login")
    form = {"username": "bea.biller", "password": PASSWORD, "csrf_token": "forged"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 403
    other_site = {"sec-fetch-site": "cross-site"}
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form["csrf_token"] = token.group(1)
    answer = client.post("/login", data=form, headers=other_site, follow_redirects=False)
    assert answer.status_code == 403


def test_every_state_changing_route_refuses_a_request_without_its_csrf_token(
    tmp_path: Path,
) -> None:
    clinics = build(tmp_path)
    client = TestClient(clinics.app)
    sign_in(client, "admin-a")
    unsafe = [(m, p) for m, p, _perm in routes(clinics.app) if m != "GET"]
    assert len(unsafe) >= 9
    refused = {}
    for method, path in unsafe:
        url, kwargs = CALLS[(method, path)].own(clinics)
        url = url.replace("{role}", "csrf")
        data = {k: v.replace("{role}", "csrf") for k, v in kwargs.get("data", {}).items()}
        extra = {"json": kwargs["json"]} if "json" in kwargs else {"data": data}
        missing = client.request(method, url, follow_redirects=False, **extra)
        forged = client.request(
            method, url, follow_redirects=False, headers={"X-CSRF-Token": "0" * 64}, **extra
        )
        cross = client.request(
            method,
            url,
            follow_redirects=False,
            headers={"X-CSRF-Token": csrf(client), "sec-fetch-site": "cross-site"},
            **extra,
        )
        refused[f"{method} {path}"] = (missing.status_code, forged.status_code, cross.status_code)
    assert {k: v for k, v in refused.items() if v != (403, 403, 403)} == {}
    assert client.get("/api/queues").status_code == 200  # still signed in: nothing happened


def test_api_tokens_are_refused_once_expired_or_revoked(app: FastAPI, clock: Clock) -> None:
    token = api_token(app, Role.biller, now=START)
    bearer = TestClient(app)
    bearer.headers["Authorization"] = f"Bearer {token}"
    assert bearer.get("/api/queues").status_code == 200
    booking = {"patient": "P-1", "date": "2026-03-31", "discipline": "PT"}
    # A bearer token needs no CSRF token: browsers never send it on their own.
    assert bearer.post("/api/schedule/check", json=booking).status_code != 403
    wrong = TestClient(app)
    wrong.headers["Authorization"] = "Bearer ptrcm_" + "x" * 43
    assert wrong.get("/api/queues").status_code == 401
    clock.advance(days=31)  # tokens made by api_token() live 30 days
    assert bearer.get("/api/queues").status_code == 401
    clock.at = START
    fresh = api_token(app, Role.biller, now=START)
    bearer.headers["Authorization"] = f"Bearer {fresh}"
    assert bearer.get("/api/queues").status_code == 200
    with app.state.gate.unit_of_work() as uow:
        listed = [t for t in uow.access.tokens(1) if t.revoked_at is None]
        for t in listed:
            revoke_token(uow.access, "default", t.id, START, actor="test")
        uow.commit()
    assert bearer.get("/api/queues").status_code == 401


@pytest.mark.parametrize("role", list(Role))
def test_signing_in_lands_each_role_on_a_page_it_may_see(
    app: FastAPI, client: TestClient, role: Role
) -> None:
    """Whatever the form's ``next`` says of the site's root ("" or "/"), a front-desk
    user or a therapist is not sent to the dashboard they may not read."""
    add_member(app, f"home.{role.value}", role)
    for target in ("", "/"):
        client.cookies.clear()
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        form = {"username": f"home.{role.value}", "password": PASSWORD,
                "csrf_token": token.group(1), "next": target}  # fmt: skip
        done = client.post("/login", data=form, follow_redirects=False)
        assert done.status_code == 303
        landed = client.get(done.headers["location"], follow_redirects=False)
        assert landed.status_code == 200, (role, target, done.headers["location"])
