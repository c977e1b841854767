"""API tokens for integrations: ``Authorization: Bearer ptrcm_...``.

A token belongs to one organization and carries one role (never more than its creator's
organization allows: the matrix of ``ptrcm.domain.access``), has an expiry (at most a year
ahead), and can be revoked. Only its SHA-256 is stored; the token is shown once, when it
is made. Its first characters (``prefix``) are kept to tell tokens apart in lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ptrcm.domain.access import ApiToken, AuditRecord, Principal, Role
from ptrcm.services.access.policy import (
    MAX_TOKEN_DAYS,
    AccessError,
    NotFound,
    digest,
    new_secret,
)
from ptrcm.services.access.ports import AccessStore, NewToken

PREFIX = "ptrcm_"
SHOWN = 12  # characters of the token kept in clear, "ptrcm_" and six more
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")


@dataclass(frozen=True, slots=True)
class NewApiToken:
    token: str  # shown once, never stored
    record: ApiToken


def create_token(
    store: AccessStore,
    org_slug: str,
    name: str,
    role: Role,
    days: int,
    now: datetime,
    *,
    created_by: int | None,
    actor: str,
    membership_id: int | None = None,
    client_address: str | None = None,
) -> NewApiToken:
    """A new token for ``org_slug`` with ``role``, valid ``days`` days; audited."""
    org = store.organization(org_slug)
    if org is None:
        raise AccessError(f"--org {org_slug}: no such organization")
    if not NAME.match(name):
        raise AccessError("token name: 1-64 letters, digits, spaces, '.', '_' or '-'")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccessError(f"--days: a token expires within 1 to {MAX_TOKEN_DAYS} days")
    token = new_secret(PREFIX)
    expires = now + timedelta(days=days)
    values = NewToken(org.id, name, digest(token), token[:SHOWN], role, created_by, now, expires)
    token_id = store.add_token(values)
    store.record_audit(
        [
            AuditRecord(
                org.id,
                actor,
                "create",
                "api_tokens",
                str(token_id),
                now,
                membership_id,
                client_address,
                {"role": role.value, "days": days},
            )
        ]
    )
    record = ApiToken(token_id, org.id, name, token[:SHOWN], role, expires, None, created_by, now)
    return NewApiToken(token, record)


def revoke_token(
    store: AccessStore,
    org_slug: str,
    token_id: int,
    now: datetime,
    *,
    actor: str,
    membership_id: int | None = None,
    client_address: str | None = None,
) -> None:
    """Revoke the organization's token ``token_id`` (``AccessError`` when it has none such,
    or it is revoked already)."""
    org = store.organization(org_slug)
    if org is None or not store.revoke_token(org.id, token_id, now):
        raise NotFound(f"token {token_id}: no such active token in {org_slug}")
    store.record_audit(
        [
            AuditRecord(
                org.id,
                actor,
                "update",
                "api_tokens",
                str(token_id),
                now,
                membership_id,
                client_address,
                {"revoked": True},
            )
        ]
    )


def authenticate_token(store: AccessStore, token: str, now: datetime) -> Principal | None:
    """The integration behind a bearer token, or None (unknown, revoked or expired)."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    found = store.token_by_hash(digest(token))
    if found is None or found.revoked_at is not None or now >= found.expires_at:
        return None
    org = store.organization_by_id(found.org_id)
    if org is None:
        return None
    store.touch_token(found.id, now)
    return Principal(
        kind="token",
        org_id=org.id,
        org_slug=org.slug,
        role=found.role,
        actor=f"token:{found.id}",
        token_id=found.id,
    )
