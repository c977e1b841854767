"""The administration page: the organization's members and API tokens (``manage_users``,
``manage_tokens``); the same services as ``ptrcm users`` and ``ptrcm tokens``.

Everything happens in the admin's current organization: members are added to it, roles
granted or revoked in it, tokens made for it. Disabling a user or resetting a password
reaches the person in every organization, so a web admin may do it only to users all of
whose organizations they administer (``users.check_administers``). A new token is shown
once, on the page that made it; a password typed here is never shown back.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ptrcm.domain.access import Permission as P
from ptrcm.domain.access import Principal, Role
from ptrcm.services.access import tokens, users
from ptrcm.services.access.policy import AccessError, NotFound
from ptrcm.web import pages
from ptrcm.web.auth import client_address, gate, requires

router = APIRouter(prefix="/admin", include_in_schema=False, default_response_class=HTMLResponse)
Name = Annotated[str, Form(min_length=1, max_length=200)]
Secret = Annotated[str, Form(min_length=1, max_length=256)]
ROLE_CHOICES = [r.value for r in Role]


def _actor(request: Request) -> users.Actor:
    who: Principal = request.state.principal
    return users.Actor(who.actor, who.membership_id, client_address(request), who.org_id)


def _page(
    request: Request, *, message: str | None = None, error: str | None = None,
    new_token: str | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    who: Principal = request.state.principal
    with gate(request).unit_of_work() as uow:
        people = users.list_users(uow.access, who.org_id)
        made = uow.access.tokens(who.org_id) if who.can(P.manage_tokens) else []
    rows: list[dict[str, Any]] = []
    for listing in people:
        here = next((m for m in listing.memberships if m.org_id == who.org_id), None)
        rows.append({"user": listing.user, "membership": here,
                     "others": len(listing.memberships) - (here is not None)})  # fmt: skip
    context = {
        "title": "Administration",
        "rows": rows,
        "tokens": made,
        "roles": ROLE_CHOICES,
        "message": message,
        "error": error,
        "new_token": new_token,
        "now": gate(request).settings.now(),
    }
    return pages.render(request, "admin.html", "admin", context, status_code=status)


@router.get("", dependencies=[requires(P.manage_users)])
def admin_page(request: Request) -> HTMLResponse:
    return _page(request)


def _apply(request: Request, change: Any, done: str) -> HTMLResponse:
    """Run ``change(store, now)`` in one transaction; the page with what happened."""
    g = gate(request)
    try:
        with g.unit_of_work() as uow:
            change(uow.access, g.settings.now())
            uow.commit()
    except NotFound as exc:
        return _page(request, error=str(exc), status=404)
    except AccessError as exc:
        return _page(request, error=str(exc), status=400)
    return _page(request, message=done)


@router.post("/users", dependencies=[requires(P.manage_users)])
async def add_member(
    request: Request,
    username: Name,
    display_name: Name,
    password: Secret,
    role: Annotated[Role, Form()],
    provider: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    """A new user with a role in this organization."""
    who: Principal = request.state.principal
    hasher = gate(request).settings.passwords

    def change(store: Any, now: Any) -> None:
        users.add_user(store, hasher, username, display_name, password, now)
        users.grant(store, username, who.org_slug, role, now, _actor(request),
                    provider=provider or None)  # fmt: skip

    return await run_in_threadpool(_apply, request, change, f"User {username} added.")


@router.post("/users/{username}/role", dependencies=[requires(P.manage_users)])
def set_role(
    request: Request,
    username: str,
    role: Annotated[str, Form(max_length=20)],
    provider: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    """Grant a role in this organization (``none``: revoke the membership)."""
    who: Principal = request.state.principal
    if role != "none" and role not in ROLE_CHOICES:
        return _page(request, error="Unknown role.", status=400)

    def change(store: Any, now: Any) -> None:
        users.check_administers(store, who.user_id or 0, username)
        users.grant(store, username, who.org_slug, None if role == "none" else Role(role), now,
                    _actor(request), provider=provider or None)  # fmt: skip

    return _apply(request, change, f"Role of {username} changed.")


@router.post("/users/{username}/active", dependencies=[requires(P.manage_users)])
def set_active(request: Request, username: str, active: Annotated[bool, Form()]) -> HTMLResponse:
    """Disable a user (their sessions end) or enable them again."""
    who: Principal = request.state.principal

    def change(store: Any, now: Any) -> None:
        users.check_administers(store, who.user_id or 0, username)
        users.set_active(store, username, active, now, _actor(request))

    return _apply(request, change, f"User {username} {'enabled' if active else 'disabled'}.")


@router.post("/password", dependencies=[requires(P.manage_users)])
async def reset_password(request: Request, username: Name, password: Secret) -> HTMLResponse:
    """Set a new password (the user's sessions end)."""
    who: Principal = request.state.principal
    hasher = gate(request).settings.passwords

    def change(store: Any, now: Any) -> None:
        users.check_administers(store, who.user_id or 0, username)
        users.reset_password(store, hasher, username, password, now, _actor(request))

    return await run_in_threadpool(_apply, request, change, f"Password of {username} reset.")


@router.post("/tokens", dependencies=[requires(P.manage_tokens)])
def create_token(
    request: Request,
    name: Annotated[str, Form(min_length=1, max_length=64)],
    role: Annotated[Role, Form()],
    days: Annotated[int, Form(ge=1, le=366)] = 90,
) -> HTMLResponse:
    """A new API token for this organization, shown once."""
    who: Principal = request.state.principal
    g = gate(request)
    try:
        with g.unit_of_work() as uow:
            made = tokens.create_token(
                uow.access, who.org_slug, name, role, days, g.settings.now(),
                created_by=who.user_id, actor=who.actor, membership_id=who.membership_id,
                client_address=client_address(request),
            )  # fmt: skip
            uow.commit()
    except AccessError as exc:
        return _page(request, error=str(exc), status=400)
    return _page(request, message=f"Token {made.record.prefix}… made.", new_token=made.token)


@router.post("/tokens/{token_id}/revoke", dependencies=[requires(P.manage_tokens)])
def revoke_token(request: Request, token_id: int) -> HTMLResponse:
    who: Principal = request.state.principal

    def change(store: Any, now: Any) -> None:
        tokens.revoke_token(store, who.org_slug, token_id, now, actor=who.actor,
                            membership_id=who.membership_id,
                            client_address=client_address(request))  # fmt: skip

    return _apply(request, change, f"Token {token_id} revoked.")
