"""Operate's migration and modification batch operations over the instance list's filter: "Migrate
all N…" maps the chosen definition's elements to another version's and "Move all N…" moves the
tokens of one element to another, each one batch operation in the broker that the page then
follows — in headless Chromium against a real broker, checked over REST; and a user the broker
refuses such an operation sees its problem detail (a broker with ``--auth basic`` of its own)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _ui_rest import Rest
from broker_process import BrokerProcess
from playwright.sync_api import expect

from strom.testing import bpmn


def _tasks(process_id: str, *elements: str) -> str:
    """A process whose service tasks (nobody works on their jobs) run one after the other."""
    builder = bpmn.process(process_id, process_id.replace("_", " ").title()).start_event()
    for element in elements:
        builder = builder.service_task(element, job_type=f"{process_id}-{element}")
    return builder.end_event().to_xml()


def _deploy(rest: Rest, process_id: str, xml: str) -> str:
    files = [("resources", (f"{process_id}.bpmn", xml.encode(), "application/xml"))]
    response = rest.client.post("/deployments", files=files)
    assert response.status_code == 200, response.text
    return str(response.json()["deployments"][0]["processDefinition"]["processDefinitionKey"])


def _instances(rest: Rest, keys: list[str]) -> dict[str, dict[str, Any]]:
    found = rest.call("POST", "/process-instances/search", {"filter": {"processInstanceKey": {"$in": keys}}})
    return {item["processInstanceKey"]: item for item in found["items"]}


def _waiting_at(rest: Rest, keys: list[str]) -> dict[str, list[str]]:
    """The elements each instance waits at (its active element instances), per instance."""
    body = {"filter": {"processInstanceKey": {"$in": keys}, "state": "ACTIVE"}, "page": {"limit": 100}}
    found = rest.call("POST", "/element-instances/search", body)["items"]
    waiting: dict[str, list[str]] = {key: [] for key in keys}
    for item in found:
        if item["type"] != "PROCESS":
            waiting[item["processInstanceKey"]].append(item["elementId"])
    return {key: sorted(elements) for key, elements in waiting.items()}


@pytest.fixture
def started(rest: Rest, eventually: Callable[..., None]) -> Callable[[str, int], list[str]]:
    def start(process_id: str, count: int) -> list[str]:
        keys = [rest.create(process_id) for _ in range(count)]
        at_a = {key: ["a"] for key in keys}
        eventually(lambda: _waiting_at(rest, keys) == at_a, "the instances waiting at a")
        return keys

    return start


def test_migrate_all_to_the_next_version_from_the_list(
    page: Any, rest: Rest, started: Callable[[str, int], list[str]], eventually: Callable[..., None]
) -> None:
    _deploy(rest, "ui_migrate", _tasks("ui_migrate", "a", "b"))
    keys = started("ui_migrate", 3)
    v2 = _deploy(rest, "ui_migrate", _tasks("ui_migrate", "a", "b", "c"))

    page.goto("/operate/processes?process=ui_migrate&state=running")
    expect(page.locator("#instance-total")).to_have_text("3 matching")
    expect(page.locator("#batch-plan-hint")).to_be_visible()  # no version chosen: nothing to migrate from
    expect(page.locator("#batch-migrate-all")).to_have_count(0)
    page.locator('select[name="version"]').select_option("1")
    expect(page).to_have_url(re.compile(r"version=1"))
    migrate = page.locator("#batch-migrate-all")
    expect(migrate).to_have_text("Migrate all 3…")
    migrate.focus()
    page.keyboard.press("Enter")

    target = page.locator("#migration-target")
    expect(target).to_be_focused()
    expect(target.locator("option:checked")).to_have_text("Ui Migrate — version 2")
    expect(page.locator("#migration-mapping tr.mapping-row")).to_have_count(2)
    expect(page.locator("#map-a")).to_have_value("a")  # ids that match are mapped already
    expect(page.locator("#map-b")).to_have_value("b")
    expect(page.locator("#map-b option")).to_have_text(["(not mapped)", "a", "b", "c"])
    page.locator("#plan-review").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#plan-confirm-text")).to_have_text(
        "Migrate all 3 instances matching the filter to Ui Migrate — version 2, with 2 mapping "
        "instructions, in one batch operation?"
    )
    expect(page.locator("#plan-confirm")).to_be_focused()
    if os.environ.get("STROM_TEST_UI_SCREENSHOTS"):  # the form, for docs/ui.md (the fixture shows the end)
        shots = Path(os.environ["STROM_TEST_UI_SCREENSHOTS"])
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "migrate_all_mapping_table.png"), full_page=True)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/operate/batch-operations/\d+$"))
    expect(page.locator("#batch-type")).to_have_attribute("data-type", "MIGRATE_PROCESS_INSTANCE")
    expect(page.locator("#batch-state .badge")).to_have_attribute("data-state", "COMPLETED")
    expect(page.locator('#batch-items tr.batch-item[data-state="COMPLETED"]')).to_have_count(3)
    expect(page.locator("#batch-header .batch-progress")).to_have_attribute("data-failed", "0")
    eventually(
        lambda: {item["processDefinitionKey"] for item in _instances(rest, keys).values()} == {v2},
        "the instances on version 2",
    )
    instances = _instances(rest, keys)
    assert {item["processDefinitionVersion"] for item in instances.values()} == {2}
    assert {item["state"] for item in instances.values()} == {"ACTIVE"}
    assert _waiting_at(rest, keys) == {key: ["a"] for key in keys}


def test_move_all_from_one_element_to_another_from_the_list(
    page: Any, rest: Rest, started: Callable[[str, int], list[str]], eventually: Callable[..., None]
) -> None:
    _deploy(rest, "ui_move", _tasks("ui_move", "a", "b"))
    keys = started("ui_move", 3)

    page.goto("/operate/processes?process=ui_move&version=1&state=running")
    expect(page.locator("#instance-total")).to_have_text("3 matching")
    page.locator("#batch-move-all").click()
    source = page.locator("#move-source")
    expect(source).to_be_focused()
    expect(source.locator("option:checked")).to_have_text("a — 3 in the definition")  # where the tokens are
    expect(page.locator("#move-target")).to_have_value("b")
    page.keyboard.press("Escape")  # closes the form, nothing sent
    expect(page.locator("#batch-plan")).to_be_hidden()
    expect(page.locator("#batch-move-all")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#move-target")).to_have_value("b")
    page.locator("#plan-review").click()
    expect(page.locator("#plan-confirm-text")).to_have_text(
        "Move the tokens at a to b in all 3 instances matching the filter, in one batch operation?"
    )
    page.locator("#plan-confirm").click()

    expect(page).to_have_url(re.compile(r"/operate/batch-operations/\d+$"))
    expect(page.locator("#batch-type")).to_have_attribute("data-type", "MODIFY_PROCESS_INSTANCE")
    expect(page.locator("#batch-state .badge")).to_have_attribute("data-state", "COMPLETED")
    expect(page.locator('#batch-items tr.batch-item[data-state="COMPLETED"]')).to_have_count(3)
    eventually(lambda: _waiting_at(rest, keys) == {key: ["b"] for key in keys}, "the instances waiting at b")
    assert {item["state"] for item in _instances(rest, keys).values()} == {"ACTIVE"}


def test_an_unmapped_waiting_element_fails_the_items_with_the_brokers_reason(
    page: Any, rest: Rest, started: Callable[[str, int], list[str]], eventually: Callable[..., None]
) -> None:
    _deploy(rest, "ui_unmapped", _tasks("ui_unmapped", "a", "b"))
    keys = started("ui_unmapped", 2)
    _deploy(rest, "ui_unmapped", _tasks("ui_unmapped", "a", "b", "c"))

    page.goto("/operate/processes?process=ui_unmapped&version=1&state=running")
    expect(page.locator("#instance-total")).to_have_text("2 matching")
    page.locator("#batch-migrate-all").click()
    expect(page.locator("#map-a")).to_have_value("a")
    page.locator("#map-a").select_option("")  # "(not mapped)": where both instances wait
    page.locator("#plan-review").click()
    expect(page.locator("#plan-confirm-text")).to_contain_text("with 1 mapping instruction,")
    page.locator("#plan-confirm").click()

    expect(page.locator("#batch-type")).to_have_attribute("data-type", "MIGRATE_PROCESS_INSTANCE")
    expect(page.locator("#batch-header .batch-progress")).to_have_attribute("data-failed", "2")
    failed = page.locator('#batch-items tr.batch-item[data-state="FAILED"]')
    expect(failed).to_have_count(2)
    expect(failed.first.locator("td.error-message")).to_contain_text(
        "no mapping instruction defined for active element with id 'a'"
    )
    assert {item["processDefinitionVersion"] for item in _instances(rest, keys).values()} == {1}


ADMIN, PASSWORD = "admin", "correct horse battery staple"
OPERATOR = "olga"
"""May read every process and its instances, and start cancellation batches, but no migration."""


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Rest]]:
    """A broker with ``--auth basic``, its admin's REST API, and the operator user granted reads."""
    process = BrokerProcess(
        tmp_path_factory.mktemp("ui-migrate-secured"),
        "--auth",
        "basic",
        "--admin-user",
        ADMIN,
        env={"STROM_SECONDARY_STORAGE": "sqlite", "STROM_ADMIN_PASSWORD": PASSWORD},
    ).start()
    admin = Rest(process.rest_address)
    admin.client.auth = (ADMIN, PASSWORD)
    deadline = time.monotonic() + 20
    while admin.client.get("/topology").status_code != 200:  # users are read from secondary storage
        assert time.monotonic() < deadline, "the admin could not log in within 20 s"
        time.sleep(0.05)
    admin.call("POST", "/users", {"username": OPERATOR, "password": PASSWORD, "name": "Olga"})
    for resource, permissions in (
        ("PROCESS_DEFINITION", ["READ_PROCESS_DEFINITION", "READ_PROCESS_INSTANCE"]),
        ("BATCH", ["CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE", "READ"]),
    ):
        grant = {"ownerId": OPERATOR, "ownerType": "USER", "resourceType": resource, "resourceId": "*"}
        admin.call("POST", "/authorizations", {**grant, "permissionTypes": permissions})
    yield f"http://127.0.0.1:{process.rest_port}", admin
    assert process.stop() == 0, process.logs()


