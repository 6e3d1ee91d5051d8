"""The identity operations of the REST API over HTTP on a real broker: users, groups, roles, tenants,
mapping rules and authorizations created, assigned, searched, changed and deleted; Camunda's Python
client on the same paths; ``strom authorization create``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from _rest_models import sdk_configuration
from broker_process import BrokerProcess
from camunda_orchestration_sdk import CamundaClient
from camunda_orchestration_sdk import errors as sdk_errors
from camunda_orchestration_sdk.models import (
    AuthorizationIdBasedRequest,
    AuthorizationIdBasedRequestPermissionTypesItem,
    AuthorizationIdBasedRequestResourceType,
    GroupCreateRequest,
    GroupUserSearchQueryRequest,
    OwnerTypeEnum,
    RoleCreateRequest,
    UserRequest,
)
from camunda_orchestration_sdk.runtime.configuration_resolver import CamundaSdkConfigPartial
from camunda_orchestration_sdk.runtime.eventual import ConsistencyOptions
from camunda_orchestration_sdk.semantic_types import GroupId, RoleId, Username
from test_node_client import NODE_DIR, node_client  # noqa: F401 (the npm-installed client)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def http(rest_broker: BrokerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=rest_broker.rest_address, timeout=30) as client:
        yield client


def _until(read: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 10) -> Any:
    """Reads secondary storage until ``done`` (it follows the engine by milliseconds)."""
    deadline = time.monotonic() + timeout
    while True:
        result = read()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still {result!r} after {timeout} s")
        time.sleep(0.05)


def _items(http: httpx.Client, path: str, body: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    answer = http.post(path, json=body or {})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _problem(answer: httpx.Response, status: int, title: str) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["title"] == title, problem
    detail: str = problem["detail"]
    return detail


def _create_user(http: httpx.Client, username: str) -> None:
    body = {"username": username, "password": f"pw-{username}", "name": username.title()}
    assert http.post("/users", json=body).status_code == 201


# -- groups and their members -------------------------------------------------------------------------


def test_a_user_assigned_to_a_group_is_found_among_its_members(http: httpx.Client) -> None:
    _create_user(http, "ann")

    created = http.post("/groups", json={"groupId": "sales", "name": "Sales", "description": "EMEA"})
    assigned = http.put("/groups/sales/users/ann")

    assert created.status_code == 201
    assert created.json() == {"groupId": "sales", "name": "Sales", "description": "EMEA"}
    assert assigned.status_code == 204
    members = _until(lambda: _items(http, "/groups/sales/users/search"), lambda items: items)
    assert members == [{"username": "ann"}]
    assert http.get("/groups/sales").json() == {"groupId": "sales", "name": "Sales", "description": "EMEA"}
    found = _items(http, "/groups/search", {"filter": {"name": "Sales"}})
    assert [group["groupId"] for group in found] == ["sales"]


def test_a_duplicate_is_409_and_an_unknown_group_is_404(http: httpx.Client) -> None:
    assert http.post("/groups", json={"groupId": "twice", "name": "Twice"}).status_code == 201

    duplicate = http.post("/groups", json={"groupId": "twice", "name": "Again"})
    assert http.put("/groups/twice/users/bob").status_code == 204
    member_twice = http.put("/groups/twice/users/bob")

    assert "twice" in _problem(duplicate, 409, "ALREADY_EXISTS")
    _problem(member_twice, 409, "ALREADY_EXISTS")
    assert "nowhere" in _problem(http.get("/groups/nowhere"), 404, "NOT_FOUND")
    _problem(http.put("/groups/nowhere", json={"name": "X"}), 404, "NOT_FOUND")
    _problem(http.delete("/groups/nowhere"), 404, "NOT_FOUND")
    _problem(http.put("/groups/nowhere/users/bob"), 404, "NOT_FOUND")
    _problem(http.delete("/groups/twice/users/carol"), 404, "NOT_FOUND")


def test_a_bad_request_names_what_is_wrong(http: httpx.Client) -> None:
    no_name = http.post("/groups", json={"groupId": "nameless"})
    bad_id = http.post("/groups", json={"groupId": "a b", "name": "Spaces"})
    unknown_field = http.post("/groups/search", json={"filter": {"colour": "blue"}})

    assert "name" in _problem(no_name, 400, "INVALID_ARGUMENT")
    _problem(bad_id, 400, "INVALID_ARGUMENT")
    assert "colour" in _problem(unknown_field, 400, "INVALID_ARGUMENT")


def test_a_group_renamed_and_deleted_takes_its_memberships_along(http: httpx.Client) -> None:
    http.post("/groups", json={"groupId": "temp", "name": "Temp"}).raise_for_status()
    http.put("/groups/temp/users/dora").raise_for_status()
    http.put("/groups/temp/clients/robot").raise_for_status()

    renamed = http.put("/groups/temp", json={"name": "Temporary", "description": "for now"})
    _until(lambda: http.get("/groups/temp").json().get("name"), lambda name: name == "Temporary")
    deleted = http.delete("/groups/temp")

    assert renamed.status_code == 200
    assert renamed.json() == {"groupId": "temp", "name": "Temporary", "description": "for now"}
    assert deleted.status_code == 204
    _until(lambda: http.get("/groups/temp").status_code, lambda status: status == 404)
    assert _items(http, "/groups/temp/users/search") == []
    assert _items(http, "/groups/temp/clients/search") == []


def test_group_searches_page_with_cursors_and_sort(http: httpx.Client) -> None:
    for index in range(3):
        http.post("/groups", json={"groupId": f"page-{index}", "name": f"Page {index}"}).raise_for_status()
    query = {"filter": {"groupId": {"$like": "page-*"}}, "sort": [{"field": "name", "order": "DESC"}]}
    _until(lambda: _items(http, "/groups/search", query), lambda items: len(items) == 3)

    first = http.post("/groups/search", json={**query, "page": {"limit": 2}}).json()
    rest = http.post("/groups/search", json={**query, "page": {"after": first["page"]["endCursor"]}}).json()
    back = http.post("/groups/search", json={**query, "page": {"before": rest["page"]["startCursor"]}}).json()

    assert [g["groupId"] for g in first["items"]] == ["page-2", "page-1"]
    assert first["page"]["totalItems"] == 3 and first["page"]["hasMoreTotalItems"] is False
    assert [g["groupId"] for g in rest["items"]] == ["page-0"]
    assert [g["groupId"] for g in back["items"]] == ["page-2", "page-1"]


# -- roles and tenants -------------------------------------------------------------------------------


def test_roles_and_tenants_hold_users_groups_and_each_other(http: httpx.Client) -> None:
    http.post("/groups", json={"groupId": "ops", "name": "Ops"}).raise_for_status()
    created_role = http.post("/roles", json={"roleId": "auditor", "name": "Auditor"})
    created_tenant = http.post("/tenants", json={"tenantId": "acme", "name": "ACME", "description": "a"})
    for path in (
        "/roles/auditor/users/erin",
        "/roles/auditor/groups/ops",
        "/roles/auditor/clients/ci",
        "/tenants/acme/users/erin",
        "/tenants/acme/groups/ops",
        "/tenants/acme/roles/auditor",
        "/tenants/acme/clients/ci",
    ):
        assert http.put(path).status_code == 204, path

    assert created_role.json() == {"roleId": "auditor", "name": "Auditor", "description": None}
    assert created_tenant.json() == {"tenantId": "acme", "name": "ACME", "description": "a"}
    _until(lambda: _items(http, "/tenants/acme/clients/search"), lambda items: items)
    assert _items(http, "/roles/auditor/users/search") == [{"username": "erin"}]
    assert _items(http, "/roles/auditor/groups/search") == [{"groupId": "ops"}]
    assert _items(http, "/roles/auditor/clients/search") == [{"clientId": "ci"}]
    assert _items(http, "/groups/ops/roles/search") == [
        {"roleId": "auditor", "name": "Auditor", "description": None}
    ]
    assert _items(http, "/tenants/acme/users/search") == [{"username": "erin"}]
    assert _items(http, "/tenants/acme/groups/search") == [{"groupId": "ops"}]
    assert [role["roleId"] for role in _items(http, "/tenants/acme/roles/search")] == ["auditor"]
    assert http.get("/tenants/acme").json() == {"tenantId": "acme", "name": "ACME", "description": "a"}
    assert http.get("/roles/auditor").json()["name"] == "Auditor"

    assert http.delete("/tenants/acme/users/erin").status_code == 204
    _until(lambda: _items(http, "/tenants/acme/users/search"), lambda items: items == [])
    _problem(http.put("/tenants/acme/roles/no-such-role"), 404, "NOT_FOUND")


# -- mapping rules -----------------------------------------------------------------------------------


def test_a_mapping_rule_is_created_found_assigned_changed_and_deleted(http: httpx.Client) -> None:
    rule = {"mappingRuleId": "eng", "claimName": "department", "claimValue": "engineering", "name": "Eng"}
    created = http.post("/mapping-rules", json=rule)
    http.post("/roles", json={"roleId": "engineer", "name": "Engineer"}).raise_for_status()
    assigned = http.put("/roles/engineer/mapping-rules/eng")

    assert created.status_code == 201 and created.json() == rule
    assert assigned.status_code == 204
    _until(lambda: _items(http, "/roles/engineer/mapping-rules/search"), lambda items: items == [rule])
    assert _items(http, "/mapping-rules/search", {"filter": {"claimName": "department"}}) == [rule]
    _problem(http.post("/mapping-rules", json=rule), 409, "ALREADY_EXISTS")

    changed = {**rule, "claimValue": "platform"}
    updated = http.put("/mapping-rules/eng", json={k: v for k, v in changed.items() if k != "mappingRuleId"})
    assert updated.status_code == 200 and updated.json() == changed
    _until(lambda: http.get("/mapping-rules/eng").json(), lambda item: item == changed)

    assert http.delete("/mapping-rules/eng").status_code == 204
    _until(lambda: http.get("/mapping-rules/eng").status_code, lambda status: status == 404)
    assert _items(http, "/roles/engineer/mapping-rules/search") == []


# -- authorizations ----------------------------------------------------------------------------------


def test_an_authorization_is_created_found_updated_and_deleted(http: httpx.Client) -> None:
    _create_user(http, "frank")
    grant = {
        "ownerId": "frank",
        "ownerType": "USER",
        "resourceType": "PROCESS_DEFINITION",
        "resourceId": "order",
        "permissionTypes": ["CREATE_PROCESS_INSTANCE"],
    }

    created = http.post("/authorizations", json=grant)
    assert created.status_code == 201, created.text
    key = created.json()["authorizationKey"]
    assert isinstance(key, str) and key.isdigit()
    stored = _until(lambda: http.get(f"/authorizations/{key}"), lambda answer: answer.status_code == 200)
    assert stored.json() == {**grant, "authorizationKey": key, "resourcePropertyName": None}
    found = _items(http, "/authorizations/search", {"filter": {"ownerId": "frank", "resourceIds": ["order"]}})
    assert [item["authorizationKey"] for item in found] == [key]
    assert (
        _items(http, "/authorizations/search", {"filter": {"ownerId": "frank", "resourceIds": ["x"]}}) == []
    )
    _problem(http.post("/authorizations", json=grant), 409, "ALREADY_EXISTS")

    wider = {
        **grant,
        "resourceId": "*",
        "permissionTypes": ["READ_PROCESS_INSTANCE", "CREATE_PROCESS_INSTANCE"],
    }
    assert http.put(f"/authorizations/{key}", json=wider).status_code == 204
    _until(
        lambda: http.get(f"/authorizations/{key}").json()["permissionTypes"],
        lambda permissions: permissions == ["CREATE_PROCESS_INSTANCE", "READ_PROCESS_INSTANCE"],
    )

    assert http.delete(f"/authorizations/{key}").status_code == 204
    _until(lambda: http.get(f"/authorizations/{key}").status_code, lambda status: status == 404)
    _problem(http.delete(f"/authorizations/{key}"), 404, "NOT_FOUND")


def test_an_authorization_the_resource_type_does_not_support_is_refused(http: httpx.Client) -> None:
    unsupported = {
        "ownerId": "anyone",
        "ownerType": "CLIENT",
        "resourceType": "PROCESS_DEFINITION",
        "resourceId": "*",
        "permissionTypes": ["ACCESS"],
    }
    unknown_owner = {
        **unsupported,
        "ownerType": "USER",
        "ownerId": "nobody",
        "permissionTypes": ["READ_PROCESS_DEFINITION"],
    }

    assert "ACCESS" in _problem(http.post("/authorizations", json=unsupported), 400, "INVALID_ARGUMENT")
    assert "nobody" in _problem(http.post("/authorizations", json=unknown_owner), 404, "NOT_FOUND")
    bad_enum = http.post("/authorizations", json={**unsupported, "ownerType": "ROBOT"})
    assert "ownerType" in _problem(bad_enum, 400, "INVALID_ARGUMENT")


# -- users ---------------------------------------------------------------------------------------------


def test_a_user_is_read_updated_and_deleted_without_the_password_showing(http: httpx.Client) -> None:
    _create_user(http, "gina")
    _until(lambda: http.get("/users/gina").status_code, lambda status: status == 200)

    updated = http.put(
        "/users/gina", json={"name": "Gina G.", "email": "gina@example.com", "password": "new"}
    )

    assert updated.status_code == 200
    assert updated.json() == {"username": "gina", "name": "Gina G.", "email": "gina@example.com"}
    shown = _until(lambda: http.get("/users/gina").json(), lambda user: user["name"] == "Gina G.")
    assert shown == {"username": "gina", "name": "Gina G.", "email": "gina@example.com"}
    assert http.delete("/users/gina").status_code == 204
    _until(lambda: http.get("/users/gina").status_code, lambda status: status == 404)
    _problem(http.put("/users/gina", json={"name": "Ghost"}), 404, "NOT_FOUND")
    _problem(http.delete("/users/gina"), 404, "NOT_FOUND")


def test_the_openapi_document_lists_the_identity_operations(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]

    assert paths["/v2/groups/{groupId}/users/{username}"]["put"]["operationId"] == "assignUserToGroup"
    assert paths["/v2/tenants/{tenantId}/groups/search"]["post"]["operationId"] == "searchGroupIdsForTenant"
    assert set(paths["/v2/authorizations/{authorizationKey}"]) == {"get", "put", "delete"}


# -- Camunda's Python client ----------------------------------------------------------------------------


def _eventually(predicate: Callable[[Any], bool]) -> ConsistencyOptions:
    return ConsistencyOptions(wait_up_to_ms=10_000, poll_interval_ms=50, predicate=predicate)


def test_camunda_sdk_creates_a_group_assigns_a_user_and_grants_a_permission(
    rest_broker: BrokerProcess,
) -> None:
    configuration = cast(CamundaSdkConfigPartial, sdk_configuration(rest_broker))
    with CamundaClient(configuration=configuration) as camunda:
        camunda.create_user(data=_sdk_user("hank"))
        group = camunda.create_group(data=GroupCreateRequest(group_id=GroupId("support"), name="Support"))
        camunda.assign_user_to_group(group_id="support", username="hank")
        members = camunda.search_users_for_group(
            group_id="support",
            data=GroupUserSearchQueryRequest(),
            consistency=_eventually(lambda result: bool(result.items)),
        )
        role = camunda.create_role(data=RoleCreateRequest(role_id=RoleId("helper"), name="Helper"))
        camunda.assign_role_to_group(role_id="helper", group_id="support")
        granted = camunda.create_authorization(
            data=AuthorizationIdBasedRequest(
                owner_id="support",
                owner_type=OwnerTypeEnum.GROUP,
                resource_type=AuthorizationIdBasedRequestResourceType.PROCESS_DEFINITION,
                resource_id="order",
                permission_types=[AuthorizationIdBasedRequestPermissionTypesItem.READ_PROCESS_INSTANCE],
            )
        )
        stored = camunda.get_authorization(
            authorization_key=granted.authorization_key, consistency=_eventually(lambda result: True)
        )
        fetched = camunda.get_group("support", consistency=_eventually(lambda result: True))
        with pytest.raises(sdk_errors.ConflictError):
            camunda.create_group(data=GroupCreateRequest(group_id=GroupId("support"), name="Support"))
        with pytest.raises(sdk_errors.NotFoundError):
            camunda.delete_group("no-such-group")

    assert (group.group_id, group.name) == ("support", "Support")
    assert [member.username for member in members.items] == ["hank"]
    assert members.page.total_items == 1
    assert role.role_id == "helper"
    assert (stored.owner_id, str(stored.owner_type.value)) == ("support", "GROUP")
    assert [str(p.value) for p in stored.permission_types] == ["READ_PROCESS_INSTANCE"]
    assert fetched.name == "Support"


def _sdk_user(username: str) -> UserRequest:
    return UserRequest(
        username=Username(username), password=f"pw-{username}", name=username.title(), email=""
    )


def test_the_typescript_client_validates_every_identity_answer_strictly(
    node_client: Path,  # noqa: F811
    rest_broker: BrokerProcess,
) -> None:
    shutil.copy(NODE_DIR / "identity_flows.mjs", node_client)

    run = subprocess.run(
        ["node", "identity_flows.mjs"],
        cwd=node_client,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "STROM_REST_ADDRESS": rest_broker.rest_address},
    )

    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-4000:]}"
    answers = {line["step"]: line["answer"] for line in map(json.loads, run.stdout.splitlines())}
    assert answers["searchUsersForGroup"]["items"] == [{"username": "nina"}]
    assert answers["getAuthorization"]["permissionTypes"] == ["READ_PROCESS_INSTANCE"]
    assert answers["updateUser"] == {"username": "nina", "name": "Nina N.", "email": "n@x.io"}
    assert list(answers)[-1] == "deleteUser"


# -- CLI ---------------------------------------------------------------------------------------------


def test_strom_authorization_create_grants_a_permission(
    rest_broker: BrokerProcess, http: httpx.Client
) -> None:
    _create_user(http, "ivan")
    arguments = [
        "--owner-type",
        "USER",
        "--owner-id",
        "ivan",
        "--resource-type",
        "PROCESS_DEFINITION",
        "--resource-id",
        "order",
        "--permission",
        "CREATE_PROCESS_INSTANCE",
        "--permission",
        "READ_PROCESS_INSTANCE",
    ]

    created = _strom("authorization", "create", *arguments, rest_address=rest_broker.rest_address)
    again = _strom("authorization", "create", *arguments, rest_address=rest_broker.rest_address)

    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().removeprefix("created authorization ")
    assert key.isdigit(), created.stdout
    stored = _until(
        lambda: http.get(f"/authorizations/{key}"), lambda answer: answer.status_code == 200
    ).json()
    assert (stored["ownerId"], stored["resourceId"]) == ("ivan", "order")
    assert stored["permissionTypes"] == ["CREATE_PROCESS_INSTANCE", "READ_PROCESS_INSTANCE"]
    assert again.returncode != 0 and "ALREADY_EXISTS" in again.stderr


def _strom(*args: str, rest_address: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from strom.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "STROM_REST_ADDRESS": rest_address},
    )
