"""Parsing an ``Authorization`` value (HTTP header or gRPC metadata): ``Basic`` or ``Bearer``.

Strict on purpose: anything that is not exactly one of the two schemes with a well-formed
credential is refused with a message saying what was wrong, never guessed at. Nothing here logs or
repeats the credential itself.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

MAX_AUTHORIZATION_LENGTH = 16 * 1024
"""Longer values are refused before any decoding (a JWT with many claims stays far below)."""

_TOKEN68 = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


class CredentialsError(ValueError):
    """The ``Authorization`` value is malformed; the message says how (without the secret)."""


@dataclass(frozen=True, repr=False)
class BasicCredentials:
    username: str
    password: str

    def __repr__(self) -> str:
        return f"BasicCredentials(username={self.username!r}, password=<hidden>)"


@dataclass(frozen=True, repr=False)
class BearerToken:
    token: str

    def __repr__(self) -> str:
        return "BearerToken(<hidden>)"


Credentials = BasicCredentials | BearerToken


def parse_authorization(value: str | None) -> Credentials | None:
    """The credentials in ``value``, or None when there is no value at all.

    Raises:
        CredentialsError: an unknown scheme, a missing or malformed credential.
    """
    if value is None or value == "":
        return None
    if len(value) > MAX_AUTHORIZATION_LENGTH:
        raise CredentialsError(
            f"the authorization value is longer than {MAX_AUTHORIZATION_LENGTH} characters"
        )
    scheme, _, credential = value.strip().partition(" ")
    credential = credential.strip()
    kind = scheme.lower()
    if kind == "basic":
        return _basic(credential)
    if kind == "bearer":
        if not _TOKEN68.fullmatch(credential):
            raise CredentialsError("expected 'Bearer <token>', but the token is missing or malformed")
        return BearerToken(credential)
    raise CredentialsError(
        "expected the authorization to be 'Basic <base64 of username:password>' or 'Bearer <token>', "
        "but it has another scheme"
    )


def _basic(credential: str) -> BasicCredentials:
    if not credential:
        raise CredentialsError(
            "expected 'Basic <base64 of username:password>', but the credential is missing"
        )
    try:
        decoded = base64.b64decode(credential.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise CredentialsError(
            "expected 'Basic <base64 of username:password>', but the credential is not base64 of UTF-8 text"
        ) from None
    username, colon, password = decoded.partition(":")
    if not colon or not username:
        raise CredentialsError(
            "expected 'Basic <base64 of username:password>', but the decoded credential has no username"
        )
    return BasicCredentials(username, password)
