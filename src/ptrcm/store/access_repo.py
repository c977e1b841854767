"""The access port (``ptrcm.services.access.ports``) on SQLAlchemy: users, memberships,
sessions, sign-in attempts, API tokens and the audit trail, in one transaction.

Identity rows are read before an organization is chosen, so this repository is not
``OrgScoped``; every method that touches tenant rows (memberships, tokens, the audit trail)
takes the organization explicitly and filters by it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, Update, and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection, RootTransaction, Row
from sqlalchemy.exc import OperationalError

from ptrcm.domain.access import (
    ApiToken,
    Membership,
    Organization,
    ResumedSession,
    Role,
    SessionRecord,
    User,
)
from ptrcm.errors import InvariantError
from ptrcm.store.audit import AuditTrail
from ptrcm.store.tables import (
    api_tokens,
    login_attempts,
    memberships,
    organizations,
    providers,
    sessions,
    users,
    visits,
)

TOUCH = timedelta(seconds=30)  # a token's last use is written at most this often


def _user(row: Row[Any]) -> User:
    return User(int(row.id), row.username, row.display_name, bool(row.active), row.password_hash)


def _session(row: Row[Any]) -> SessionRecord:
    return SessionRecord(
        int(row.id),
        row.token_hash,
        int(row.user_id),
        None if row.org_id is None else int(row.org_id),
        row.created_at,
        row.last_seen_at,
        int(row.idle_timeout_seconds),
        row.expires_at,
        row.client_address,
        row.ended_at,
    )


def _token(row: Row[Any]) -> ApiToken:
    return ApiToken(
        int(row.id),
        int(row.org_id),
        row.name,
        row.prefix,
        Role(row.role),
        row.expires_at,
        row.revoked_at,
        row.created_by,
        row.created_at,
    )


class AccessRepository(AuditTrail):
    """Identity rows, and (inherited) the audit trail."""

    # organizations and providers
    def organization(self, slug: str) -> Organization | None:
        row = self.conn.execute(select(organizations).where(organizations.c.slug == slug)).first()
        return None if row is None else Organization(int(row.id), row.slug, row.name)

    def organization_by_id(self, org_id: int) -> Organization | None:
        row = self.conn.execute(select(organizations).where(organizations.c.id == org_id)).first()
        return None if row is None else Organization(int(row.id), row.slug, row.name)

    def provider_id(self, org_id: int, reference: str) -> int | None:
        p = providers.c
        query = select(p.id).where(
            p.org_id == org_id,
            or_(p.npi == reference, p.staff_id == reference, p.external_id == reference),
        )
        found = self.conn.execute(query.order_by(p.id).limit(1)).scalar_one_or_none()
        return None if found is None else int(found)

    def busiest_provider(self, org_id: int) -> str | None:
        p, v = providers.c, visits.c
        query = (
            select(p.external_id)
            .join(visits, and_(v.provider_id == p.id, v.org_id == p.org_id))
            .where(p.org_id == org_id)
            .group_by(p.id, p.external_id)
            .order_by(func.count().desc(), p.id)
            .limit(1)
        )
        found: str | None = self.conn.execute(query).scalar_one_or_none()
        return found

    # users
    def user(self, user_id: int) -> User | None:
        row = self.conn.execute(select(users).where(users.c.id == user_id)).first()
        return None if row is None else _user(row)

    def user_by_name(self, username: str) -> User | None:
        row = self.conn.execute(select(users).where(users.c.username == username)).first()
        return None if row is None else _user(row)

    def users(self, org_id: int | None = None) -> list[User]:
        query = select(users).order_by(users.c.username)
        if org_id is not None:
            members = select(memberships.c.user_id).where(memberships.c.org_id == org_id)
            query = query.where(users.c.id.in_(members))
        return [_user(r) for r in self.conn.execute(query)]

    def add_user(
        self,
        username: str,
        display_name: str,
        email: str | None,
        password_hash: str,
        at: datetime,
    ) -> int:
        values = {
            "username": username,
            "display_name": display_name,
            "email": email,
            "password_hash": password_hash,
            "password_changed_at": at,
            "created_at": at,
        }
        return int(self.conn.execute(insert(users).returning(users.c.id), values).scalar_one())

    def set_password(self, user_id: int, password_hash: str, at: datetime) -> None:
        self.conn.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(password_hash=password_hash, password_changed_at=at)
        )

    def password_changed_at(self, user_id: int) -> datetime | None:
        query = select(users.c.password_changed_at).where(users.c.id == user_id)
        found: datetime | None = self.conn.execute(query).scalar_one_or_none()
        return found

    def set_user_active(self, user_id: int, active: bool) -> None:
        self.conn.execute(update(users).where(users.c.id == user_id).values(active=active))

    # memberships
    def memberships(self, user_id: int, *, active_only: bool = True) -> list[Membership]:
        m, o = memberships.c, organizations.c
        query = (
            select(m.id, m.org_id, o.slug, o.name, m.user_id, m.role, m.active, m.provider_id)
            .join(organizations, organizations.c.id == m.org_id)
            .where(m.user_id == user_id)
            .order_by(o.name, o.slug)
        )
        if active_only:
            query = query.where(m.active.is_(True))
        return [
            Membership(
                int(r.id),
                int(r.org_id),
                r.slug,
                r.name,
                int(r.user_id),
                Role(r.role),
                bool(r.active),
                None if r.provider_id is None else int(r.provider_id),
            )
            for r in self.conn.execute(query)
        ]

    def grant(
        self,
        org_id: int,
        user_id: int,
        role: Role,
        provider_id: int | None,
        active: bool,
        at: datetime,
    ) -> int:
        m = memberships.c
        found = self.conn.execute(
            select(m.id).where(m.org_id == org_id, m.user_id == user_id)
        ).scalar_one_or_none()
        values = {"role": role.value, "provider_id": provider_id, "active": active}
        if found is not None:
            self.conn.execute(update(memberships).where(m.id == found).values(**values))
            return int(found)
        row = {"org_id": org_id, "user_id": user_id, "created_at": at, **values}
        return int(self.conn.execute(insert(memberships).returning(m.id), row).scalar_one())

    # sessions
    def add_session(self, session: Any) -> int:
        values = {
            "token_hash": session.token_hash,
            "user_id": session.user_id,
            "org_id": session.org_id,
            "created_at": session.created_at,
            "last_seen_at": session.created_at,
            "idle_timeout_seconds": session.idle_timeout_seconds,
            "expires_at": session.expires_at,
            "client_address": session.client_address,
        }
        return int(
            self.conn.execute(insert(sessions).returning(sessions.c.id), values).scalar_one()
        )

    def session_by_hash(self, token_hash: str) -> SessionRecord | None:
        row = self.conn.execute(select(sessions).where(sessions.c.token_hash == token_hash)).first()
        return None if row is None else _session(row)

    def resumed_session(self, token_hash: str) -> ResumedSession | None:
        s, u, m, o = sessions.c, users.c, memberships.c, organizations.c
        query = (
            select(
                s.id, s.token_hash, s.user_id, s.org_id, s.created_at, s.last_seen_at,
                s.idle_timeout_seconds, s.expires_at, s.client_address, s.ended_at,
                u.id.label("found_user"), u.username, u.display_name,
                u.active.label("user_active"), u.password_hash,
                m.id.label("member_id"), m.org_id.label("member_org"), o.slug, o.name,
                m.role, m.provider_id,
            )
            .select_from(
                sessions.outerjoin(users, u.id == s.user_id)
                .outerjoin(memberships, and_(m.user_id == s.user_id, m.active.is_(True)))
                .outerjoin(organizations, o.id == m.org_id)
            )
            .where(s.token_hash == token_hash)
            .order_by(o.name, o.slug)
        )  # fmt: skip
        rows: list[Row[Any]] = list(self.conn.execute(query))
        if not rows:
            return None
        first = rows[0]
        user = None
        if first.found_user is not None:
            user = User(int(first.found_user), first.username, first.display_name,
                        bool(first.user_active), first.password_hash)  # fmt: skip
        members = tuple(
            Membership(int(r.member_id), int(r.member_org), r.slug, r.name, int(r.user_id),
                       Role(r.role), True, None if r.provider_id is None else int(r.provider_id))
            for r in rows if r.member_id is not None and r.slug is not None
        )  # fmt: skip
        return ResumedSession(_session(first), user, members)

    def touch_session(self, session_id: int, at: datetime) -> None:
        self._touch(update(sessions).where(sessions.c.id == session_id).values(last_seen_at=at))

    def _touch(self, statement: Update) -> None:
        """A last-seen stamp, written if it can be. On SQLite a transaction that has read
        cannot start writing once another connection has committed since it began (busy
        at once, whatever the timeout): with several workers that is any moment. The
        stamp is then skipped (the request goes on; the session's next request writes
        it), so an idle timeout can only come earlier, never later."""
        if self.conn.dialect.name != "sqlite":
            self.conn.execute(statement)
            return
        try:
            self.conn.execute(statement)
        except OperationalError:
            return

    def set_session_org(self, session_id: int, org_id: int) -> None:
        self.conn.execute(update(sessions).where(sessions.c.id == session_id).values(org_id=org_id))

    def end_session(self, session_id: int, at: datetime, reason: str) -> None:
        self.conn.execute(
            update(sessions)
            .where(sessions.c.id == session_id, sessions.c.ended_at.is_(None))
            .values(ended_at=at, end_reason=reason)
        )

    def end_user_sessions(self, user_id: int, at: datetime, reason: str) -> int:
        done = self.conn.execute(
            update(sessions)
            .where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
            .values(ended_at=at, end_reason=reason)
        )
        return int(done.rowcount)

    # sign-in attempts
    def add_attempt(
        self,
        username_hash: str,
        user_id: int | None,
        client_address: str | None,
        succeeded: bool,
        at: datetime,
    ) -> None:
        values = {
            "username_hash": username_hash,
            "user_id": user_id,
            "succeeded": succeeded,
            "client_address": client_address,
            "attempted_at": at,
        }
        self.conn.execute(insert(login_attempts), values)

    def failures(self, username_hash: str, since: datetime) -> list[datetime]:
        a = login_attempts.c
        last_ok = (
            select(func.max(a.attempted_at))
            .where(a.username_hash == username_hash, a.succeeded.is_(True))
            .scalar_subquery()
        )
        query = (
            select(a.attempted_at)
            .where(
                a.username_hash == username_hash, a.succeeded.is_(False), a.attempted_at >= since
            )
            .where(or_(last_ok.is_(None), a.attempted_at > last_ok))
            .order_by(a.attempted_at)
        )
        return list(self.conn.execute(query).scalars())

    def address_failures(self, client_address: str, since: datetime) -> int:
        a = login_attempts.c
        query = select(func.count()).where(
            a.client_address == client_address, a.succeeded.is_(False), a.attempted_at >= since
        )
        return int(self.conn.execute(query).scalar_one())

    # API tokens
    def add_token(self, token: Any) -> int:
        values = {
            "org_id": token.org_id,
            "name": token.name,
            "token_hash": token.token_hash,
            "prefix": token.prefix,
            "role": token.role.value,
            "created_by": token.created_by,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
        }
        return int(
            self.conn.execute(insert(api_tokens).returning(api_tokens.c.id), values).scalar_one()
        )

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        row = self.conn.execute(
            select(api_tokens).where(api_tokens.c.token_hash == token_hash)
        ).first()
        return None if row is None else _token(row)

    def tokens(self, org_id: int) -> list[ApiToken]:
        query = select(api_tokens).where(api_tokens.c.org_id == org_id).order_by(api_tokens.c.id)
        return [_token(r) for r in self.conn.execute(query)]

    def revoke_token(self, org_id: int, token_id: int, at: datetime) -> bool:
        t = api_tokens.c
        done = self.conn.execute(
            update(api_tokens)
            .where(t.org_id == org_id, t.id == token_id, t.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(done.rowcount)

    def touch_token(self, token_id: int, at: datetime) -> None:
        t = api_tokens.c
        self._touch(
            update(api_tokens)
            .where(t.id == token_id, or_(t.last_used_at.is_(None), t.last_used_at < at - TOUCH))
            .values(last_used_at=at)
        )


class AccessUnitOfWork:
    """One transaction over the identity tables (``AccessUnitOfWork`` of the port)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self._repo: AccessRepository | None = None

    @property
    def access(self) -> AccessRepository:
        if self._repo is None:
            raise InvariantError("unit of work used outside its `with` block")
        return self._repo

    def __enter__(self) -> Self:
        self._conn = self.engine.connect()
        self._tx = self._conn.begin()
        self._repo = AccessRepository(self._conn)
        return self

    def commit(self) -> None:
        if self._tx is None or self._conn is None:
            raise InvariantError("unit of work used outside its `with` block")
        self._tx.commit()
        self._tx = self._conn.begin()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tx is not None and self._tx.is_active:
            self._tx.rollback()
        if self._conn is not None:
            self._conn.close()
        self._conn = self._tx = self._repo = None
