"""The checks behind the gateways' authentication, in process: header parsing and token checks under
fuzzing (refused, never crashed), the argon2 success cache, and identities from mapping rules — with
a real engine's identity records exported to a real SQLite read model and a local issuer."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from auth_issuer import AUDIENCE, LocalIssuer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strom.engine.processing.identity.passwords import hash_password
from strom.exporter import ExporterContext
from strom.gateway.auth.authenticator import AuthenticationError, Authenticator
from strom.gateway.auth.credentials import (
    BasicCredentials,
    BearerToken,
    CredentialsError,
    parse_authorization,
)
from strom.gateway.auth.oidc import OidcSettings, TokenValidator
from strom.gateway.auth.passwords import PasswordVerifier
from strom.protocol.values.identity import EntityType
from strom.search import SqlExporter
from strom.search.identity import IdentityStore
from strom.testing import TestEngine
from strom.testing.identity import identity

# -- parsing ------------------------------------------------------------------------------------------


def test_basic_and_bearer_values_parse() -> None:
    encoded = base64.b64encode("dëmo:pa:ss".encode()).decode()

    assert parse_authorization(f"Basic {encoded}") == BasicCredentials("dëmo", "pa:ss")
    assert parse_authorization("bearer abc.DEF-_.x~+/==") == BearerToken("abc.DEF-_.x~+/==")
    assert parse_authorization(None) is None and parse_authorization("") is None
    assert "pa:ss" not in repr(parse_authorization(f"Basic {encoded}"))


@settings(max_examples=400, deadline=None)
@given(
    st.text(max_size=300)
    | st.builds(lambda s, r: f"{s} {r}", st.sampled_from(["Basic", "Bearer"]), st.text())
)
def test_any_authorization_value_parses_or_is_refused_with_credentials_error(value: str) -> None:
    try:
        parsed = parse_authorization(value)
    except CredentialsError as error:
        assert str(error)
    else:
        assert parsed is None or isinstance(parsed, BasicCredentials | BearerToken)


class _Acknowledged:
    """The exporter director's side: remembers the acknowledged position."""

    last_exported_position = 0

    def update_last_exported_position(self, position: int) -> None:
        self.last_exported_position = position


# -- tokens -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer() as local:
        yield local


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityStore]:
    """A read model holding what a real engine decided: a mapping rule in a group with a role."""
    directory = tmp_path_factory.mktemp("identity")
    engine = TestEngine(directory / "engine")
    try:
        ids = identity(engine)
        ids.create_user("demo", "pw")
        ids.create_group("engineering")
        ids.create_role("deployer")
        ids.create_tenant("acme")
        ids.create_mapping_rule("engineers", "department", "eng")
        ids.add_to_group("engineering", "engineers", EntityType.MAPPING_RULE)
        ids.add_to_role("deployer", "engineering", EntityType.GROUP)
        ids.add_to_tenant("acme", "deployer", EntityType.ROLE)
        url = f"sqlite:///{directory / 'secondary.db'}"
        exporter = SqlExporter()
        exporter.configure(ExporterContext("secondary-storage", 1, {"url": url}))
        exporter.open(_Acknowledged())
        for record in engine.recorder.records:
            exporter.export(record)
        exporter.close()
    finally:
        engine.close()
    identities = IdentityStore(url)
    yield identities
    identities.close()


def _oidc(issuer: LocalIssuer, store: IdentityStore) -> Authenticator:
    return Authenticator(
        "oidc",
        store,
        TokenValidator(OidcSettings(issuer=issuer.url, audience=AUDIENCE)),
        client_id_claim="azp",
    )


def test_a_token_matching_a_mapping_rule_gets_its_groups_roles_and_tenants(
    issuer: LocalIssuer, store: IdentityStore
) -> None:
    authenticator = _oidc(issuer, store)

    caller = asyncio.run(authenticator.authenticate(f"Bearer {issuer.token(sub='ann', department='eng')}"))
    other = asyncio.run(authenticator.authenticate(f"Bearer {issuer.token(sub='bob', department='sales')}"))
    client = asyncio.run(authenticator.authenticate(f"Bearer {issuer.token(sub=None, azp='reporting-app')}"))

    assert (caller.kind, caller.username, caller.method) == ("user", "ann", "oidc")
    assert caller.mapping_rules == ("engineers",)
    assert (caller.groups, caller.roles, caller.tenants) == (("engineering",), ("deployer",), ("acme",))
    assert (other.groups, other.roles, other.mapping_rules) == ((), (), ())
    assert (client.kind, client.client_id, client.principal) == ("client", "reporting-app", "reporting-app")


def _segment(document: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_headers = st.fixed_dictionaries(
    {"alg": st.sampled_from(["none", "HS256", "RS256", "ES256", "EdDSA", "", "rs256"]) | st.text(max_size=8)},
    optional={"kid": _json_values | st.just("key-1"), "typ": _json_values, "crit": _json_values},
)
_token_like = st.builds(
    lambda header, claims, signature: f"{_segment(header)}.{_segment(claims)}.{signature}",
    _headers,
    st.dictionaries(st.sampled_from(["iss", "aud", "sub", "exp", "nbf", "iat"]), _json_values, max_size=6),
    st.text(alphabet="ABCdef0123456789-_", max_size=40),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_token_like.map(lambda token: f"Bearer {token}") | st.text(max_size=200))
def test_fuzzed_bearer_values_are_refused_never_crash(
    issuer: LocalIssuer, store: IdentityStore, value: str
) -> None:
    authenticator = _oidc(issuer, store)

    with pytest.raises(AuthenticationError) as refused:
        asyncio.run(authenticator.authenticate(value))

    assert refused.value.message
    assert refused.value.challenge.startswith("Bearer")


# -- passwords ----------------------------------------------------------------------------------------


def test_a_successful_password_check_is_remembered_until_the_hash_changes() -> None:
    verifier = PasswordVerifier(ttl_s=60)
    first, second = hash_password("pw"), hash_password("pw2")

    async def checks() -> list[bool]:
        return [
            await verifier.verify("demo", "pw", first),
            await verifier.verify("demo", "pw", first),  # remembered: no argon2
            await verifier.verify("demo", "pw", second),  # the stored hash changed: checked again
            await verifier.verify("demo", "pw2", second),
            await verifier.verify("demo", "wrong", second),
            await verifier.verify("demo", "wrong", second),  # failures are not remembered
            await verifier.verify("ghost", "pw", None),
        ]

    results = asyncio.run(checks())

    assert results == [True, True, False, True, False, False, False]
    assert verifier.verifications == 6


def test_a_remembered_password_expires(tmp_path: Path) -> None:
    verifier = PasswordVerifier(ttl_s=0)
    stored = hash_password("pw")

    async def twice() -> None:
        await verifier.verify("demo", "pw", stored)
        await verifier.verify("demo", "pw", stored)

    asyncio.run(twice())

    assert verifier.verifications == 2


def test_basic_mode_refuses_tokens_and_unknown_users_alike(store: IdentityStore) -> None:
    authenticator = Authenticator("basic", store)
    good = "Basic " + base64.b64encode(b"demo:pw").decode()

    caller = asyncio.run(authenticator.authenticate(good))
    for value in (None, "Bearer a.b.c", "Basic " + base64.b64encode(b"nobody:pw").decode()):
        with pytest.raises(AuthenticationError):
            asyncio.run(authenticator.authenticate(value))

    assert (caller.username, caller.method) == ("demo", "basic")
