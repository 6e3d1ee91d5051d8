"""Passwords: argon2id hashes (argon2-cffi), made before a USER CREATE / UPDATE command is written.

As in Zeebe, whoever turns a request into a command (a gateway, the CLI, the testing kit) hashes
the password with :func:`hash_password` first, so no log, event, state or distributed command ever
holds the clear text, and the ~100 ms a hash costs (measured on a 2-core machine) is spent on the
caller's thread, never on the partition's single processing thread. The processors refuse a
password that is not such a hash (:func:`is_password_hash`).

``verify_password`` is what the gateways use for HTTP Basic and gRPC metadata credentials.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from strom.engine.state.identity import IdentityState

_HASHER = PasswordHasher()
"""argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile); a hash names its own
parameters, so changing them later still verifies the hashes made before."""


@functools.cache
def unknown_user_hash() -> str:
    """A hash nobody's password matches, checked against when the user does not exist, so that an
    unknown username takes as long to refuse as a wrong password (no user enumeration by timing).
    Made on first use: a hash costs ~100 ms, which importing the engine must not pay."""
    return _HASHER.hash("not the password of anyone")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with a random salt, in the PHC string format."""
    return _HASHER.hash(password)


def is_password_hash(value: str) -> bool:
    """Whether ``value`` is an argon2 hash in the PHC string format (what the processors accept)."""
    if not value.startswith("$argon2"):
        return False
    try:
        extract_parameters(value)
    except InvalidHashError:
        return False
    return True


def verify_hash(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches the argon2 ``password_hash`` (False for a malformed hash)."""
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_password(identity: IdentityState, username: str, password: str) -> bool:
    """Whether ``username`` is a user of ``identity`` whose password is ``password``.

    A missing user, an empty password and a stored value that is not a hash all answer False.
    """
    user = identity.user(username)
    stored = unknown_user_hash() if user is None or not user.password else user.password
    return verify_hash(stored, password) and user is not None and bool(password)
