"""Login sessions for Operate and Tasklist (``--auth basic``): signed cookies instead of the
browser's Basic prompt.

``POST /auth/login`` checks a username and password with the gateway's ``Authenticator`` (argon2 off
the event loop, as for Basic) and sets two cookies:

- ``strom_session`` (HttpOnly, SameSite=Strict, Path=/, Secure on https): a token
  ``<payload>.<signature>``, the payload base64url JSON ``{"u": username, "iat", "exp", "n": nonce}``
  and the signature HMAC-SHA256 over it with the gateway's secret. Nothing is stored per session:
  the gateway verifies the signature (constant-time) and the expiry, then reads the user from
  secondary storage as for Basic, so a deleted user's session stops working within a second.
- ``strom_csrf`` (readable by the page, SameSite=Strict): HMAC-SHA256 of the session token under a
  derived key. The UI sends it back in ``X-CSRF-Token`` on every request; a cookie-authenticated
  ``POST``/``PUT``/``PATCH``/``DELETE`` under ``/v2`` without the matching value is refused (403) —
  a signed double-submit token, bound to the session, so a cookie planted by a sibling domain does
  not pass.

A session lasts ``lifetime_s`` (8 h) from login, not renewed by use. ``POST /auth/logout`` clears
both cookies and revokes the token in this gateway until it would have expired anyway.

The secret is random per process unless the broker passes ``Sessions.from_directory(data_dir)``
(a 32-byte file ``ui-session.key`` created on first start with mode 0600): with the in-memory
secret a restart logs everyone out and a session works only at the gateway that issued it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SESSION_COOKIE = "strom_session"
CSRF_COOKIE = "strom_csrf"
CSRF_HEADER = "x-csrf-token"
LIFETIME_S = 8 * 3600
SECRET_FILE = "ui-session.key"
MAX_TOKEN_LENGTH = 1024
"""Longer cookie values are refused before any decoding."""
_MAX_REVOKED = 100_000


@dataclass(frozen=True, repr=False)
class Session:
    """A session just issued: the cookie values and when they expire (Unix seconds)."""

    token: str
    csrf: str
    expires_at: int

    def __repr__(self) -> str:
        return f"Session(<hidden>, expires_at={self.expires_at})"


class Sessions:
    """Issues and verifies session tokens signed with one secret (module docstring)."""

    def __init__(
        self, secret: bytes, lifetime_s: int = LIFETIME_S, clock: Callable[[], float] = time.time
    ) -> None:
        if len(secret) < 32:
            raise ValueError("a session secret needs at least 32 bytes")
        self._signing_key = hmac.new(secret, b"strom session v1", hashlib.sha256).digest()
        self._csrf_key = hmac.new(secret, b"strom csrf v1", hashlib.sha256).digest()
        self.lifetime_s = lifetime_s
        self._clock = clock
        self._revoked: dict[bytes, float] = {}
        """Signatures of logged-out tokens, until their expiry."""

    @classmethod
    def in_memory(cls, lifetime_s: int = LIFETIME_S) -> Sessions:
        """Sessions with a random secret of this process: a restart logs everyone out."""
        return cls(secrets.token_bytes(32), lifetime_s)

    @classmethod
    def from_directory(cls, directory: Path, lifetime_s: int = LIFETIME_S) -> Sessions:
        """Sessions with the secret kept in ``directory/ui-session.key``, created (0600) when missing,
        so sessions outlive a restart."""
        return cls(_secret_file(Path(directory) / SECRET_FILE), lifetime_s)

    def issue(self, username: str) -> Session:
        now = int(self._clock())
        claims = {"u": username, "iat": now, "exp": now + self.lifetime_s, "n": secrets.token_urlsafe(12)}
        payload = _encode(json.dumps(claims, separators=(",", ":")).encode())
        token = f"{payload}.{_encode(self._sign(payload))}"
        return Session(token, self.csrf_for(token), now + self.lifetime_s)

    def verify(self, token: str) -> str | None:
        """The username of a valid, unexpired, not logged-out ``token``; None otherwise."""
        claims = self._claims(token)
        if claims is None:
            return None
        username = claims.get("u")
        return username if isinstance(username, str) and username else None

    def csrf_for(self, token: str) -> str:
        return _encode(hmac.new(self._csrf_key, token.encode(), hashlib.sha256).digest())

    def csrf_matches(self, token: str, sent: str | None) -> bool:
        """Whether ``sent`` (the ``X-CSRF-Token`` header) is the CSRF token of session ``token``."""
        return sent is not None and hmac.compare_digest(self.csrf_for(token).encode(), sent.encode())

    def revoke(self, token: str) -> None:
        """Logs ``token`` out in this gateway (a valid token only; the others are refused anyway)."""
        claims = self._claims(token)
        if claims is None:
            return
        now = self._clock()
        if len(self._revoked) >= _MAX_REVOKED:
            self._revoked = {sig: exp for sig, exp in self._revoked.items() if exp > now}
        if len(self._revoked) < _MAX_REVOKED:
            self._revoked[_signature(token)] = float(claims["exp"])

    def _claims(self, token: str) -> dict[str, Any] | None:
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii() or token.count(".") != 1:
            return None
        payload, signature = token.split(".")
        try:
            sent = _decode(signature)
        except ValueError:
            return None
        if not hmac.compare_digest(self._sign(payload), sent):
            return None
        try:
            claims = json.loads(_decode(payload))
        except ValueError:
            return None
        expires = claims.get("exp") if isinstance(claims, dict) else None
        if not isinstance(expires, int) or expires <= self._clock():
            return None
        if sent in self._revoked:
            return None
        return claims

    def _sign(self, payload: str) -> bytes:
        return hmac.new(self._signing_key, payload.encode("ascii"), hashlib.sha256).digest()


def _signature(token: str) -> bytes:
    return _decode(token.rpartition(".")[2])


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError("not base64url") from error


def _secret_file(path: Path) -> bytes:
    """The secret in ``path``, written first (32 random bytes, mode 0600) when the file is missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_bytes()
        if len(secret) < 32:
            raise ValueError(f"{path}: expected a session secret of 32 bytes, found {len(secret)}") from None
        return secret
    secret = secrets.token_bytes(32)
    with os.fdopen(descriptor, "wb") as file:
        file.write(secret)
    return secret


__all__ = ["CSRF_COOKIE", "CSRF_HEADER", "LIFETIME_S", "SESSION_COOKIE", "Session", "Sessions"]
