"""Passwords: the rules a new one must pass, and Argon2id hashing through pwdlib.

The rules follow NIST SP 800-63B (rev. 4, §3.1.1.2, "Password Verifiers"): a minimum length
rather than composition rules (no "one digit, one symbol"), every printable character and
space allowed, Unicode normalized (NFKC) before it is checked and hashed, and a refusal of
passwords that are common, repetitive or sequential, or built on a context-specific word
(the user's own name, this software, this trade). ptrcm asks for 12 characters or more,
which a compliance officer reading the HIPAA Security Rule's "password management"
(45 CFR 164.308(a)(5)(ii)(D)) can accept; at most 128, so nobody hashes a megabyte.

Hashing is pwdlib's Argon2id (``argon2-cffi`` underneath) with RFC 9106's second
recommended profile: 64 MiB, 3 passes, 4 lanes (pwdlib's defaults). A hash made with weaker
parameters is upgraded at the next sign-in (``verify`` returns the new hash). Tests use a
cheaper ``Passwords(fast=True)``; nothing else may.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_DISTINCT = 5  # "aaaaaaaaaaab" and "abababababab" are not passwords
# Keyboard rows, for "qwertyuiop" and "asdfghjkl;" walks.
ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")
RUN = 6  # this many characters in a row of a keyboard or the alphabet, forwards or backwards


def normalized(password: str) -> str:
    """The password as it is checked and hashed (NFKC: a composed "é" and "e" + accent are
    the same password)."""
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    text = files("ptrcm.data").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                      "$": "s", "!": "i"})  # fmt: skip


def _letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha())


def _common(text: str) -> bool:
    """Common as typed, with digits and symbols dropped, or read as leetspeak."""
    lowered = text.lower()
    words = common_passwords()
    return any(
        form in words for form in (lowered, lowered.strip(), _letters(text), _leet_core(lowered))
    )


def _leet_core(lowered: str) -> str:
    """``P@ssw0rd#2024`` read as "password": trailing digits and symbols dropped, then the
    usual letter-for-digit swaps undone."""
    core = lowered.rstrip(string.digits + string.punctuation + " ")
    return _letters(core.translate(LEET))


def _repeats(text: str) -> bool:
    """The same few characters over and over ("abcabcabcabc", "secret secret")."""
    compact = "".join(text.lower().split())
    for size in range(1, len(compact) // 2 + 1):
        if len(compact) % size == 0 and compact[:size] * (len(compact) // size) == compact:
            return True
    return False


def _walks(text: str) -> bool:
    lowered = text.lower()
    for row in ROWS:
        for sequence in (row, row[::-1]):
            for start in range(len(sequence) - RUN + 1):
                if sequence[start : start + RUN] in lowered:
                    return True
    return False


def password_problems(password: str, *, username: str = "", display_name: str = "") -> list[str]:
    """What is wrong with ``password`` as a new password (empty: nothing). Messages never
    repeat the password."""
    text = normalized(password)
    problems = []
    if len(text) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters long")
    if len(text) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters long")
    if any(unicodedata.category(c) == "Cc" for c in text):
        problems.append("must not contain control characters")
    lowered = text.lower()
    if _common(text):
        problems.append("is too common (or a common word with digits and symbols added)")
    if _repeats(text):
        problems.append("must not repeat itself")
    if len(set(lowered)) < MIN_DISTINCT:
        problems.append(f"must use at least {MIN_DISTINCT} different characters")
    if _walks(text):
        problems.append(f"must not contain {RUN} keyboard or alphabet characters in a row")
    name = username.strip().lower()
    if len(name) >= 3 and (name in lowered or name.split("@")[0] in lowered):
        problems.append("must not contain the user name")
    parts = [p for p in _letters_words(display_name) if len(p) >= 4]
    if any(p in lowered for p in parts):
        problems.append("must not contain the person's name")
    return problems


def _letters_words(name: str) -> list[str]:
    return ["".join(c for c in w if c.isalpha()) for w in name.lower().split()]


@dataclass(frozen=True, slots=True)
class Verified:
    ok: bool
    new_hash: str | None = None  # set when the stored hash should be upgraded


class Passwords:
    """Hash and verify with Argon2id. ``fast`` (tests only) uses minimal parameters."""

    def __init__(self, *, fast: bool = False) -> None:
        hasher = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else None
        self._hash = PasswordHash((hasher or Argon2Hasher(),))
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._hash.hash(normalized(password))

    def verify(self, password: str, stored: str | None) -> Verified:
        """Whether ``password`` matches ``stored``. With no stored hash (unknown user, or
        never set) a dummy hash is checked all the same, so the answer takes as long and an
        attacker cannot tell which user names exist by timing it."""
        if stored is None:
            if self._dummy is None:
                self._dummy = self._hash.hash("ptrcm dummy password, never matches")
            self._hash.verify(normalized(password), self._dummy)
            return Verified(False)
        try:
            ok, new_hash = self._hash.verify_and_update(normalized(password), stored)
        except UnknownHashError:
            return Verified(False)
        return Verified(ok, new_hash if ok else None)
