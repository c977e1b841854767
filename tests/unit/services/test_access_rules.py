"""The password rules, Argon2 hashing, the lockout rule and the policy's bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ptrcm.domain.access import GRANTS, Permission, Role, home_path
from ptrcm.services.access.passwords import Passwords, password_problems
from ptrcm.services.access.policy import AccessError, SecurityPolicy, digest, policy_from
from ptrcm.services.access.sessions import locked_until

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12"),
        ("x" * 129, "at most 128"),
        ("password1234", "too common"),
        ("Welcome2024!!", "too common"),
        ("P@ssw0rd P@ssw0rd", "repeat itself"),
        ("P@ssw0rd#2024", "too common"),
        ("aaaaaaaaaaab", "different characters"),
        ("my qwerty keyboard", "in a row"),
        ("ZYXWVU tail end", "in a row"),
        ("hello\x00world12", "control characters"),
        ("dana.reyes is me!", "user name"),
        ("Reyes family 1979", "person's name"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason(password: str, problem: str) -> None:
    problems = password_problems(password, username="dana.reyes", display_name="Dana Reyes")
    assert any(problem in p for p in problems), problems
    assert all(password not in p for p in problems)  # never echoed


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "tallow sprocket meridian 42",
        "Ünïcödé pässwörd 7",
        "9f!Kq2#vLm@4",
    ],
)
def test_a_long_uncommon_password_passes(password: str) -> None:
    assert password_problems(password, username="dana.reyes", display_name="Dana Reyes") == []


def test_argon2id_hashes_verify_and_normalize_unicode() -> None:
    hasher = Passwords(fast=True)
    stored = hasher.hash("caf\u00e9 au lait 1234")
    assert stored.startswith("$argon2id$")
    assert hasher.verify("cafe\u0301 au lait 1234", stored).ok  # the same password, NFKC
    assert not hasher.verify("cafe au lait 1234", stored).ok
    assert not hasher.verify("anything at all", None).ok  # unknown user: a dummy check
    assert not hasher.verify("anything at all", "not-a-hash").ok


def test_a_weaker_hash_is_upgraded_at_the_next_sign_in() -> None:
    weak = Passwords(fast=True).hash("tallow sprocket meridian 42")
    checked = Passwords().verify("tallow sprocket meridian 42", weak)
    assert checked.ok and checked.new_hash is not None and checked.new_hash != weak
    assert "m=65536,t=3,p=4" in checked.new_hash


POLICY = SecurityPolicy(max_failures=3, window=timedelta(minutes=10), lockout=timedelta(minutes=20))


def test_three_failures_within_the_window_lock_for_the_lockout() -> None:
    fails = [T0, T0 + timedelta(minutes=4), T0 + timedelta(minutes=9)]
    assert locked_until(fails, POLICY) == T0 + timedelta(minutes=29)


def test_failures_spread_wider_than_the_window_do_not_lock() -> None:
    fails = [T0, T0 + timedelta(minutes=6), T0 + timedelta(minutes=12)]
    assert locked_until(fails, POLICY) is None
    assert locked_until(fails[:2], POLICY) is None


@pytest.mark.parametrize(
    "numbers",
    [
        {"session_idle_minutes": 0},
        {"session_idle_minutes": 800},
        {"session_lifetime_hours": 25},
        {"lockout_failures": 101},
        {"session_idle_minutes": 120, "session_lifetime_hours": 1},
        {"address_failures": 2, "lockout_failures": 5},
    ],
)
def test_a_policy_that_would_switch_a_safeguard_off_is_refused(numbers: dict[str, int]) -> None:
    with pytest.raises(AccessError, match=r"\[security\]"):
        policy_from(numbers).idle  # noqa: B018


def test_the_policy_reads_the_security_table() -> None:
    policy = policy_from({"session_idle_minutes": 5, "lockout_failures": 4})
    assert policy.idle == timedelta(minutes=5) and policy.max_failures == 4
    assert policy.lifetime == SecurityPolicy().lifetime


def test_secrets_are_stored_as_sha256_hex() -> None:
    assert len(digest("ptrcm_abc")) == 64 and digest("a") != digest("b")


def test_every_role_lands_on_a_page_it_may_read() -> None:
    for role in Role:
        page = home_path(role)
        needed = Permission.read_dashboard if page == "/" else Permission.read_worklist
        assert needed in GRANTS[role], role
    assert not any(p.value.startswith("manage") for p in GRANTS[Role.auditor])
