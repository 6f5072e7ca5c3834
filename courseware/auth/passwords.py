"""Password hashing (Argon2id) and the password rules: length and a common-password list."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 128

# OWASP's recommended Argon2id settings (Password Storage Cheat Sheet): 19 MiB of memory,
# 2 passes, 1 lane. About 30 ms a check on one core, against several times that for
# argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes), which would make every login queue on a
# small server; hashes made with other settings are brought up to these at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other settings than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is refused, in words for the person choosing it; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(num)d characters.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(num)d characters.", num=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords():
        return _("This password is one of the most commonly used ones; choose something less guessable.")
    if len(set(password)) == 1:
        return _("A single repeated character is too easy to guess.")
    personal = {email.lower(), email.lower().split("@")[0], name.lower()} - {""}
    if lowered in personal:
        return _("Don't use your email address or name as your password.")
    return None
