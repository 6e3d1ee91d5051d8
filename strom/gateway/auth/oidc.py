"""Validating OIDC bearer tokens (JWT, RFC 7519) with PyJWT against the issuer's JWKS.

A token is accepted only when all of these hold:
- its header names an asymmetric algorithm (RS*, PS*, ES*, EdDSA) — never ``none`` and never an
  HMAC one, so a token "signed" with the issuer's *public* key as an HMAC secret is refused;
- its ``kid`` names a signing key of the JWKS (the only key when the JWKS has one and the token
  names none), and that key's type (or its declared ``alg``) allows the header's algorithm;
- the signature verifies; ``iss`` is the configured issuer; ``aud`` holds the configured
  audience (when one is set); ``exp`` is in the future and ``nbf``/``iat`` not in it, within the
  configured leeway.

The JWKS is fetched on first use (from ``jwks_url``, or the ``jwks_uri`` of the issuer's
``/.well-known/openid-configuration``), kept, and fetched again when a token names a key it does
not hold (key rotation) — at most once per ``refresh_interval_s``, so tokens with made-up key ids
cannot make the gateway hammer the issuer.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

_RSA = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_EC_BY_CURVE = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K"}
ASYMMETRIC_ALGORITHMS = _RSA | frozenset(_EC_BY_CURVE.values()) | {"EdDSA"}
MAX_DOCUMENT_BYTES = 1024 * 1024


class TokenError(Exception):
    """The token is refused; the message says why (it names no secret)."""


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    jwks_url: str = ""
    audience: str = ""
    leeway_s: float = 30.0
    refresh_interval_s: float = 1.0
    fetch_timeout_s: float = 5.0


def _http_get_json(url: str, timeout_s: float) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        body = response.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ValueError(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
    return json.loads(body)


def _allowed_algorithms(jwk: Mapping[str, Any]) -> frozenset[str]:
    declared = jwk.get("alg")
    if isinstance(declared, str):
        return frozenset({declared}) & ASYMMETRIC_ALGORITHMS
    kty = jwk.get("kty")
    if kty == "RSA":
        return _RSA
    if kty == "EC":
        algorithm = _EC_BY_CURVE.get(str(jwk.get("crv")))
        return frozenset({algorithm}) if algorithm else frozenset()
    if kty == "OKP":
        return frozenset({"EdDSA"})
    return frozenset()  # "oct" (a shared secret) is never a signing key here


@dataclass(frozen=True)
class _Key:
    key: Any
    algorithms: frozenset[str]


class TokenValidator:
    """Checks tokens of one issuer (module docstring); share one per gateway."""

    def __init__(
        self, settings: OidcSettings, fetch_json: Callable[[str, float], Any] = _http_get_json
    ) -> None:
        self._settings = settings
        self._fetch_json = fetch_json
        self._keys: dict[str | None, _Key] = {}
        self._fetched_at: float | None = None
        self._lock: asyncio.Lock | None = None

    async def validate(self, token: str) -> dict[str, Any]:
        """The verified claims of ``token``.

        Raises:
            TokenError: the token is malformed, expired, of another issuer or audience, signed
                with an algorithm or key not accepted, or the keys cannot be fetched.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("the bearer token is not a well-formed JWT") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in ASYMMETRIC_ALGORITHMS:
            raise TokenError(
                f"the bearer token's algorithm {algorithm!r} is not accepted: expected one of "
                f"{', '.join(sorted(ASYMMETRIC_ALGORITHMS))} (signed with the issuer's private key)"
            )
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise TokenError("the bearer token's 'kid' is not a string")
        key = await self._key(kid)
        if algorithm not in key.algorithms:
            raise TokenError(f"the bearer token's algorithm {algorithm} does not fit its signing key")
        settings = self._settings
        required = ["exp", "iss"] + (["aud"] if settings.audience else [])
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                issuer=settings.issuer,
                audience=settings.audience or None,
                leeway=settings.leeway_s,
                options={"require": required, "verify_aud": bool(settings.audience)},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("the bearer token has expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenError("the bearer token is not valid yet (nbf/iat in the future)") from None
        except jwt.InvalidIssuerError:
            raise TokenError(f"the bearer token was not issued by {settings.issuer}") from None
        except jwt.InvalidAudienceError:
            raise TokenError(f"the bearer token is not meant for audience {settings.audience!r}") from None
        except jwt.MissingRequiredClaimError as error:
            raise TokenError(f"the bearer token has no '{error.claim}' claim") from None
        except jwt.InvalidSignatureError:
            raise TokenError("the bearer token's signature does not verify") from None
        except jwt.PyJWTError as error:
            raise TokenError(f"the bearer token is invalid: {type(error).__name__}") from None
        return claims

    async def _key(self, kid: str | None) -> _Key:
        found = self._lookup(kid)
        if found is not None:
            return found
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            found = self._lookup(kid)
            if found is None and self._may_refresh():
                await self._refresh()
                found = self._lookup(kid)
        if found is None:
            named = f"key id {kid!r}" if kid is not None else "no key id"
            raise TokenError(f"the bearer token names {named}, which is not a signing key of the issuer")
        return found

    def _lookup(self, kid: str | None) -> _Key | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid) if kid is not None else None

    def _may_refresh(self) -> bool:
        return (
            self._fetched_at is None
            or time.monotonic() - self._fetched_at >= self._settings.refresh_interval_s
        )

    async def _refresh(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            document = await asyncio.to_thread(self._fetch_jwks)
        except (OSError, ValueError) as error:
            raise TokenError(f"the issuer's signing keys could not be fetched: {error}") from None
        keys: dict[str | None, _Key] = {}
        for jwk in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
                continue
            algorithms = _allowed_algorithms(jwk)
            if not algorithms:
                continue
            try:
                parsed = jwt.PyJWK(jwk, next(iter(sorted(algorithms))))
            except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
                continue
            kid = jwk.get("kid")
            keys[kid if isinstance(kid, str) else None] = _Key(parsed.key, algorithms)
        self._keys = keys

    def _fetch_jwks(self) -> Any:
        settings = self._settings
        url: Any = settings.jwks_url
        if not url:
            discovery = self._fetch_json(
                settings.issuer.rstrip("/") + "/.well-known/openid-configuration", settings.fetch_timeout_s
            )
            url = discovery.get("jwks_uri") if isinstance(discovery, dict) else None
            if not isinstance(url, str) or not url:
                raise ValueError("the issuer's openid-configuration has no jwks_uri")
        return self._fetch_json(url, settings.fetch_timeout_s)
