"""``strom broker --auth oidc``: bearer tokens of a local issuer (RSA keys, JWKS and discovery on
loopback) over real REST and gRPC; every kind of bad token is refused and none stops the broker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import grpc
import httpx
import pytest
from auth_issuer import AUDIENCE, LocalIssuer, hs256_with_public_key, unsigned_token
from broker_process import BrokerProcess
from camunda_orchestration_sdk import CamundaClient
from cryptography.hazmat.primitives.asymmetric import rsa
from pyzeebe import ZeebeClient, create_oauth2_client_credentials_channel

from strom.gateway.grpc._proto import GatewayStub, pb


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer() as local:
        yield local


@pytest.fixture(scope="module")
def secured(issuer: LocalIssuer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("auth-oidc"),
        "--auth",
        "oidc",
        "--oidc-issuer",
        issuer.url,  # the JWKS is found through the issuer's openid-configuration
        "--oidc-audience",
        AUDIENCE,
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


@pytest.fixture(scope="module")
def http(secured: BrokerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=secured.rest_address, timeout=30) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _bad_tokens(issuer: LocalIssuer) -> dict[str, str]:
    now = int(time.time())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "expired": issuer.token(lifetime_s=-3600),
        "not yet valid": issuer.token(nbf=now + 3600),
        "wrong issuer": issuer.token(iss="https://evil.example.com"),
        "wrong audience": issuer.token(aud="another-api"),
        "no audience": issuer.token(aud=None),
        "alg none": unsigned_token({"iss": issuer.url, "aud": AUDIENCE, "sub": "demo", "exp": now + 300}),
        "HS256 with the public key": hs256_with_public_key(
            issuer, {"iss": issuer.url, "aud": AUDIENCE, "sub": "demo", "exp": now + 300}
        ),
        "unknown kid": issuer.token(key=stranger, kid="made-up"),
        "known kid, other key": issuer.token(key=stranger),
        "no sub": issuer.token(sub=None),
        "garbage": "not-a-jwt",
        "three garbage parts": "a.b.c",
    }


def test_a_token_of_the_issuer_works_on_rest(issuer: LocalIssuer, http: httpx.Client) -> None:
    token = issuer.token(sub="alice", name="Alice Doe", email="alice@example.com")

    topology = http.get("/topology", headers=bearer(token))
    me = http.get("/authentication/me", headers=bearer(token)).json()

    assert topology.status_code == 200
    assert (me["username"], me["displayName"], me["email"]) == ("alice", "Alice Doe", "alice@example.com")


def test_no_token_is_401_with_a_bearer_challenge(http: httpx.Client) -> None:
    answer = http.get("/topology")

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith('Bearer realm="strom"')
    assert answer.json()["title"] == "UNAUTHORIZED"


def test_basic_credentials_are_refused_in_oidc_mode(http: httpx.Client) -> None:
    answer = http.get("/topology", headers={"authorization": "Basic YWRtaW46YWRtaW4="})

    assert answer.status_code == 401
    assert "bearer" in answer.json()["detail"].lower()


def test_every_bad_token_is_refused_on_rest_and_grpc(
    issuer: LocalIssuer, secured: BrokerProcess, http: httpx.Client
) -> None:
    refused: dict[str, tuple[int, Any, str]] = {}
    with grpc.insecure_channel(secured.address) as channel:
        stub = GatewayStub(channel)
        for case, token in _bad_tokens(issuer).items():
            answer = http.get("/topology", headers=bearer(token))
            try:
                stub.Topology(
                    pb.TopologyRequest(), metadata=[("authorization", f"Bearer {token}")], timeout=20
                )
                code: Any = "accepted"
            except grpc.RpcError as error:
                code = error.code()
            refused[case] = (answer.status_code, code, answer.headers.get("www-authenticate", ""))

    for case, (status, code, challenge) in refused.items():
        assert status == 401, case
        assert code is grpc.StatusCode.UNAUTHENTICATED, case
        assert 'error="invalid_token"' in challenge, case
    # the broker is still there and still takes a good token
    assert http.get("/topology", headers=bearer(issuer.token())).status_code == 200


def test_grpc_with_a_token_works_and_names_the_reason_when_not(
    issuer: LocalIssuer, secured: BrokerProcess
) -> None:
    with grpc.insecure_channel(secured.address) as channel:
        stub = GatewayStub(channel)
        topology = stub.Topology(
            pb.TopologyRequest(), metadata=[("authorization", f"Bearer {issuer.token()}")], timeout=20
        )
        with pytest.raises(grpc.RpcError) as raised:
            stub.Topology(
                pb.TopologyRequest(),
                metadata=[("authorization", f"Bearer {issuer.token(lifetime_s=-3600)}")],
                timeout=20,
            )

    assert topology.partitionsCount == 1
    assert raised.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "expired" in (raised.value.details() or "")


def test_a_rotated_key_is_fetched_when_a_token_names_it(issuer: LocalIssuer, http: httpx.Client) -> None:
    assert http.get("/topology", headers=bearer(issuer.token())).status_code == 200  # keys fetched
    kid, key = issuer.rotate()
    fetched = issuer.jwks_requests
    time.sleep(1.1)  # the gateway refreshes the JWKS at most once a second

    answer = http.get("/topology", headers=bearer(issuer.token(key=key, kid=kid)))

    assert answer.status_code == 200, answer.text
    assert issuer.jwks_requests == fetched + 1


def test_camunda_sdk_gets_a_token_from_the_issuer_and_uses_it(
    issuer: LocalIssuer, secured: BrokerProcess
) -> None:
    config = {
        "CAMUNDA_REST_ADDRESS": secured.rest_address,
        "CAMUNDA_AUTH_STRATEGY": "OAUTH",
        "CAMUNDA_OAUTH_URL": issuer.url + "/oauth/token",
        "CAMUNDA_CLIENT_ID": "worker-app",
        "CAMUNDA_CLIENT_SECRET": "secret",
        "CAMUNDA_TOKEN_AUDIENCE": AUDIENCE,
    }
    with CamundaClient(configuration=config) as client:
        topology = client.get_topology()
        me = client.get_authentication()

    assert topology.partitions_count == 1
    assert str(me.username) == "worker-app"


def test_pyzeebe_oauth_channel_gets_a_token_and_calls(
    issuer: LocalIssuer, secured: BrokerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib's switch for an http issuer

    async def main() -> int:
        channel = create_oauth2_client_credentials_channel(
            grpc_address=secured.address,
            client_id="worker-app",
            client_secret="secret",
            authorization_server=issuer.url + "/oauth/token",
            scope=None,
            audience=AUDIENCE,
            # call credentials need a secure or a local channel: loopback plaintext is local
            channel_credentials=grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
        )
        try:
            topology = await ZeebeClient(channel).topology()
            return int(topology.partitions_count)
        finally:
            await channel.close()

    assert asyncio.run(asyncio.wait_for(main(), 60)) == 1
