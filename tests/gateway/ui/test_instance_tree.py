"""Operate's instance history tree in headless Chromium against a real broker: the process instance
at the root, an embedded subprocess with a service task and a multi-instance task inside, read
scope by scope; expanding, collapsing (mouse and keyboard), selection both ways with the diagram,
the selected scope's variables, an incident on the node and its ancestors, and paging of a
multi-instance body's inner instances."""

from __future__ import annotations

import re
from typing import Any

import pytest
from _ui_rest import Rest
from playwright.sync_api import expect

from strom.testing import bpmn

TREE = (
    bpmn.process("ui_tree", "Shipping")
    .start_event("received")
    .sub_process("handle", inputs={"region": '="north"'})
    .start_event("handle_start")
    .service_task("check", job_type="ui-tree-check")
    .service_task("ship", job_type="ui-tree-ship")
    .multi_instance("=items", "item")
    .end_event("handle_end")
    .end_sub_process()
    .end_event("shipped")
    .to_xml()
)


@pytest.fixture(scope="module")
def tree_rest(rest: Rest) -> Rest:
    files = [("resources", ("tree.bpmn", TREE.encode(), "application/xml"))]
    response = rest.client.post("/deployments", files=files)
    assert response.status_code == 200, response.text
    return rest


def _row(page: Any, element_id: str) -> Any:
    return page.locator(f'#history tr.element-instance[data-element-id="{element_id}"]')


def _inner(page: Any) -> Any:
    return page.locator('#history tr.element-instance[data-element-id="ship"][data-type="SERVICE_TASK"]')


def _shape(page: Any, element_id: str) -> Any:
    return page.locator(f'#diagram g.djs-element[data-element-id="{element_id}"]')


def _has(name: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){name}(\s|$)")


def _shipping(rest: Rest, items: list[int]) -> str:
    """An instance whose check is done: the multi-instance task waits with one job per item."""
    key = rest.create("ui_tree", {"items": items})
    job = rest.activate("ui-tree-check", key)
    rest.call("POST", f"/jobs/{job['jobKey']}/completion", {"variables": {"checked": True}})
    inner = {"processInstanceKey": key, "elementId": "ship", "type": "SERVICE_TASK"}
    rest.wait_for("element-instances", inner)
    return key


