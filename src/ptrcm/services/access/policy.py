"""The numbers of the security model, in one place, with their defaults (docs/security.md).

Sessions end after ``idle`` without a request (HIPAA's "automatic logoff",
45 CFR 164.312(a)(2)(iii)) and ``lifetime`` after sign-in whatever happens (a stolen cookie
is not good forever). Sign-in is refused for ``lockout`` once a user name has had
``max_failures`` failed attempts within ``window`` since its last success or password
reset, and for a client address once it has had ``max_address_failures`` within ``window``
(one address guessing many names). Every number can be changed in ``ptrcm.toml``
(``[security]``), within the bounds ``check_policy`` enforces.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from ptrcm.errors import PtrcmError

TOKEN_BYTES = 32  # 256 bits from the operating system's CSPRNG
SESSION_TOUCH = timedelta(seconds=30)  # last_seen_at is written at most this often
MAX_TOKEN_DAYS = 366


class AccessError(PtrcmError):
    """A request the access services refuse: the message says why, without secrets."""


class NotFound(AccessError):
    """No such user, token or organization *for the one asking*: said the same way whether
    it does not exist or belongs to an organization they may not see."""


@dataclass(frozen=True, slots=True)
class SecurityPolicy:
    idle: timedelta = timedelta(minutes=15)
    lifetime: timedelta = timedelta(hours=10)
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)
    max_address_failures: int = 50

    def __post_init__(self) -> None:
        check_policy(self)


def policy_from(numbers: Mapping[str, int]) -> SecurityPolicy:
    """The policy of a ``[security]`` table (``Config.security``), defaults for the rest."""
    base = SecurityPolicy()

    def span(key: str, unit: timedelta, default: timedelta) -> timedelta:
        return default if key not in numbers else numbers[key] * unit

    minute, hour = timedelta(minutes=1), timedelta(hours=1)
    return SecurityPolicy(
        idle=span("session_idle_minutes", minute, base.idle),
        lifetime=span("session_lifetime_hours", hour, base.lifetime),
        max_failures=numbers.get("lockout_failures", base.max_failures),
        window=span("lockout_window_minutes", minute, base.window),
        lockout=span("lockout_minutes", minute, base.lockout),
        max_address_failures=numbers.get("address_failures", base.max_address_failures),
    )


def check_policy(policy: SecurityPolicy) -> None:
    """Refuse numbers that would switch a safeguard off (``AccessError`` naming the key)."""
    bounds = (
        ("session_idle_minutes", policy.idle, timedelta(minutes=1), timedelta(hours=12)),
        ("session_lifetime_hours", policy.lifetime, timedelta(minutes=5), timedelta(hours=24)),
        ("lockout_window_minutes", policy.window, timedelta(minutes=1), timedelta(days=1)),
        ("lockout_minutes", policy.lockout, timedelta(minutes=1), timedelta(days=1)),
    )
    for key, value, low, high in bounds:
        if not low <= value <= high:
            raise AccessError(f"[security] {key}: must be between {low} and {high}")
    if policy.idle > policy.lifetime:
        raise AccessError("[security] session_idle_minutes: longer than the session lifetime")
    if not 1 <= policy.max_failures <= 100:
        raise AccessError("[security] lockout_failures: must be between 1 and 100")
    if not policy.max_failures <= policy.max_address_failures <= 10_000:
        raise AccessError("[security] address_failures: between lockout_failures and 10000")


def new_secret(prefix: str = "") -> str:
    """A fresh unguessable token (URL-safe text)."""
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    """What is stored for a session or API token: SHA-256, hex. The secret has 256 random
    bits, so unlike a password it needs no slow hash to resist guessing."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def name_digest(username: str) -> str:
    """What a sign-in attempt keeps of the name typed (see ``ptrcm.store.tables.identity``)."""
    return digest("login:" + username.strip().lower())
