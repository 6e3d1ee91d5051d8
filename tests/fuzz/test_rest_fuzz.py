"""Random JSON bodies (and some that are not JSON) to every REST v2 operation that takes a body,
on a real broker: each answer is a success or a 4xx problem document, never a 500; the broker
lives and serves a normal request afterwards."""

from __future__ import annotations

import http.client
import json
import urllib.parse
import urllib.request
from typing import Any

import msgspec
import pytest
from broker_process import BrokerProcess
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strom.gateway.rest.app import OPERATIONS
from strom.gateway.rest.operations import Operation
from strom.testing import bpmn

pytestmark = pytest.mark.slow

WITH_BODY = [op for op in OPERATIONS if op.method in ("POST", "PUT", "PATCH")]
WAITING = {"activateJobs", "createProcessInstance"}
"""Operations that may wait (a long poll, an instance's result): their bodies get a short
``requestTimeout`` so a valid one cannot hold the test, and 504 is an answer for them."""
LEGITIMATE_5XX = {501, 503}
"""Not supported (with a problem document) and backpressure; 500 is a bug."""

_FILTER_KEYS = [
    "processInstanceKey",
    "processDefinitionKey",
    "bpmnProcessId",
    "processDefinitionId",
    "elementId",
    "state",
    "type",
    "tenantId",
    "name",
    "value",
    "startDate",
    "$eq",
    "$neq",
    "$in",
    "$like",
    "$gt",
    "$lte",
    "$exists",
    "field",
    "order",
    "from",
    "limit",
    "after",
    "before",
]
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2251799813685249", "-1", "0", "ACTIVE", "ASC", "2025-01-01T00:00:00Z", "=x", "*", "%"]),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(_FILTER_KEYS), st.text(max_size=6)), inner, max_size=4),
    ),
    max_leaves=16,
)
_PATH_VALUES = ["2251799813685249", "1", "-1", "0", "abc", "9" * 30, "%20", "demo", "x" * 300]


def _fields(op: Operation) -> list[str]:
    return [field.encode_name for field in msgspec.structs.fields(op.body)] if op.body else []


@st.composite
def _bodies(draw: st.DrawFn, op: Operation) -> bytes:
    kind = draw(st.sampled_from(["fields", "fields", "fields", "any", "not_json", "deep", "empty"]))
    if kind == "fields":
        names = _fields(op) or ["x"]
        body: Any = draw(st.dictionaries(st.sampled_from(names), _JSON, max_size=len(names)))
        if op.operation_id in WAITING and isinstance(body, dict):
            body["requestTimeout"] = 200
    elif kind == "any":
        body = draw(_JSON)
    elif kind == "not_json":
        return draw(st.sampled_from([b"{", b"[1,", b"\xff\xfe", b"{'a': 1}", b"NaN", b"null", b""]))
    elif kind == "deep":
        depth = draw(st.sampled_from([100, 500, 5_000, 100_000]))
        return b'{"variables":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
    else:
        body = {}
    return json.dumps(body, allow_nan=True).encode()


@st.composite
def _paths(draw: st.DrawFn, op: Operation) -> str:
    path = op.path
    while "{" in path:
        start = path.index("{")
        end = path.index("}", start)
        path = (
            path[:start]
            + urllib.request.quote(draw(st.sampled_from(_PATH_VALUES)), safe="%")
            + path[end + 1 :]
        )
    return path


def _send(broker: BrokerProcess, method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
    """(status, content type, body) of the answer. http.client, not urllib: a server may answer
    (e.g. 400 to a JSON body for a multipart operation) before it has read a large body."""
    connection = http.client.HTTPConnection("127.0.0.1", broker.rest_port, timeout=10)
    try:
        connection.request(method, "/v2" + path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.headers.get("Content-Type", ""), response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def rest(broker: BrokerProcess) -> BrokerProcess:
    xml = bpmn.process("fuzzed").start_event().service_task("t", job_type="work").end_event().to_xml()
    boundary = "fuzzboundary"
    form = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="resources"; filename="f.bpmn"\r\n'
        f"Content-Type: application/xml\r\n\r\n{xml}\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        broker.rest_address + "/deployments",
        data=form,
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return broker


@pytest.mark.parametrize("op", WITH_BODY, ids=[op.operation_id for op in WITH_BODY])
@settings(
    max_examples=12,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_any_body_gets_a_success_or_a_4xx_problem_never_a_500(
    rest: BrokerProcess, op: Operation, data: st.DataObject
) -> None:
    path = data.draw(_paths(op))
    body = data.draw(_bodies(op))

    try:
        status, content_type, answer = _send(rest, op.method, path, body)
    except TimeoutError:
        pytest.fail(f"{op.method} {path} did not answer within 10 s")

    assert status != 500, f"{op.method} {path} {body[:300]!r}: {answer[:500]!r}"
    if status >= 500:
        assert status in LEGITIMATE_5XX or (status == 504 and op.operation_id in WAITING), (status, answer)
    if status >= 400:
        assert content_type == "application/problem+json", (status, content_type, answer[:300])
        problem = json.loads(answer)
        assert problem["status"] == status and problem["title"] and problem["detail"]
    assert rest.process is not None and rest.process.poll() is None, rest.logs()


WITHOUT_BODY = [op for op in OPERATIONS if op.method in ("GET", "DELETE")]


def _check_answer(op: Operation, path: str, status: int, content_type: str, answer: bytes) -> None:
    assert status != 500, f"{op.method} {path}: {answer[:500]!r}"
    if status >= 500:
        assert status in LEGITIMATE_5XX, (status, answer)
    if status >= 400:
        assert content_type == "application/problem+json", (status, content_type, answer[:300])
        problem = json.loads(answer)
        assert problem["status"] == status and problem["title"] and problem["detail"]


@pytest.mark.parametrize("op", WITHOUT_BODY, ids=[op.operation_id for op in WITHOUT_BODY])
@settings(
    max_examples=8,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_any_path_and_query_get_a_success_or_a_4xx_problem_never_a_500(
    rest: BrokerProcess, op: Operation, data: st.DataObject
) -> None:
    path = data.draw(_paths(op))
    query = data.draw(
        st.dictionaries(
            st.sampled_from(["limit", "from", "sort", "filter", "x"]),
            st.one_of(st.sampled_from(["-1", "0", "99999999999999999999", "a", ""]), st.text(max_size=8)),
            max_size=3,
        )
    )
    if query:
        path += "?" + urllib.parse.urlencode(query)

    status, content_type, answer = _send(rest, op.method, path, b"")

    _check_answer(op, path, status, content_type, answer)


def test_the_broker_serves_rest_requests_after_the_fuzzing(rest: BrokerProcess) -> None:
    status, _, answer = _send(
        rest, "POST", "/process-instances", json.dumps({"processDefinitionId": "fuzzed"}).encode()
    )

    assert status == 200, answer
    assert json.loads(answer)["processInstanceKey"]
    stderr = rest.logs().split("--- stderr ---", 1)[1]
    assert "failed unexpectedly" not in stderr, stderr


# -- what the fuzzing found ------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_body_nested_a_thousand_levels_deep_is_a_400_not_a_500(rest: BrokerProcess, depth: int) -> None:
    """It used to exhaust the JSON decoder's recursion: 500 and a traceback per request."""
    body = (
        b'{"processDefinitionId":"fuzzed","variables":{"v":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}}"
    )

    status, content_type, answer = _send(rest, "POST", "/process-instances", body)

    assert (status, content_type) == (400, "application/problem+json")
    assert json.loads(answer)["detail"] == (
        "The request body is nested too deeply: JSON objects and arrays may nest at most 128 levels"
    )