def test_the_tree_shows_scopes_and_expands_and_collapses(page: Any, tree_rest: Rest) -> None:
    key = tree_rest.create("ui_tree", {"items": [1, 2, 3]})
    tree_rest.wait_for("element-instances", {"processInstanceKey": key, "elementId": "check"})
    page.goto(f"/operate/instances/{key}")
    root = page.locator(f'#history tr.element-instance[data-key="{key}"]')
    expect(root).to_have_attribute("aria-level", "1")
    expect(root).to_have_attribute("aria-expanded", "true")
    handle = _row(page, "handle")
    expect(handle).to_have_attribute("aria-level", "2")
    expect(handle).to_have_attribute("aria-expanded", "false")
    expect(_row(page, "received")).to_have_attribute("data-state", "COMPLETED")
    expect(_row(page, "check")).to_have_count(0)  # read only when its scope is expanded

    handle.locator("button.tree-toggle").click()
    expect(handle).to_have_attribute("aria-expanded", "true")
    expect(_row(page, "check")).to_have_attribute("aria-level", "3")
    expect(_row(page, "check")).to_have_attribute("data-state", "ACTIVE")
    expect(_row(page, "check").locator(".state-icon")).to_have_attribute("data-state", "ACTIVE")
    expect(_row(page, "handle_start")).to_have_attribute("data-state", "COMPLETED")

    job = tree_rest.activate("ui-tree-check", key)
    tree_rest.call("POST", f"/jobs/{job['jobKey']}/completion", {"variables": {}})
    body = page.locator('#history tr.element-instance[data-type="MULTI_INSTANCE_BODY"]')
    expect(body).to_have_attribute("aria-level", "3")  # the polling page reads the new child
    expect(_row(page, "check")).to_have_attribute("data-state", "COMPLETED")
    expect(body.locator(".element-name")).to_have_text("ship (Multi Instance)")
    body.locator("button.tree-toggle").click()
    expect(_inner(page)).to_have_count(3)
    for index in range(3):
        expect(_inner(page).nth(index)).to_have_attribute("aria-level", "4")

    # the keyboard: Left collapses the body, Up moves to check, Left goes to the parent and collapses it
    body.focus()
    page.keyboard.press("ArrowLeft")
    expect(body).to_have_attribute("aria-expanded", "false")
    expect(_inner(page)).to_have_count(0)
    page.keyboard.press("ArrowRight")
    expect(_inner(page)).to_have_count(3)
    page.keyboard.press("ArrowRight")
    expect(_inner(page).first).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(body).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    expect(_row(page, "check")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(handle).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(handle).to_have_attribute("aria-expanded", "false")
    expect(_row(page, "check")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(handle).to_have_attribute("aria-selected", "true")
    expect(page.locator("#variables h2 .scope")).to_contain_text("handle")


def test_a_node_selects_its_element_and_shows_its_scopes_variables(page: Any, tree_rest: Rest) -> None:
    key = _shipping(tree_rest, [10, 20, 30])
    page.goto(f"/operate/instances/{key}")
    expect(page.locator('#variables tr[data-name="items"] td.value')).to_have_text("[10,20,30]")
    expect(page.locator('#variables tr[data-name="region"]')).to_have_count(0)  # the subprocess's own

    _row(page, "handle").locator("button.tree-toggle").click()
    _row(page, "handle").click()
    expect(_row(page, "handle")).to_have_attribute("aria-selected", "true")
    diagram_handle = _shape(page, "handle")
    expect(diagram_handle).to_have_class(_has("strom-selected"))
    expect(page.locator('#variables tr[data-name="region"] td.value')).to_have_text('"north"')
    expect(page.locator('#variables tr[data-name="items"]')).to_have_count(0)

    body = page.locator('#history tr.element-instance[data-type="MULTI_INSTANCE_BODY"]')
    body.locator("button.tree-toggle").click()
    _inner(page).nth(1).click()
    expect(_shape(page, "ship")).to_have_class(_has("strom-selected"))
    expect(page.locator("#diagram")).to_have_attribute("data-selected", "ship")  # handle no longer
    expect(page.locator('#variables tr[data-name="item"] td.value')).to_have_text("20")
    expect(page.locator('#variables tr[data-name="region"]')).to_have_count(0)

    # the diagram selects the node: check has one instance, ship four (the body and three inner);
    # ship's selection showed the collapsed subprocess's own plane, where check is drawn too
    expect(page.locator("#diagram .bjs-breadcrumbs")).to_contain_text("handle")
    _shape(page, "check").click()
    check = _row(page, "check")
    expect(check).to_have_attribute("aria-selected", "true")
    expect(_inner(page).nth(1)).to_have_attribute("aria-selected", "false")
    expect(_shape(page, "check")).to_have_class(_has("strom-selected"))
    expect(page.locator("#variables h2 .scope")).to_contain_text(check.get_attribute("data-key") or "?")
    _shape(page, "ship").click()
    expect(page.locator("#variables-several")).to_contain_text("4 instances of ship")
    expect(_row(page, "ship").and_(page.locator('[aria-selected="true"]'))).to_have_count(4)

    # a node read on demand: after a reload, the diagram's click expands the tree down to check
    page.reload()
    expect(_row(page, "handle")).to_be_visible()
    expect(_row(page, "check")).to_have_count(0)
    page.locator("#diagram .bjs-drilldown").click()  # into the collapsed subprocess
    _shape(page, "check").click()
    expect(_row(page, "check")).to_have_attribute("aria-selected", "true")
    expect(_row(page, "handle")).to_have_attribute("aria-expanded", "true")


def test_an_incident_marks_the_node_and_its_ancestors(page: Any, tree_rest: Rest) -> None:
    key = _shipping(tree_rest, [1, 2, 3])
    job = tree_rest.activate("ui-tree-ship", key)
    tree_rest.call("POST", f"/jobs/{job['jobKey']}/failure", {"retries": 0, "errorMessage": "no truck"})
    tree_rest.wait_for("incidents", {"processInstanceKey": key, "state": "ACTIVE"})
    page.goto(f"/operate/instances/{key}")
    handle = _row(page, "handle")
    expect(page.locator(f'#history tr.element-instance[data-key="{key}"] .state-icon')).to_have_attribute(
        "data-state", "INCIDENT"
    )
    expect(handle.locator(".state-icon")).to_have_attribute("data-state", "INCIDENT")
    handle.locator("button.tree-toggle").click()
    body = page.locator('#history tr.element-instance[data-type="MULTI_INSTANCE_BODY"]')
    expect(body.locator(".state-icon")).to_have_attribute("data-state", "INCIDENT")
    expect(_row(page, "check").locator(".state-icon")).to_have_attribute("data-state", "COMPLETED")
    body.locator("button.tree-toggle").click()
    failed = page.locator(f'#history tr.element-instance[data-key="{job["elementInstanceKey"]}"]')
    expect(failed.locator(".state-icon")).to_have_attribute("data-state", "INCIDENT")
    expect(_inner(page).locator('.state-icon[data-state="ACTIVE"]')).to_have_count(2)


def test_a_body_with_many_inner_instances_loads_a_page_at_a_time(page: Any, tree_rest: Rest) -> None:
    key = _shipping(tree_rest, list(range(120)))
    tree_rest.wait_for("variables", {"processInstanceKey": key, "name": "item", "value": "119"})
    page.goto(f"/operate/instances/{key}")
    _row(page, "handle").locator("button.tree-toggle").click()
    body = page.locator('#history tr.element-instance[data-type="MULTI_INSTANCE_BODY"]')
    body.locator("button.tree-toggle").click()
    expect(_inner(page)).to_have_count(50)
    more = page.locator("#history button.load-more")
    expect(more).to_contain_text("50 of 120 shown")
    more.click()
    expect(_inner(page)).to_have_count(100)
    more.click()
    expect(_inner(page)).to_have_count(120)
    expect(more).to_have_count(0)
    _inner(page).last.click()
    expect(page.locator('#variables tr[data-name="item"] td.value')).to_have_text("119")


AD_HOC = (
    bpmn.process("ui_ad_hoc", "Tools")
    .start_event("asked")
    .flow_id("to_tools")
    .ad_hoc_sub_process("tools", active_elements_collection='=["lookup"]')
    .named("Tools")
    .service_task("lookup", job_type="ui-tree-lookup")
    .named("Look up")
    .end_sub_process()
    .flow_id("to_answered")
    .end_event("answered")
    .to_xml()
)


def test_an_ad_hoc_subprocess_shows_its_inner_instances(page: Any, tree_rest: Rest) -> None:
    files = [("resources", ("ad_hoc.bpmn", AD_HOC.encode(), "application/xml"))]
    response = tree_rest.client.post("/deployments", files=files)
    assert response.status_code == 200, response.text
    key = tree_rest.create("ui_ad_hoc", {})
    lookup = tree_rest.wait_for("element-instances", {"processInstanceKey": key, "elementId": "lookup"})
    page.goto(f"/operate/instances/{key}")
    tools = _row(page, "tools")
    expect(tools).to_have_attribute("data-type", "AD_HOC_SUB_PROCESS")
    tools.locator("button.tree-toggle").click()
    inner = page.locator('#history tr.element-instance[data-type="AD_HOC_SUB_PROCESS_INNER_INSTANCE"]')
    expect(inner).to_have_attribute("aria-level", "3")
    expect(inner.locator(".element-name")).to_have_text("Inner instance")
    inner.focus()
    page.keyboard.press("ArrowRight")
    expect(_row(page, "lookup")).to_have_attribute("aria-level", "4")
    expect(_row(page, "lookup")).to_have_attribute("data-state", "ACTIVE")

    # from the diagram, after a reload: the path to lookup goes through the inner instance
    page.reload()
    expect(_row(page, "tools")).to_have_attribute("aria-expanded", "false")
    page.locator("#diagram .bjs-drilldown").click()
    _shape(page, "lookup").click()
    expect(_row(page, "lookup")).to_have_attribute("aria-selected", "true")
    expect(_row(page, "lookup")).to_have_attribute("data-key", lookup["elementInstanceKey"])
