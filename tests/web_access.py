"""Signing in for the web tests: members made straight through the access services (with a
fast hasher), and a TestClient signed in through the real sign-in form."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from ptrcm.domain.access import Role
from ptrcm.services.access import users
from ptrcm.services.access.passwords import Passwords
from ptrcm.store.tables import organizations
from ptrcm.web.auth import SESSION_COOKIE
from ptrcm.web.csrf import token_for

FAST = Passwords(fast=True)  # tests only: minimal Argon2 parameters
PASSWORD = "tallow sprocket meridian 42"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def ensure_org(app: FastAPI, slug: str) -> int:
    with app.state.gate.unit_of_work() as uow:
        conn = uow.access.conn
        found = conn.execute(select(organizations.c.id).where(organizations.c.slug == slug))
        org_id = found.scalar_one_or_none()
        if org_id is None:
            row = {"slug": slug, "name": slug, "created_at": NOW}
            org_id = conn.execute(insert(organizations).returning(organizations.c.id), row)
            org_id = org_id.scalar_one()
        uow.commit()
    return int(org_id)


def add_member(
    app: FastAPI,
    username: str,
    role: Role,
    org: str = "default",
    *,
    provider: str | None = None,
    password: str = PASSWORD,
) -> None:
    """A user (made if new) with ``role`` in ``org`` (made if new)."""
    ensure_org(app, org)
    with app.state.gate.unit_of_work() as uow:
        if uow.access.user_by_name(username) is None:
            users.add_user(uow.access, FAST, username, username.title(), password, NOW)
        users.grant(uow.access, username, org, role, NOW, users.Actor("test"), provider=provider)
        uow.commit()


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    done = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def csrf(client: TestClient) -> str:
    """The CSRF token of the client's session (what the pages put in their forms)."""
    return token_for(client.cookies[SESSION_COOKIE])


def signed_in(client: TestClient, role: Role = Role.admin, org: str = "default") -> TestClient:
    """``client`` signed in as a member named after ``role`` (an admin sees every page)."""
    name = f"{role.value.replace('_', '')}-{org}"
    add_member(client.app, name, role, org)  # type: ignore[arg-type]
    sign_in(client, name)
    return client


def api_token(
    app: FastAPI, role: Role = Role.admin, org: str = "default", now: datetime | None = None
) -> str:
    """A new API token for ``org`` with ``role``, made ``now`` and valid 30 days (send it as
    ``Authorization: Bearer``)."""
    from ptrcm.services.access.tokens import create_token

    ensure_org(app, org)
    with app.state.gate.unit_of_work() as uow:
        made = create_token(
            uow.access,
            org,
            f"test {role.value}",
            role,
            30,
            now or datetime.now(UTC),
            created_by=None,
            actor="test",
        )
        uow.commit()
    return made.token
