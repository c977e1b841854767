"""Sign-in, server-side sessions, switching organization, sign-out.

A session is a row keyed by the SHA-256 of a 256-bit random token; the token itself lives
only in the browser's cookie. Signing in always makes a new session (a token planted
before sign-in is never promoted: no session fixation). Each request resumes the session
by its token: an ended, idle or expired session, a disabled user or a user with no active
membership left resumes to nothing. The organization in use is the session's, changed only
by ``switch_organization`` to one the user is an active member of.

Failed sign-ins are throttled per user name and per client address
(``ptrcm.services.access.policy``); while locked, the password is not even checked, so a
locked account cannot be guessed at. An unknown name, a wrong password and a disabled user
get the same answer, in the same time (``Passwords.verify`` checks a dummy hash).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ptrcm.domain.access import Membership, Principal, SessionRecord, User
from ptrcm.services.access.passwords import Passwords
from ptrcm.services.access.policy import (
    SESSION_TOUCH,
    AccessError,
    SecurityPolicy,
    digest,
    name_digest,
    new_secret,
)
from ptrcm.services.access.ports import AccessStore, NewSession

WRONG = "Wrong user name or password."


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in: a new session's token (for the cookie) and who it is, or
    the one-line reason it was refused."""

    token: str | None
    principal: Principal | None
    refused: str | None = None
    locked_until: datetime | None = None


def sign_in(
    store: AccessStore,
    passwords: Passwords,
    policy: SecurityPolicy,
    username: str,
    password: str,
    client_address: str | None,
    now: datetime,
) -> SignIn:
    """Check the name and password; on success a new session in the user's first
    organization. The caller commits either way (a failure is recorded)."""
    name = username.strip().lower()
    name_hash = name_digest(name)
    user = store.user_by_name(name) if name else None
    reset = store.password_changed_at(user.id) if user is not None else None
    recent = store.failures(name_hash, now - policy.window - policy.lockout)
    until = locked_until([f for f in recent if reset is None or f > reset], policy)
    if until is not None and now < until:
        store.add_attempt(name_hash, user.id if user else None, client_address, False, now)
        return SignIn(None, None, "Too many failed sign-ins for this user name.", until)
    since = now - policy.window
    if client_address and store.address_failures(client_address, since) >= (
        policy.max_address_failures
    ):
        store.add_attempt(name_hash, user.id if user else None, client_address, False, now)
        return SignIn(
            None, None, "Too many failed sign-ins from this address.", now + policy.lockout
        )
    checked = passwords.verify(password, user.password_hash if user else None)
    members = store.memberships(user.id) if user is not None and checked.ok else []
    if user is None or not checked.ok or not user.active or not members:
        store.add_attempt(name_hash, user.id if user else None, client_address, False, now)
        return SignIn(None, None, WRONG)
    if checked.new_hash is not None:
        store.set_password(user.id, checked.new_hash, reset or now)
    store.add_attempt(name_hash, user.id, client_address, True, now)
    token = new_secret()
    first = members[0]
    session = NewSession(
        digest(token),
        user.id,
        first.org_id,
        now,
        int(policy.idle.total_seconds()),
        now + policy.lifetime,
        client_address,
    )
    session_id = store.add_session(session)
    return SignIn(token, _principal(user, first, members, session_id))


def locked_until(failures: list[datetime], policy: SecurityPolicy) -> datetime | None:
    """When the lock ends: ``policy.lockout`` after the latest failure that made
    ``max_failures`` within ``policy.window`` (None: no such burst). Failures while locked
    are recorded but start a new lock only if they make a new burst."""
    n, until = policy.max_failures, None
    ordered = sorted(failures)
    for last in range(n - 1, len(ordered)):
        if ordered[last] - ordered[last - n + 1] <= policy.window:
            end = ordered[last] + policy.lockout
            until = end if until is None or end > until else until
    return until


def resume(store: AccessStore, token: str, now: datetime) -> Principal | None:
    """The signed-in member behind a session cookie, or None (ending a session that has
    idled out or outlived its lifetime). The caller commits."""
    held = store.resumed_session(digest(token))
    if held is None or held.session.ended_at is not None:
        return None
    found = held.session
    reason = _expired(found, now)
    if reason is not None:
        store.end_session(found.id, now, reason)
        return None
    user = held.user
    members = list(held.memberships) if user is not None and user.active else []
    if user is None or not members:
        store.end_session(found.id, now, "no_access")
        return None
    current = next((m for m in members if m.org_id == found.org_id), None)
    if current is None:  # the membership in use was revoked: fall back to another
        current = members[0]
        store.set_session_org(found.id, current.org_id)
    if now - found.last_seen_at >= SESSION_TOUCH:
        store.touch_session(found.id, now)
    return _principal(user, current, members, found.id)


def _expired(session: SessionRecord, now: datetime) -> str | None:
    if now >= session.expires_at:
        return "lifetime"
    if (now - session.last_seen_at).total_seconds() >= session.idle_timeout_seconds:
        return "idle"
    return None


def sign_out(store: AccessStore, principal: Principal, now: datetime) -> None:
    if principal.session_id is not None:
        store.end_session(principal.session_id, now, "signed_out")


def switch_organization(
    store: AccessStore, principal: Principal, org_slug: str, now: datetime
) -> Principal:
    """The same session in another organization the user is an active member of;
    ``AccessError`` (the same for a foreign and a missing organization) otherwise."""
    target = next((m for m in principal.organizations if m.org_slug == org_slug), None)
    if principal.session_id is None or principal.user_id is None or target is None:
        raise AccessError("no such organization")
    store.set_session_org(principal.session_id, target.org_id)
    user = store.user(principal.user_id)
    if user is None:
        raise AccessError("no such organization")
    store.touch_session(principal.session_id, now)
    return _principal(user, target, principal.organizations, principal.session_id)


def _principal(
    user: User,
    member: Membership,
    members: list[Membership] | tuple[Membership, ...],
    session_id: int,
) -> Principal:
    return Principal(
        kind="session",
        org_id=member.org_id,
        org_slug=member.org_slug,
        role=member.role,
        actor=f"user:{user.username}",
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        membership_id=member.id,
        provider_id=member.provider_id,
        session_id=session_id,
        organizations=tuple(members),
    )
