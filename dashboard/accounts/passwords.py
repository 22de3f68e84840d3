"""Passwords: argon2id at OWASP's minimum parameters (19 MiB, 2 iterations,
parallelism 1), about 20 ms a hash here; the rules a new password must meet."""

from __future__ import annotations

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


def check_password(password: str, email: str | None = None) -> None:
    """AccountError unless the password is long enough and not an obvious guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH}."
        )
    lowered = password.lower()
    local = normalize_email(email).split("@")[0] if email else ""
    if (
        lowered in _common_passwords()
        or len(set(lowered)) <= 2
        or (len(local) >= 4 and local in lowered)
    ):
        raise AccountError(
            "That password is too easy to guess (it is a common one, or made of your email). "
            "A few unrelated words make a strong one."
        )


@cache
def _common_passwords() -> frozenset[str]:
    text = (Path(__file__).parents[1] / "common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )
