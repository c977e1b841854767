"""Who may do what: roles, permissions, the matrix between them, and the identity records
the access services pass around (ARCHITECTURE §8).

The matrix is the one place a role's rights are written down. The web app enforces it in
one dependency per route (``ptrcm.web.auth.requires``); docs/security.md prints it and a
test keeps the two equal. A permission names what is read or done, not a page, so the JSON
API and the page over the same data need the same permission.

Two rights are narrower than their permission says, and the data providers apply them:
a therapist reads only the claims and work-list items of the patients they treated (their
membership names their rendering provider), and the front desk's work list carries no
payment amounts (it never did: a work item is a reason, a due date and an action).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """A member's role in one organization (a person may hold different roles in two)."""

    therapist = "therapist"
    front_desk = "front_desk"
    biller = "biller"
    manager = "manager"
    admin = "admin"
    auditor = "auditor"


class Permission(StrEnum):
    """One right. ``read_*`` rights disclose PHI or practice finances; ``do_*`` change or
    compute something for the caller; ``manage_*`` administer the organization."""

    read_dashboard = "read_dashboard"  # KPIs, A/R aging, denial Pareto, cash and visits
    read_queues = "read_queues"  # denial, rejection, underpayment ... work queues
    read_claims = "read_claims"  # a claim: lines, payments, adjustments, timeline
    read_payers = "read_payers"  # net revenue and underpayments by payer
    read_therapists = "read_therapists"  # evaluation mix, productivity per therapist
    read_scheduling = "read_scheduling"  # attendance, no-shows, revenue lost
    read_worklist = "read_worklist"  # the front desk's and therapists' daily work list
    check_booking = "check_booking"  # is a proposed appointment covered
    read_audit = "read_audit"  # the audit trail: search and export
    manage_users = "manage_users"  # add, disable, reset, grant roles
    manage_tokens = "manage_tokens"  # API tokens for integrations
    read_api_schema = "read_api_schema"  # the OpenAPI document
    do_claim_work = "do_claim_work"  # work queue items and claims: fix, release, appeal...
    approve_write_offs = "approve_write_offs"  # write-offs above the biller's limit
    read_chart_audits = "read_chart_audits"  # documentation audits, their KPIs, records requests
    do_chart_audits = "do_chart_audits"  # start an audit, therapist feedback, records requests


P = Permission
_EVERY_READ = frozenset(
    {
        P.read_dashboard,
        P.read_queues,
        P.read_claims,
        P.read_payers,
        P.read_therapists,
        P.read_scheduling,
        P.read_worklist,
        P.read_chart_audits,
    }
)

_SIGNED_IN = frozenset({P.read_api_schema})
GRANTS: Mapping[Role, frozenset[Permission]] = {
    Role.therapist: _SIGNED_IN | {P.read_claims, P.read_worklist, P.check_booking},
    Role.front_desk: _SIGNED_IN | {P.read_worklist, P.check_booking},
    Role.biller: _SIGNED_IN
    | (_EVERY_READ - {P.read_scheduling})
    | {P.check_booking, P.do_claim_work, P.do_chart_audits},
    Role.manager: _SIGNED_IN
    | _EVERY_READ
    | {P.check_booking, P.do_claim_work, P.approve_write_offs, P.do_chart_audits},
    Role.admin: _SIGNED_IN
    | _EVERY_READ
    | {
        P.check_booking,
        P.read_audit,
        P.manage_users,
        P.manage_tokens,
        P.do_claim_work,
        P.approve_write_offs,
        P.do_chart_audits,
    },
    # Read-only: everything that can be read, the audit trail included; nothing to do.
    Role.auditor: _SIGNED_IN | _EVERY_READ | {P.read_audit},
}

# Roles whose reads are narrowed to their own patients (see the module docstring).
OWN_PATIENTS_ONLY = frozenset({Role.therapist})


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]


def home_path(role: Role) -> str:
    """Where a member lands after signing in: the first page their role may read."""
    if allows(role, P.read_dashboard):
        return "/"
    return "/worklist"


@dataclass(frozen=True, slots=True)
class Organization:
    """An organization (tenant) as the access services see it."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in. ``password_hash`` is an Argon2 PHC string, or ``None`` when
    no password was ever set (such a user cannot sign in until an admin resets it)."""

    id: int
    username: str
    display_name: str
    active: bool
    password_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Membership:
    """A user's role in one organization. ``provider_id`` ties a therapist to the rendering
    provider whose patients they see."""

    id: int
    org_id: int
    org_slug: str
    org_name: str
    user_id: int
    role: Role
    active: bool
    provider_id: int | None = None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A server-side session: the hash of its cookie's token, never the token."""

    id: int
    token_hash: str
    user_id: int
    org_id: int | None
    created_at: datetime
    last_seen_at: datetime
    idle_timeout_seconds: int
    expires_at: datetime
    client_address: str | None
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class ResumedSession:
    """What a request resumes a session from, read together: the session, its user (None
    if the row is gone) and that user's active memberships, ordered by organization name."""

    session: SessionRecord
    user: User | None
    memberships: tuple[Membership, ...]


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An integration's credential: one organization, one role, an expiry; the secret is
    stored as its SHA-256 (it is 256 random bits, so a slow hash adds nothing)."""

    id: int
    org_id: int
    name: str
    prefix: str
    role: Role
    expires_at: datetime
    revoked_at: datetime | None
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking, in which organization, with which role: a signed-in member (a session)
    or an integration (an API token). ``actor`` is what the audit trail names."""

    kind: str  # "session" or "token"
    org_id: int
    org_slug: str
    role: Role
    actor: str
    user_id: int | None = None
    username: str | None = None
    display_name: str | None = None
    membership_id: int | None = None
    provider_id: int | None = None
    session_id: int | None = None
    token_id: int | None = None
    organizations: tuple[Membership, ...] = ()

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)

    @property
    def own_patients_only(self) -> bool:
        return self.role in OWN_PATIENTS_ONLY


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit row to write: who (member or integration) did what to which record, from
    where. ``detail`` holds ids and counts only, never PHI."""

    org_id: int
    actor: str
    action: str
    table_name: str
    record_id: str | None
    at: datetime
    membership_id: int | None = None
    client_address: str | None = None
    detail: Mapping[str, object] | None = None


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """A search of one organization's audit trail; every criterion is optional."""

    start: datetime | None = None
    end: datetime | None = None
    actor: str | None = None
    action: str | None = None
    table_name: str | None = None
    record_id: str | None = None
    limit: int = 200
    offset: int = 0


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    username: str | None
    action: str
    table_name: str
    record_id: str | None
    client_address: str | None
    detail: Mapping[str, object] | None
