"""What a command carries for its caller (``Identity.authorization_data``): the engine checks
exactly what the gateway puts there."""

from __future__ import annotations

from types import MappingProxyType

from strom.gateway.auth.identity import ANONYMOUS, Identity
from strom.protocol.record import AUTHORIZED_CLIENT_ID, AUTHORIZED_USERNAME, USER_TOKEN_CLAIMS


def test_a_user_is_named_by_username_and_a_token_adds_its_claims() -> None:
    basic = Identity(kind="user", username="alice", method="basic")
    token = Identity(
        kind="client", client_id="ci", method="oidc", claims=MappingProxyType({"sub": "ci", "team": ["a"]})
    )

    assert basic.authorization_data() == {AUTHORIZED_USERNAME: "alice"}
    assert token.authorization_data() == {
        AUTHORIZED_CLIENT_ID: "ci",
        USER_TOKEN_CLAIMS: {"sub": "ci", "team": ["a"]},
    }


def test_no_caller_is_named_when_unauthenticated_and_one_is_with_authorizations_off() -> None:
    """With authorizations off the engine still checks tenants (multi-tenancy), so the caller is
    named; the engine's own setting turns its permission checks off."""
    unchecked = Identity(kind="user", username="alice", method="basic", checked=False)

    assert ANONYMOUS.authorization_data() == {}
    assert unchecked.authorization_data() == {AUTHORIZED_USERNAME: "alice"}
