"""Authentication at the gateways (issue 16 item 2): who is calling, before anything is done.

- ``authenticator``: ``Authenticator`` — mode ``none`` / ``basic`` / ``oidc`` from the broker
  config; Basic passwords checked against the users in secondary storage (``passwords``: argon2
  off the event loop, recent successes remembered), bearer tokens against the issuer's JWKS
  (``oidc``, PyJWT).
- ``rest``: the ``/v2`` middleware (401 + ``WWW-Authenticate``) and ``/authentication/me``,
  ``/setup/user``, ``/users``, ``/users/search``.
- ``grpc``: the server interceptor (UNAUTHENTICATED).
- ``bootstrap``: ``strom broker --admin-user``.
- ``identity``: the ``Identity`` handlers read (``identity_of(request)``, ``current_identity()``).

See docs/authentication.md. Internal to Strom, like the rest of ``strom.gateway``.
"""

from __future__ import annotations

from strom.gateway.auth.authenticator import AuthenticationError, Authenticator, authenticator_for
from strom.gateway.auth.identity import ANONYMOUS, Identity, current_identity, identity_of

__all__ = [
    "ANONYMOUS",
    "AuthenticationError",
    "Authenticator",
    "Identity",
    "authenticator_for",
    "current_identity",
    "identity_of",
]
