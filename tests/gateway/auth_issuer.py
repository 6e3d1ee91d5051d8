"""A tiny OIDC issuer on loopback for the authentication tests: RSA keys, a JWKS, discovery, and a
client-credentials token endpoint (what Camunda's SDK and pyzeebe call for a token)."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

AUDIENCE = "strom-api"


class LocalIssuer:
    """Serves ``/.well-known/openid-configuration``, ``/jwks`` and ``/oauth/token`` on 127.0.0.1."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "key-1"
        self.published: list[tuple[str, Any]] = [(self.kid, self.key.public_key())]
        self.jwks_requests = 0
        self.token_claims: dict[str, Any] = {}
        """Extra claims of tokens from the token endpoint."""
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _json(self, document: Any, status: int = 200) -> None:
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._json({"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"})
                elif self.path == "/jwks":
                    issuer.jwks_requests += 1
                    self._json(issuer.jwks())
                else:
                    self._json({"error": "not found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                client_id = form.get("client_id", [""])[0]
                secret = form.get("client_secret", [""])[0]
                sent = self.headers.get("authorization", "")
                if sent.lower().startswith("basic "):  # client_secret_basic (oauthlib's default)
                    client_id, _, secret = base64.b64decode(sent[6:]).decode().partition(":")
                if self.path != "/oauth/token" or secret != "secret":
                    self._json({"error": "invalid_client"}, 401)
                    return
                token = issuer.token(sub=client_id, **issuer.token_claims)
                self._json({"access_token": token, "token_type": "Bearer", "expires_in": 300})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LocalIssuer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, public in self.published:
            jwk = json.loads(RSAAlgorithm.to_jwk(public))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def token(
        self,
        *,
        key: Any = None,
        kid: str | None = None,
        algorithm: str = "RS256",
        lifetime_s: float = 300,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "demo",
            "iat": now,
            "exp": now + lifetime_s,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode(payload, key or self.key, algorithm=algorithm, headers={"kid": kid or self.kid})

    def rotate(self) -> tuple[str, Any]:
        """Publish a new key (and keep the old): a token signed with it needs a JWKS refresh."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        kid = f"key-{len(self.published) + 1}"
        self.published.append((kid, key.public_key()))
        return kid, key


def unsigned_token(claims: dict[str, Any]) -> str:
    """A JWT with ``alg: none`` (no signature)."""

    def part(document: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': 'key-1'})}.{part(claims)}."


def hs256_with_public_key(issuer: LocalIssuer, claims: dict[str, Any]) -> str:
    """The key-confusion attack: HS256 "signed" with the issuer's public key (PEM) as the secret."""
    from cryptography.hazmat.primitives import serialization

    pem = issuer.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": issuer.kid}

    def part(document: dict[str, Any]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=")

    import hashlib
    import hmac

    signing_input = part(header) + b"." + part(claims)
    signature = base64.urlsafe_b64encode(hmac.new(pem, signing_input, hashlib.sha256).digest()).rstrip(b"=")
    return (signing_input + b"." + signature).decode()
