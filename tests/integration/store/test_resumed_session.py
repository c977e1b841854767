"""Resuming a session reads the session, its user and the user's active memberships in one
query (every web request does it): the same answer as reading them one by one, on both
databases, and the same decisions when memberships are revoked or the user is disabled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ptrcm.domain.access import Role
from ptrcm.services.access import sessions, users
from ptrcm.services.access.passwords import Passwords
from ptrcm.services.access.policy import SecurityPolicy, digest
from ptrcm.store.access_repo import AccessUnitOfWork
from ptrcm.store.repository import Store

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
PASSWORD = "Correct-Horse-Battery-9"
ACTOR = users.Actor("test")


def _signed_in(store: Store) -> str:
    for slug, name in (("zeta", "Zeta Rehab"), ("alpha", "Alpha PT"), ("mid", "Mid OT")):
        store.create_organization(slug, name)
    hasher = Passwords()
    with AccessUnitOfWork(store.engine) as uow:
        users.add_user(uow.access, hasher, "bea", "Bea Biller", PASSWORD, NOW)
        users.grant(uow.access, "bea", "zeta", Role.biller, NOW, ACTOR)
        users.grant(uow.access, "bea", "alpha", Role.manager, NOW, ACTOR)
        users.grant(uow.access, "bea", "mid", Role.biller, NOW, ACTOR)
        users.grant(uow.access, "bea", "mid", None, NOW, ACTOR)  # revoked: stays, inactive
        done = sessions.sign_in(uow.access, hasher, SecurityPolicy(), "bea", PASSWORD, None, NOW)
        uow.commit()
    assert done.token is not None
    return done.token


def test_one_read_gives_what_the_separate_reads_give(store: Store) -> None:
    token = _signed_in(store)
    with AccessUnitOfWork(store.engine) as uow:
        held = uow.access.resumed_session(digest(token))
        alone = uow.access.session_by_hash(digest(token))
        assert held is not None and alone is not None
        assert held.session == alone
        assert held.user == uow.access.user(alone.user_id)
        assert list(held.memberships) == uow.access.memberships(alone.user_id)
        assert [m.org_slug for m in held.memberships] == ["alpha", "zeta"]  # by name, active
        assert [m.role for m in held.memberships] == [Role.manager, Role.biller]
        assert uow.access.resumed_session(digest("not-a-token")) is None


def test_resume_ends_the_session_of_a_user_with_no_active_membership(store: Store) -> None:
    token = _signed_in(store)
    with AccessUnitOfWork(store.engine) as uow:
        users.grant(uow.access, "bea", "zeta", None, NOW, ACTOR)
        users.grant(uow.access, "bea", "alpha", None, NOW, ACTOR)
        uow.commit()
    with AccessUnitOfWork(store.engine) as uow:
        assert sessions.resume(uow.access, token, NOW + timedelta(minutes=1)) is None
        uow.commit()
    with AccessUnitOfWork(store.engine) as uow:
        ended = uow.access.session_by_hash(digest(token))
        assert ended is not None and ended.ended_at is not None


def test_resume_refuses_a_disabled_user(store: Store) -> None:
    token = _signed_in(store)
    with AccessUnitOfWork(store.engine) as uow:
        assert sessions.resume(uow.access, token, NOW + timedelta(minutes=1)) is not None
        users.set_active(uow.access, "bea", False, NOW, ACTOR)
        uow.commit()
    with AccessUnitOfWork(store.engine) as uow:
        assert sessions.resume(uow.access, token, NOW + timedelta(minutes=2)) is None
