"""Password hashing with argon2id; clear-text passwords never leave this module's callers."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password:
        problems.append("must not start or end with a space")
    return problems


def mask_ssn(ssn: str | None) -> str:
    """Shows only the last four digits, the way the compact's forms do."""
    if not ssn:
        return ""
    digits = "".join(ch for ch in ssn if ch.isdigit())
    return f"***-**-{digits[-4:]}" if len(digits) >= 4 else "***"
