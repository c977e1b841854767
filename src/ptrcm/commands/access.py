"""`ptrcm users ...` and `ptrcm tokens ...`: people, their roles, integrations' API tokens.

Passwords are never arguments (they would show in `ps` and shell history): they are asked
for twice without echo, or read from the first line of standard input with
`--password-stdin`. A token is printed once, when made; only its hash is stored. Every
change is written to the audit trail of each organization it concerns.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ptrcm.cli_support import OutputFormat, actor, emit_json, fail, opened, out
from ptrcm.commands.options import Db, Fmt, Org

if TYPE_CHECKING:
    from ptrcm.bootstrap import Root
    from ptrcm.domain.access import Role

users = typer.Typer(help="Users: add, list, disable, reset a password, grant a role.",
                    no_args_is_help=True)  # fmt: skip
tokens = typer.Typer(help="API tokens for integrations: create, list, revoke.",
                     no_args_is_help=True)  # fmt: skip

ROLE_HELP = "therapist, front_desk, biller, manager, admin or auditor."
STDIN_HELP = "Read the password from the first line of standard input (for scripts)."
User = Annotated[str, typer.Argument(help="User name (lower-case).")]
# The shared --org (same flag, help and PTRCM_ORG everywhere), required here: an account
# change names its organization.
OrgSlug = Org
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help=STDIN_HELP)]


def _role(text: str) -> Role:
    from ptrcm.domain.access import Role

    try:
        return Role(text)
    except ValueError:
        raise fail(f"--role {text!r}: must be one of {ROLE_HELP}") from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise fail("--password-stdin: standard input gave no password")
        return line
    if not sys.stdin.isatty():
        raise fail("no terminal to ask for the password: use --password-stdin")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Password again", hide_input=True) != first:
        raise fail("the two passwords differ")
    return str(first)


def _now() -> datetime:
    return datetime.now(UTC)


def _change(root: Root, change: object) -> None:
    """Run ``change(store)`` in one transaction; an access error is exit 2."""
    from ptrcm.services.access.policy import AccessError

    with root.access_unit_of_work() as uow:
        try:
            change(uow.access)  # type: ignore[operator]
        except AccessError as exc:
            raise fail(str(exc)) from None
        uow.commit()


@users.command("add")
def add(
    username: User,
    name: Annotated[str, typer.Option("--name", help="Full name, as shown in the app.")],
    org: OrgSlug,
    role: Annotated[str, typer.Option(help=ROLE_HELP)],
    provider: Annotated[
        str | None, typer.Option(help="A therapist's rendering provider (NPI or staff id).")
    ] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    password_stdin: PasswordStdin = False,
    db: Db = None,
) -> None:
    """Add a user with a role in one organization (more: `ptrcm users grant`)."""
    from ptrcm.services.access import users as access
    from ptrcm.services.access.passwords import Passwords

    chosen = _role(role)
    secret = _password(password_stdin)
    with opened(db=db) as root:

        def change(store: object) -> None:
            access.add_user(store, Passwords(), username, name, secret, _now(), email=email)  # type: ignore[arg-type]
            access.grant(store, username, org, chosen, _now(), access.Actor(actor()),  # type: ignore[arg-type]
                         provider=provider)  # fmt: skip

        _change(root, change)
    out.print(f"user {username.strip().lower()} added: {chosen.value} in {org}", markup=False)


@users.command("list")
def list_users(
    org: Annotated[str | None, typer.Option("--org", help="Only this organization.")] = None,
    db: Db = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Users, with their roles per organization."""
    from ptrcm.services.access import users as access

    with opened(db=db) as root, root.access_unit_of_work() as uow:
        org_id = None
        if org is not None:
            found = uow.access.organization(org)
            if found is None:
                raise fail(f"--org {org}: no such organization")
            org_id = found.id
        listing = access.list_users(uow.access, org_id)
    rows: list[dict[str, Any]] = [
        {"username": u.user.username, "name": u.user.display_name, "active": u.user.active,
         "memberships": [{"org": m.org_slug, "role": m.role.value, "active": m.active}
                         for m in u.memberships]}
        for u in listing
    ]  # fmt: skip
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    for r in rows:
        roles = ", ".join(
            f"{m['org']}:{m['role']}" + ("" if m["active"] else " (revoked)")
            for m in r["memberships"]
        )
        state = "" if r["active"] else "  [disabled]"
        out.print(f"{r['username']}  {r['name']}  {roles or '-'}{state}", markup=False)


@users.command("disable")
def disable(
    username: User,
    enable: Annotated[bool, typer.Option("--enable", help="Enable the user again.")] = False,
    db: Db = None,
) -> None:
    """Disable a user: no more sign-ins, and their sessions end now."""
    from ptrcm.services.access import users as access

    with opened(db=db) as root:
        _change(
            root, lambda s: access.set_active(s, username, enable, _now(), access.Actor(actor()))
        )
    out.print(
        f"user {username.strip().lower()} {'enabled' if enable else 'disabled'}", markup=False
    )


@users.command("reset-password")
def reset_password(username: User, password_stdin: PasswordStdin = False, db: Db = None) -> None:
    """Set a new password (checked by the rules); the user's sessions end, a lockout lifts."""
    from ptrcm.services.access import users as access
    from ptrcm.services.access.passwords import Passwords

    secret = _password(password_stdin)
    with opened(db=db) as root:
        _change(root, lambda s: access.reset_password(
            s, Passwords(), username, secret, _now(), access.Actor(actor())))  # fmt: skip
    out.print(f"password of {username.strip().lower()} reset", markup=False)


@users.command("grant")
def grant(
    username: User,
    org: OrgSlug,
    role: Annotated[str, typer.Option(help=ROLE_HELP + " Or none: revoke the membership.")],
    provider: Annotated[
        str | None, typer.Option(help="A therapist's rendering provider (NPI or staff id).")
    ] = None,
    db: Db = None,
) -> None:
    """Give a user a role in an organization, change it, or revoke it (--role none)."""
    from ptrcm.services.access import users as access

    chosen = None if role == "none" else _role(role)
    with opened(db=db) as root:
        who = access.Actor(actor())
        _change(
            root, lambda s: access.grant(s, username, org, chosen, _now(), who, provider=provider)
        )
    what = "revoked" if chosen is None else chosen.value
    out.print(f"user {username.strip().lower()} in {org}: {what}", markup=False)


@tokens.command("create")
def create(
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. 'EMR export'.")],
    org: OrgSlug,
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "auditor",
    days: Annotated[int, typer.Option(help="Days until it expires (1-366).")] = 90,
    db: Db = None,
    fmt: Fmt = OutputFormat.text,
) -> None:
    """Make an API token (printed once: store it in the integration's secret store)."""
    from ptrcm.services.access import tokens as access

    chosen = _role(role)
    made: list[access.NewApiToken] = []
    with opened(db=db) as root:
        _change(root, lambda s: made.append(access.create_token(
            s, org, name, chosen, days, _now(), created_by=None, actor=actor())))  # fmt: skip
    token = made[0]
    if fmt is OutputFormat.json:
        emit_json({"id": token.record.id, "token": token.token, "org": org, "role": chosen.value,
                   "expires_at": token.record.expires_at.isoformat()})  # fmt: skip
        return
    out.print(token.token, markup=False)
    sys.stderr.write(
        f"ptrcm: token {token.record.id} ({chosen.value} in {org}) expires"
        f" {token.record.expires_at:%Y-%m-%d}; it is shown only this once\n"
    )


@tokens.command("list")
def list_tokens(org: OrgSlug, db: Db = None, fmt: Fmt = OutputFormat.text) -> None:
    """The organization's tokens (never their values)."""
    with opened(db=db) as root, root.access_unit_of_work() as uow:
        found = uow.access.organization(org)
        if found is None:
            raise fail(f"--org {org}: no such organization")
        listing = uow.access.tokens(found.id)
    rows: list[dict[str, Any]] = [
        {"id": t.id, "name": t.name, "prefix": t.prefix, "role": t.role.value,
         "expires_at": t.expires_at.isoformat(),
         "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}
        for t in listing
    ]  # fmt: skip
    if fmt is OutputFormat.json:
        emit_json(rows)
        return
    for r in rows:
        state = "revoked" if r["revoked_at"] else f"expires {r['expires_at'][:10]}"
        out.print(f"{r['id']}  {r['prefix']}…  {r['role']}  {r['name']}  {state}", markup=False)


@tokens.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (`ptrcm tokens list`).")],
    org: OrgSlug,
    db: Db = None,
) -> None:
    """Revoke a token: it stops working at once."""
    from ptrcm.services.access import tokens as access

    with opened(db=db) as root:
        _change(root, lambda s: access.revoke_token(s, org, token_id, _now(), actor=actor()))
    out.print(f"token {token_id} revoked", markup=False)
