"""CSRF protection: every state-changing request made with a session cookie carries a token
the attacker's page cannot know (OWASP CSRF Prevention Cheat Sheet: a token tied to the
session, checked on every unsafe method; plus SameSite=Lax cookies and an Origin check).

The token is HMAC-SHA256 keyed by the session's secret (the cookie value, which only the
browser and the request hold: it is HttpOnly and stored server-side only as a hash), so it
needs no server-side state and no extra secret shared between workers, and it changes with
every sign-in. Forms carry it as ``csrf_token``; scripts as the ``X-CSRF-Token`` header.
Before a session exists (the sign-in form), a short-lived random cookie stands in for the
secret (a signed double-submit cookie), so a third-party page cannot sign a browser in to
an account of its choosing either. API tokens (``Authorization: Bearer``) are not sent by
browsers on their own, so they need no CSRF token.

Why not a library: starlette-csrf compares a header only (server-rendered forms would
need script), is not tied to the session, and had no release since 2023; itsdangerous
would add a signing key to distribute to every worker for what the session secret does.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

FIELD = "csrf_token"
HEADER = "x-csrf-token"
CONTEXT = b"ptrcm csrf v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_for(secret: str) -> str:
    """The CSRF token of the session (or pre-session cookie) whose secret is ``secret``."""
    return hmac.new(secret.encode("utf-8"), CONTEXT, hashlib.sha256).hexdigest()


def matches(secret: str, offered: str | None) -> bool:
    return bool(offered) and hmac.compare_digest(token_for(secret), str(offered))


async def offered_token(request: Request) -> str | None:
    """The token the request carries: the header, else the form field."""
    header = request.headers.get(HEADER)
    if header:
        return header
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(FIELD)
        return value if isinstance(value, str) else None
    return None


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site; true when it says
    nothing (non-browser clients: the token is still required). Browsers send
    ``Sec-Fetch-Site``; older ones only ``Origin``, which is ``null`` on our own forms
    because the pages send no referrer (``Referrer-Policy: no-referrer``)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host
