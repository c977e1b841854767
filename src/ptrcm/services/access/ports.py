"""The access services' port: one transaction over the identity tables and the audit trail.

``ptrcm.store.access_repo`` implements it without importing this module (the protocols are
structural; the values live in ``ptrcm.domain.access``); the service tests use a fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ptrcm.domain.access import (
    ApiToken,
    AuditEntry,
    AuditQuery,
    AuditRecord,
    Membership,
    Organization,
    ResumedSession,
    Role,
    SessionRecord,
    User,
)
from ptrcm.services.ports import Transaction


@dataclass(frozen=True, slots=True)
class NewSession:
    token_hash: str
    user_id: int
    org_id: int | None
    created_at: datetime
    idle_timeout_seconds: int
    expires_at: datetime
    client_address: str | None


@dataclass(frozen=True, slots=True)
class NewToken:
    org_id: int
    name: str
    token_hash: str
    prefix: str
    role: Role
    created_by: int | None
    created_at: datetime
    expires_at: datetime


class AccessStore(Protocol):
    # organizations and providers
    def organization(self, slug: str) -> Organization | None: ...

    def organization_by_id(self, org_id: int) -> Organization | None: ...

    def provider_id(self, org_id: int, reference: str) -> int | None:
        """The provider whose NPI, staff id or external id is ``reference``."""
        ...

    def busiest_provider(self, org_id: int) -> str | None:
        """The external id of the provider who rendered the most visits (demo data)."""
        ...

    # users
    def user(self, user_id: int) -> User | None: ...

    def user_by_name(self, username: str) -> User | None: ...

    def users(self, org_id: int | None = None) -> list[User]:
        """Every user, or the members (active or not) of one organization."""
        ...

    def add_user(
        self,
        username: str,
        display_name: str,
        email: str | None,
        password_hash: str,
        at: datetime,
    ) -> int: ...

    def set_password(self, user_id: int, password_hash: str, at: datetime) -> None: ...

    def password_changed_at(self, user_id: int) -> datetime | None: ...

    def set_user_active(self, user_id: int, active: bool) -> None: ...

    # memberships
    def memberships(self, user_id: int, *, active_only: bool = True) -> list[Membership]: ...

    def grant(
        self,
        org_id: int,
        user_id: int,
        role: Role,
        provider_id: int | None,
        active: bool,
        at: datetime,
    ) -> int:
        """Create or change the user's one membership in ``org_id``; its id."""
        ...

    # sessions
    def add_session(self, session: NewSession) -> int: ...

    def session_by_hash(self, token_hash: str) -> SessionRecord | None: ...

    def resumed_session(self, token_hash: str) -> ResumedSession | None:
        """The session with that hash, its user and the user's active memberships, in one
        read (every request resumes one)."""
        ...

    def touch_session(self, session_id: int, at: datetime) -> None: ...

    def set_session_org(self, session_id: int, org_id: int) -> None: ...

    def end_session(self, session_id: int, at: datetime, reason: str) -> None: ...

    def end_user_sessions(self, user_id: int, at: datetime, reason: str) -> int: ...

    # sign-in attempts
    def add_attempt(
        self,
        username_hash: str,
        user_id: int | None,
        client_address: str | None,
        succeeded: bool,
        at: datetime,
    ) -> None: ...

    def failures(self, username_hash: str, since: datetime) -> list[datetime]:
        """Failed attempts for the name since ``since`` and after its last success, oldest
        first."""
        ...

    def address_failures(self, client_address: str, since: datetime) -> int: ...

    # API tokens
    def add_token(self, token: NewToken) -> int: ...

    def token_by_hash(self, token_hash: str) -> ApiToken | None: ...

    def tokens(self, org_id: int) -> list[ApiToken]: ...

    def revoke_token(self, org_id: int, token_id: int, at: datetime) -> bool: ...

    def touch_token(self, token_id: int, at: datetime) -> None: ...

    # the audit trail
    def record_audit(self, records: Sequence[AuditRecord]) -> None: ...

    def audit_entries(self, org_id: int, query: AuditQuery) -> list[AuditEntry]: ...

    def audit_count(self, org_id: int, query: AuditQuery) -> int: ...


class AccessUnitOfWork(Transaction, Protocol):
    """One transaction: nothing is kept unless ``commit`` is called before leaving."""

    @property
    def access(self) -> AccessStore: ...
