"""Operate in headless Chromium against a real broker: the pages read only /v2, the DOM is asserted."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
from _ui_rest import Rest
from playwright.sync_api import expect


def test_root_leads_to_operate_and_routes_fall_back_to_the_app(base_url: str) -> None:
    root = httpx.get(base_url + "/", follow_redirects=False)
    assert root.status_code in (302, 307) and root.headers["location"] == "/operate/"
    for path in ("/operate/", "/operate/instances/123", "/tasklist/", "/tasklist/456"):
        response = httpx.get(base_url + path)
        assert response.status_code == 200 and 'id="app"' in response.text, path
        assert response.headers["cache-control"] == "no-cache"
    assert httpx.get(base_url + "/operate/assets/missing.js").status_code == 404


def test_instance_list_shows_a_created_instance(page: Any, rest: Rest) -> None:
    key = rest.create("ui_order", {"orderId": "list-1"})
    page.goto("/operate/processes?process=ui_order&state=running")
    row = page.locator(f'#instances tr[data-key="{key}"]')
    expect(row).to_be_visible()
    expect(row.locator(".badge")).to_have_attribute("data-state", "ACTIVE")
    row.locator("a.instance-link").click()
    expect(page).to_have_url(f"/operate/instances/{key}")
    expect(page.locator("#instance-key")).to_have_text(key)


def test_process_diagram_has_badges_and_filters_instances_by_element(page: Any, rest: Rest) -> None:
    waiting = rest.create("ui_order", {"orderId": "badges-1"})
    reviewing = rest.create("ui_review", {"orderId": "badges-2"})
    rest.wait_for("element-instances", {"processInstanceKey": waiting, "elementId": "charge"})
    rest.wait_for("element-instances", {"processInstanceKey": reviewing, "elementId": "approve"})
    page.goto("/operate/processes?process=ui_order&state=all")
    expect(page.locator("#definition-diagram")).to_have_attribute("data-marked", "true")
    active = page.locator('#definition-diagram .strom-token-active[data-element-id="charge"]')
    assert int(active.inner_text()) >= 1
    completed = page.locator('#definition-diagram .strom-token-completed[data-element-id="placed"]')
    expect(completed).to_be_visible()
    page.locator('#definition-diagram g.djs-element[data-element-id="charge"]').click()
    expect(page).to_have_url(re.compile(r"element=charge"))
    expect(page.locator(f'#instances tr[data-key="{waiting}"]')).to_be_visible()
    expect(page.locator(f'#instances tr[data-key="{reviewing}"]')).to_have_count(0)


def test_filters_by_variable_and_incident_message(page: Any, rest: Rest) -> None:
    first = rest.create("ui_order", {"orderId": "filter-a"})
    second = rest.create("ui_order", {"orderId": "filter-b"})
    rest.wait_for("variables", {"processInstanceKey": second, "name": "orderId"})
    page.goto("/operate/processes?state=all")
    filters = page.locator("#filters")
    filters.locator('input[name="variable"]').fill("orderId")
    filters.locator('input[name="variable"]').press("Enter")
    filters.locator('input[name="value"]').fill('"filter-a"')
    filters.locator('input[name="value"]').press("Enter")
    expect(page).to_have_url(re.compile(r"value=%22filter-a%22"))
    expect(page.locator(f'#instances tr[data-key="{first}"]')).to_be_visible()
    expect(page.locator(f'#instances tr[data-key="{second}"]')).to_have_count(0)
    page.goto("/operate/processes?state=all&error=no+such+failure")
    expect(page.locator("#instances .empty")).to_have_text("No instance matches these filters.")


def test_dashboard_counts_instances_and_groups_incidents(page: Any, rest: Rest) -> None:
    key = rest.create("ui_order", {"orderId": "dashboard-1"})
    job = rest.activate("ui-charge", key)
    rest.call("POST", f"/jobs/{job['jobKey']}/failure", {"retries": 0, "errorMessage": "gateway timeout"})
    rest.wait_for("incidents", {"processInstanceKey": key, "state": "ACTIVE"})
    page.goto("/")
    expect(page).to_have_url("/operate/")
    running = page.locator('#process-overview tr[data-process="ui_order"] td.running')
    expect(running).not_to_have_text("0")
    expect(page.locator('#process-overview tr[data-process="ui_order"] td.incidents')).not_to_have_text("0")
    assert int(page.locator("#running-count").inner_text()) >= 1
    group = page.locator("#incidents-by-message tr.incident-group", has_text="gateway timeout")
    expect(group.locator("td.number")).to_have_text("1")
    expect(page.locator(f'#recent-activity tr.activity[data-key="{key}"]')).to_be_visible()
    group.get_by_role("link").click()
    expect(page.locator(f'#instances tr[data-key="{key}"]')).to_be_visible()
    expect(page.locator("#instances tbody tr")).to_have_count(1)


def test_batch_cancel_of_selected_instances(page: Any, rest: Rest, eventually: Callable[..., None]) -> None:
    keys = [rest.create("ui_order", {"batch": "b1"}) for _ in range(2)]
    for key in keys:
        rest.wait_for("variables", {"processInstanceKey": key, "name": "batch"})
    page.goto('/operate/processes?process=ui_order&state=running&variable=batch&value="b1"')
    expect(page.locator("#instances tbody tr")).to_have_count(2)
    expect(page.locator("#batch-cancel")).to_be_disabled()
    page.locator("#instances input.select-all").check()
    expect(page.locator("#instances .batch")).to_contain_text("2 selected")
    page.locator("#batch-cancel").click()
    expect(page.locator(".message-notice", has_text="Canceled 2 of 2")).to_be_visible()
    expect(page.locator("#instances .empty")).to_be_visible()
    for key in keys:
        eventually(
            lambda key=key: rest.call("GET", f"/process-instances/{key}")["state"] == "TERMINATED", key
        )


def test_instance_page_shows_the_diagram_with_its_tokens(page: Any, rest: Rest) -> None:
    key = rest.create("ui_order", {"orderId": "tokens-1", "amount": 42})
    rest.wait_for("element-instances", {"processInstanceKey": key, "elementId": "charge"})
    page.goto(f"/operate/instances/{key}")
    expect(_element(page, "charge")).to_have_class(_has("strom-active"))
    expect(page.locator('.strom-token-active[data-element-id="charge"]')).to_have_text("1")
    expect(_element(page, "to_charge")).to_have_class(_has("strom-taken"))
    expect(_element(page, "to_done")).not_to_have_class(_has("strom-taken"))
    expect(_element(page, "placed")).to_have_class(_has("strom-completed"))
    expect(page.locator("#diagram .bjs-powered-by")).to_be_visible()  # bpmn.io's watermark stays
    expect(_state(page)).to_have_attribute("data-state", "ACTIVE")
    expect(page.locator('#variables tr[data-name="amount"] td.value')).to_have_text("42")
    expect(page.locator('#history tr[data-element-id="charge"]')).to_have_attribute("data-state", "ACTIVE")


def test_variables_are_edited_and_added(page: Any, rest: Rest, eventually: Callable[..., None]) -> None:
    key = rest.create("ui_order", {"orderId": "vars-1", "amount": 42})
    rest.wait_for("variables", {"processInstanceKey": key, "name": "amount"})
    page.goto(f"/operate/instances/{key}")
    row = page.locator('#variables tr[data-name="amount"]')
    row.locator("button.edit-variable").click()
    row.locator("textarea.variable-editor").fill("43")
    row.locator("button.save-variable").click()
    expect(row.locator("td.value")).to_have_text("43")
    page.locator('#variables input[name="variable-name"]').fill("note")
    page.locator('#variables input[name="variable-value"]').fill("not json")
    page.locator("#add-variable").click()
    expect(page.locator(".message-error", has_text="Not a JSON value")).to_be_visible()
    page.locator('#variables input[name="variable-value"]').fill('{"text": "call back"}')
    page.locator("#add-variable").click()
    expect(page.locator('#variables tr[data-name="note"] td.value')).to_have_text('{"text":"call back"}')

    def value(name: str) -> str:
        items = rest.call("POST", "/variables/search", {"filter": {"processInstanceKey": key, "name": name}})
        return str(items["items"][0]["value"]) if items["items"] else ""

    eventually(lambda: value("amount") == "43", "amount set to 43")


def test_retry_resolves_an_incident_and_the_instance_moves_on(page: Any, rest: Rest) -> None:
    key = rest.create("ui_order", {"orderId": "incident-1"})
    job = rest.activate("ui-charge", key)
    rest.call("POST", f"/jobs/{job['jobKey']}/failure", {"retries": 0, "errorMessage": "card declined"})
    rest.wait_for("incidents", {"processInstanceKey": key, "state": "ACTIVE"})

    page.goto(f"/operate/instances/{key}")
    incident = page.locator("#incidents tr.incident")
    expect(incident.locator(".incident-message")).to_have_text("card declined")
    expect(_element(page, "charge")).to_have_class(_has("strom-incident"))
    expect(_state(page)).to_have_attribute("data-state", "INCIDENT")
    incident.locator("button.retry").click()
    expect(page.locator(".message-notice", has_text="resolved")).to_be_visible()
    expect(incident).to_have_count(0)
    expect(_element(page, "charge")).to_have_class(_has("strom-active"))

    job = rest.activate("ui-charge", key)
    rest.call("POST", f"/jobs/{job['jobKey']}/completion", {"variables": {"charged": True}})
    expect(_state(page)).to_have_attribute("data-state", "COMPLETED")
    expect(_element(page, "done")).to_have_class(_has("strom-completed"))
    expect(_element(page, "to_done")).to_have_class(_has("strom-taken"))


def test_modify_adds_and_moves_tokens(page: Any, rest: Rest) -> None:
    key = rest.create("ui_order", {"orderId": "modify-1"})
    rest.wait_for("element-instances", {"processInstanceKey": key, "elementId": "charge"})
    page.goto(f"/operate/instances/{key}")
    page.locator("#add-token").click()
    page.locator("#instance-actions select.token-target").select_option("charge")
    page.locator("#instance-actions button.confirm-token").click()
    expect(page.locator('.strom-token-active[data-element-id="charge"]')).to_have_text("2")

    first = page.locator('#history tr.element-instance[data-element-id="charge"]').first
    first.locator("button.move-token").click()
    first.locator("select.token-target").select_option("done")
    first.locator("button.confirm-token").click()
    expect(page.locator(".message-notice", has_text="moved")).to_be_visible()
    expect(page.locator('.strom-token-active[data-element-id="charge"]')).to_have_text("1")
    expect(
        page.locator('#history tr.element-instance[data-element-id="charge"][data-state="TERMINATED"]')
    ).to_be_visible()
    expect(_element(page, "done")).to_have_class(_has("strom-completed"))
    expect(_state(page)).to_have_attribute("data-state", "ACTIVE")


def test_called_instances_and_the_call_hierarchy_link_both_ways(page: Any, rest: Rest) -> None:
    parent = rest.create("ui_parent", {"orderId": "called-1"})
    child = rest.wait_for("process-instances", {"parentProcessInstanceKey": parent})["processInstanceKey"]
    page.goto(f"/operate/instances/{parent}")
    page.locator(f'#instance-header a.called-instance:text-is("{child}")').click()
    expect(page).to_have_url(f"/operate/instances/{child}")
    expect(page.locator('#instance-header [data-fact="parent-instance"]')).to_contain_text(parent)
    hierarchy = page.locator("#call-hierarchy")
    expect(hierarchy).to_contain_text("Parent")
    hierarchy.get_by_role("link", name="Parent").click()
    expect(page).to_have_url(f"/operate/instances/{parent}")


def test_cancel_terminates_the_instance(page: Any, rest: Rest) -> None:
    key = rest.create("ui_order", {"orderId": "cancel-1"})
    rest.wait_for("process-instances", {"processInstanceKey": key})
    page.goto(f"/operate/instances/{key}")
    page.locator("#cancel-instance").click()
    page.locator("#confirm-cancel").click()
    expect(_state(page)).to_have_attribute("data-state", "TERMINATED")
    expect(page.locator("#cancel-instance")).to_have_count(0)
    assert rest.call("GET", f"/process-instances/{key}")["state"] == "TERMINATED"


def test_decision_evaluations_show_inputs_matched_rules_and_result(page: Any, rest: Rest) -> None:
    rest.call(
        "POST",
        "/decision-definitions/evaluation",
        {"decisionDefinitionId": "ui_dish", "variables": {"season": "Winter"}},
    )
    evaluated = rest.wait_for("decision-instances", {"decisionDefinitionId": "ui_dish"})
    page.goto("/operate/decisions?decision=ui_dish")
    row = page.locator(f'#decision-instances tr[data-key="{evaluated["decisionEvaluationInstanceKey"]}"]')
    expect(row).to_contain_text("Dish")
    row.locator("a.decision-link").click()
    expect(page.locator("#decision-inputs tr.decision-input")).to_contain_text("Winter")
    expect(page.locator('#decision-rules tr.matched-rule[data-rule-id="winter"]')).to_contain_text(
        "Roastbeef"
    )
    expect(page.locator("#decision-result pre")).to_contain_text("Roastbeef")


def test_problem_details_reach_the_user(page: Any, rest: Rest) -> None:
    page.goto("/operate/instances/12345")
    expect(page.locator(".message-error")).to_contain_text("not found")


def test_a_process_without_layout_is_laid_out(page: Any, rest: Rest) -> None:
    key = rest.create("ui_review")
    rest.wait_for("element-instances", {"processInstanceKey": key, "elementId": "approve"})
    page.goto(f"/operate/instances/{key}")
    expect(page.locator("#diagram")).to_have_attribute("data-layout", "automatic")
    expect(_element(page, "approve")).to_have_class(_has("strom-active"))


def _element(page: Any, element_id: str) -> Any:
    """The diagram's SVG group of a BPMN element."""
    return page.locator(f'#diagram g.djs-element[data-element-id="{element_id}"]')


def _has(marker: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){marker}(\s|$)")


def _state(page: Any) -> Any:
    """The state badge in the instance header (its data-state: ACTIVE, INCIDENT, COMPLETED, ...)."""
    return page.locator('#instance-header [data-fact="state"] .badge')
