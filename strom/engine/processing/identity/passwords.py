"""Passwords: argon2id hashes (argon2-cffi), made while processing USER CREATE / UPDATE.

Zeebe hashes a password in the gateway, before the command reaches the log. Strom hashes it in the
processor, so the events (and everything distributed to the other partitions, and the state) hold
only the hash; the client's command on partition 1's log still holds the clear text, as the command
was sent (docs/identity.md says what that means for who may read the log). Hashing costs about
100 ms of the partition's processing time (measured on a 2-core machine) per user created or
password changed: rare commands, and the price of not trusting a gateway to have hashed.

``verify_password`` is what the gateways use for HTTP Basic and gRPC metadata credentials.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from strom.engine.state.identity import IdentityState

_HASHER = PasswordHasher()
"""argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile); a hash names its own
parameters, so changing them later still verifies the hashes made before."""

_NOBODY = _HASHER.hash("not a password of anyone")
"""Verified against when the user does not exist, so that an unknown username takes as long to
refuse as a wrong password (no user enumeration by timing)."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with a random salt, in the PHC string format."""
    return _HASHER.hash(password)


def verify_password(identity: IdentityState, username: str, password: str) -> bool:
    """Whether ``username`` is a user of ``identity`` whose password is ``password``.

    A missing user, an empty password and a stored value that is not a hash all answer False.
    """
    user = identity.user(username)
    stored = _NOBODY if user is None or not user.password else user.password
    try:
        matches = _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matches and user is not None and bool(password)
