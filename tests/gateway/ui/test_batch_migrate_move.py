"""Operate's migration and modification batch operations over the instance list's filter: "Migrate
all N…" maps the chosen definition's elements to another version's and "Move all N…" moves the
tokens of one element to another, each one batch operation in the broker that the page then
follows — in headless Chromium against a real broker, checked over REST."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from _ui_rest import Rest
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