def test_a_refused_migration_shows_the_brokers_problem_detail(
    browser: Any, secured: tuple[str, Rest], eventually: Callable[..., None]
) -> None:
    url, admin = secured
    _deploy(admin, "ui_refused", _tasks("ui_refused", "a", "b"))
    key = admin.create("ui_refused")
    eventually(lambda: _waiting_at(admin, [key]) == {key: ["a"]}, "the instance waiting at a")
    _deploy(admin, "ui_refused", _tasks("ui_refused", "a", "b", "c"))
    operations = admin.call("POST", "/batch-operations/search", {})["page"]["totalItems"]
    operator = Rest(str(admin.client.base_url))
    operator.client.auth = (OPERATOR, PASSWORD)
    eventually(lambda: key in _instances(operator, [key]), "the operator's grants in effect")

    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto("/operate/processes?process=ui_refused&version=1&state=running")
        page.locator("#username").fill(OPERATOR)
        page.locator("#password").fill(PASSWORD)
        page.locator("#login-submit").click()
        expect(page.locator("#instance-total")).to_have_text("1 matching")
        page.locator("#batch-migrate-all").click()
        expect(page.locator("#map-a")).to_have_value("a")
        page.locator("#plan-review").click()
        page.locator("#plan-confirm").click()

        error = page.locator("#messages .message-error")
        expect(error).to_contain_text("The broker refused the batch operation")
        expect(error.locator(".message-text")).to_contain_text(
            "Insufficient permissions to perform operation 'CREATE_BATCH_OPERATION_MIGRATE_PROCESS_INSTANCE'"
        )
        expect(page).to_have_url(re.compile(r"/operate/processes\?"))  # still on the list
        expect(page.locator("#plan-confirm")).to_be_enabled()  # the form stays: another try is possible
    finally:
        context.close()
    assert admin.call("POST", "/batch-operations/search", {})["page"]["totalItems"] == operations
    assert _instances(admin, [key])[key]["processDefinitionVersion"] == 1
