"""Passwords: argon2id at OWASP's minimum parameters (19 MiB, 2 iterations,
parallelism 1), about 20 ms a hash here; the rules a new password must meet."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import hash_secret

from dashboard.accounts.users import AccountError, normalize_email

MIN_PASSWORD_LENGTH = 12


_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def hash_password_with_salt(password: str, salt: bytes) -> str:
    """A reproducible hash, for the demo database only (its password is public anyway)."""
    return hash_secret(
        password.encode(),
        salt,
        time_cost=_HASHER.time_cost,
        memory_cost=_HASHER.memory_cost,
        parallelism=_HASHER.parallelism,
        hash_len=_HASHER.hash_len,
        type=Type.ID,
    ).decode()


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def check_password(password: str, email: str | None = None, name: str | None = None) -> None:
    """AccountError unless the password is long enough, not an obvious guess and free of
    the person's own name and email (any part of 3+ characters, in any case)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH}."
        )
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        raise AccountError(
            "That password is too easy to guess (it is a common one). "
            "A few unrelated words make a strong one."
        )
    found = [part for part in personal_parts(email, name) if part in lowered]
    if found:
        raise AccountError(
            f"That password is too easy to guess: it contains “{found[0]}”, part of your name "
            "or email. Avoid your name and any part of your email; a few unrelated words make "
            "a strong one."
        )


def personal_parts(email: str | None, name: str | None) -> list[str]:
    """The pieces of a person's email (before the @) and name a password must not contain:
    "ada.lovelace@x.org", "Ada King" -> ["ada.lovelace", "lovelace", "king", "ada"]
    (3+ characters, longest first, so the message names the most telling one)."""
    local = normalize_email(email).split("@")[0] if email else ""
    pieces = {
        local,
        *re.split(r"[^\w]+|_|\d+", local),
        *re.split(r"[^\w]+|_", (name or "").lower()),
    }
    return sorted((p for p in pieces if len(p) >= 3), key=lambda p: (-len(p), p))


@cache
def _common_passwords() -> frozenset[str]:
    text = (Path(__file__).parents[1] / "common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )
