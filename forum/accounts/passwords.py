"""Password hashing with argon2id.

The cost defaults to argon2-cffi's recommendation (RFC 9106's low-memory profile) and
can be tuned through Settings; the test suite turns it down to keep thousands of
hashes fast. A hash made with other parameters is upgraded at the next login.
"""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from forum.config import Settings

_hasher = PasswordHasher()
_decoy_hash = _hasher.hash("decoy password that matches no account")


def configure(settings: Settings) -> None:
    """Use the cost parameters from the settings for every hash made from now on."""
    global _hasher, _decoy_hash
    _hasher = PasswordHasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost=settings.password_hash_memory_kib,
        parallelism=settings.password_hash_parallelism,
    )
    # A real hash to verify against when the email is unknown, so a wrong email takes
    # as long as a wrong password and the answer time does not reveal who is a member.
    _decoy_hash = _hasher.hash("decoy password that matches no account")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _decoy_hash, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
