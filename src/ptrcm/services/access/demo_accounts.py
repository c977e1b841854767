"""The demo's people: an admin and one user per role, with generated passwords written to a
file only its owner can read (``ptrcm demo``; ``make run`` names the file on the sign-in
page). The admin is a member of both demo organizations, to show switching between them;
the therapist is tied to the demo's busiest rendering provider, to show a therapist's
narrower view. Running the demo again gives everyone new passwords.
"""

from __future__ import annotations

import os
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ptrcm.domain.access import Role
from ptrcm.services.access import users
from ptrcm.services.access.passwords import Passwords, password_problems
from ptrcm.services.access.ports import AccessStore

ALPHABET = string.ascii_letters + string.digits
PASSWORD_LENGTH = 20  # about 119 bits
PEOPLE = (
    ("admin", "Demo Administrator", Role.admin),
    ("therapist", "Demo Therapist", Role.therapist),
    ("frontdesk", "Demo Front Desk", Role.front_desk),
    ("biller", "Demo Biller", Role.biller),
    ("manager", "Demo Manager", Role.manager),
    ("auditor", "Demo Auditor", Role.auditor),
)


@dataclass(frozen=True, slots=True)
class Account:
    username: str
    role: Role
    password: str
    organizations: tuple[str, ...]


def generated_password(username: str) -> str:
    """A random password that passes the rules (a draw that happens to hold a keyboard run
    is drawn again)."""
    while True:
        candidate = "".join(secrets.choice(ALPHABET) for _ in range(PASSWORD_LENGTH))
        if not password_problems(candidate, username=username):
            return candidate


def seed_demo_accounts(
    store: AccessStore, passwords: Passwords, orgs: Sequence[str], at: datetime
) -> list[Account]:
    """Create (or give new passwords to) the demo's people in ``orgs`` (the first is the
    main demo clinic)."""
    made = []
    actor = users.Actor("demo")
    for username, name, role in PEOPLE:
        password = generated_password(username)
        if store.user_by_name(username) is None:
            users.add_user(store, passwords, username, name, password, at)
        else:
            users.set_active(store, username, True, at, actor)
            users.reset_password(store, passwords, username, password, at, actor)
        member_of = tuple(orgs) if role is Role.admin else tuple(orgs[:1])
        for slug in member_of:
            org = store.organization(slug)
            provider = None
            if role is Role.therapist and org is not None:
                provider = store.busiest_provider(org.id)
            users.grant(store, username, slug, role, at, actor, provider=provider)
        made.append(Account(username, role, password, member_of))
    return made


def write_credentials(path: Path, accounts: Sequence[Account], url: str) -> None:
    """The accounts as a text file readable and writable by its owner only (0600), written
    so that it is never, even for a moment, readable by anyone else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# ptrcm demo sign-in: generated passwords. Keep this file private; it is",
        f"# readable by its owner only. Sign in at {url}",
        "# role        user name   password                organizations",
    ]
    for a in accounts:
        orgs = ",".join(a.organizations)
        lines.append(f"{a.role.value:<13} {a.username:<11} {a.password}    {orgs}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # an existing file keeps its mode otherwise
        handle.write("\n".join(lines) + "\n")
