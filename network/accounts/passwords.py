"""Password hashing with argon2id.

Production uses argon2-cffi's recommended parameters (RFC 9106 low-memory profile). The test
configuration asks for a cheap profile (``PASSWORD_HASH_PROFILE = "fast"``) because the suite
creates thousands of accounts; verification reads the parameters from each stored hash, so both
kinds of hash verify anywhere, and ``needs_rehash`` upgrades a cheap hash at the next login.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

MIN_LENGTH = 10

PROFILES = {
    "standard": {},
    "fast": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
}


@cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher(**PROFILES[profile])


def _hasher() -> PasswordHasher:
    profile = "standard"
    if has_app_context():
        profile = current_app.config.get("PASSWORD_HASH_PROFILE", "standard")
    return _hasher_for(profile)


@cache
def _dummy_hash(profile_hasher: PasswordHasher) -> str:
    # Verifying against this keeps a login with an unknown email as slow as a real one.
    return profile_hasher.hash("not-a-real-password-used-for-timing-only")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    try:
        return hasher.verify(stored_hash or _dummy_hash(hasher), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)
