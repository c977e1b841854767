"""Administering people: add a user, list, disable, reset a password, grant or revoke a role
in an organization. ``ptrcm users ...`` and the admin page call these.

Every change is audited in each organization it concerns (a user's memberships), under the
actor who made it. Disabling a user or resetting a password ends the user's sessions at
once; a role change applies from the user's next request (sessions read the membership on
every request).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ptrcm.domain.access import AuditRecord, Membership, Role, User
from ptrcm.services.access.passwords import Passwords, password_problems
from ptrcm.services.access.policy import AccessError, NotFound
from ptrcm.services.access.ports import AccessStore

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes an administrative change, for the audit trail."""

    name: str  # "user:alice" or "cli:operator"
    membership_id: int | None = None
    client_address: str | None = None
    org_id: int | None = None  # the organization the actor works in (web)


@dataclass(frozen=True, slots=True)
class UserListing:
    user: User
    memberships: tuple[Membership, ...]


def _checked_password(password: str, username: str, display_name: str) -> None:
    problems = password_problems(password, username=username, display_name=display_name)
    if problems:
        raise AccessError("password " + "; ".join(problems))


def _audit(
    store: AccessStore,
    actor: Actor,
    user_id: int,
    action: str,
    detail: dict[str, object],
    at: datetime,
) -> None:
    orgs = {m.org_id for m in store.memberships(user_id, active_only=False)}
    store.record_audit(
        [
            AuditRecord(
                org,
                actor.name,
                action,
                "users",
                str(user_id),
                at,
                actor.membership_id if org == actor.org_id else None,
                actor.client_address,
                detail,
            )
            for org in sorted(orgs)
        ]
    )


def check_administers(store: AccessStore, admin_user_id: int, username: str) -> None:
    """Refuse (as "no such user") a web admin's change to a user who is a member of an
    organization the admin does not administer: an admin of one client practice never
    reaches into another's. The command line (the installation's operator) is not bound."""
    target = _user(store, username)
    administered = {m.org_id for m in store.memberships(admin_user_id) if m.role is Role.admin}
    theirs = {m.org_id for m in store.memberships(target.id, active_only=False)}
    if not theirs or not theirs <= administered:
        raise NotFound(f"user {target.username!r}: no such user")


def _user(store: AccessStore, username: str) -> User:
    found = store.user_by_name(username.strip().lower())
    if found is None:
        raise NotFound(f"user {username.strip().lower()!r}: no such user")
    return found


def add_user(
    store: AccessStore,
    passwords: Passwords,
    username: str,
    display_name: str,
    password: str,
    at: datetime,
    *,
    email: str | None = None,
) -> int:
    """A new active user (no membership yet: ``grant`` one)."""
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise AccessError(
            "user name: 3-64 characters, lower-case letters, digits, '.', '_', '@' or '-'"
        )
    if store.user_by_name(name) is not None:
        raise AccessError(f"user {name!r} exists already")
    shown = display_name.strip()
    if not 1 <= len(shown) <= 200 or any(not c.isprintable() for c in shown):
        raise AccessError("display name: 1-200 printable characters")
    _checked_password(password, name, shown)
    return store.add_user(name, shown, email, passwords.hash(password), at)


def list_users(store: AccessStore, org_id: int | None = None) -> list[UserListing]:
    return [
        UserListing(u, tuple(store.memberships(u.id, active_only=False)))
        for u in store.users(org_id)
    ]


def set_active(store: AccessStore, username: str, active: bool, at: datetime, actor: Actor) -> None:
    """Disable (or enable again) a user; disabling ends their sessions."""
    user = _user(store, username)
    store.set_user_active(user.id, active)
    if not active:
        store.end_user_sessions(user.id, at, "disabled")
    _audit(store, actor, user.id, "update", {"active": active}, at)


def reset_password(
    store: AccessStore,
    passwords: Passwords,
    username: str,
    password: str,
    at: datetime,
    actor: Actor,
) -> None:
    """A new password (checked by the rules); the user's sessions end, a lockout lifts."""
    user = _user(store, username)
    _checked_password(password, user.username, user.display_name)
    store.set_password(user.id, passwords.hash(password), at)
    store.end_user_sessions(user.id, at, "password_reset")
    _audit(store, actor, user.id, "update", {"password_reset": True}, at)


def grant(
    store: AccessStore,
    username: str,
    org_slug: str,
    role: Role | None,
    at: datetime,
    actor: Actor,
    *,
    provider: str | None = None,
) -> int:
    """Give ``username`` ``role`` in ``org_slug`` (``None``: revoke the membership, which
    stays on record, inactive). A therapist may be tied to their rendering provider (NPI,
    staff id or external id) to see their own patients; without one they see none."""
    user = _user(store, username)
    org = store.organization(org_slug)
    if org is None:
        raise NotFound(f"--org {org_slug}: no such organization")
    current = next(
        (m for m in store.memberships(user.id, active_only=False) if m.org_id == org.id), None
    )
    provider_id = current.provider_id if current else None
    if provider is not None:
        provider_id = store.provider_id(org.id, provider)
        if provider_id is None:
            raise AccessError(f"--provider {provider}: no such provider in {org_slug}")
    if role is None and current is None:
        raise AccessError(f"user {user.username!r} has no membership in {org_slug}")
    kept_role = role or (current.role if current else Role.auditor)
    membership_id = store.grant(org.id, user.id, kept_role, provider_id, role is not None, at)
    detail: dict[str, object] = {"role": role.value if role else None, "user_id": user.id}
    store.record_audit(
        [
            AuditRecord(
                org.id,
                actor.name,
                "update" if current else "create",
                "memberships",
                str(membership_id),
                at,
                actor.membership_id if org.id == actor.org_id else None,
                actor.client_address,
                detail,
            )
        ]
    )
    return membership_id
