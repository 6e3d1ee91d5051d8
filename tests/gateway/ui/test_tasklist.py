"""Tasklist in headless Chromium against a real broker: claim a user task, complete it, and the
process moves on."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from _ui_rest import Rest
from playwright.sync_api import expect


def test_assign_to_me_and_complete_moves_the_process_on(
    page: Any, rest: Rest, eventually: Callable[..., None]
) -> None:
    instance = rest.create("ui_review", {"orderId": "review-1", "total": 99})
    task = rest.wait_for("user-tasks", {"processInstanceKey": instance, "state": "CREATED"})
    key = task["userTaskKey"]

    page.goto("/tasklist/")
    row = page.locator(f'#tasks tr.task[data-key="{key}"]')
    expect(row.locator(".task-link")).to_have_text("Approve order")
    row.locator(".task-link").click()
    expect(page).to_have_url(f"/tasklist/{key}")
    expect(page.locator("#task-name")).to_have_text("Approve order")
    expect(page.locator('#task-work tr.variable[data-name="total"] td.value')).to_have_text("99")
    expect(page.locator("#complete")).to_be_disabled()

    page.locator("#assign").click()
    expect(page.locator("#assignee")).to_have_text("anonymous")
    expect(page.locator("#unassign")).to_be_visible()
    page.locator("#variables-editor").fill(json.dumps({"approved": True, "comment": "fine"}))
    page.locator("#complete").click()
    expect(page).to_have_url("/tasklist/")
    expect(page.locator(".message-notice", has_text="completed")).to_be_visible()
    expect(page.locator(f'#tasks tr.task[data-key="{key}"]')).to_have_count(0)

    eventually(
        lambda: rest.call("GET", f"/process-instances/{instance}")["state"] == "COMPLETED",
        "the process instance completing",
    )
    approved = rest.wait_for("variables", {"processInstanceKey": instance, "name": "approved"})
    assert approved["value"] == "true"


def test_unassign_and_bad_variables_are_refused_in_the_page(page: Any, rest: Rest) -> None:
    instance = rest.create("ui_review", {"orderId": "review-2"})
    task = rest.wait_for("user-tasks", {"processInstanceKey": instance, "state": "CREATED"})
    key = task["userTaskKey"]
    page.goto(f"/tasklist/{key}")
    page.locator("#assign").click()
    expect(page.locator("#assignee")).to_have_text("anonymous")
    page.locator("#variables-editor").fill("[1, 2]")
    page.locator("#complete").click()
    expect(page.locator(".message-error")).to_contain_text("JSON object")
    page.locator("#unassign").click()
    expect(page.locator("#assignee")).to_have_text("unassigned")
    expect(page.locator("#complete")).to_be_disabled()
    assert rest.call("GET", f"/user-tasks/{key}")["state"] == "CREATED"


def test_a_linked_form_is_rendered_filled_checked_and_completes_the_task(
    page: Any, rest: Rest, eventually: Callable[..., None]
) -> None:
    instance = rest.create("ui_decision", {"total": 99})
    task = rest.wait_for("user-tasks", {"processInstanceKey": instance, "state": "CREATED"})
    page.goto(f"/tasklist/{task['userTaskKey']}")
    form = page.locator("#task-form")
    expect(form.get_by_label("Total")).to_have_value("99")  # filled from the instance's variables
    expect(form.locator(".fjs-powered-by")).to_be_visible()  # bpmn.io's watermark stays
    page.locator("#assign").click()
    expect(page.locator("#complete")).to_be_enabled()
    form.get_by_label("Approve the order").check()
    page.locator("#complete").click()  # the required comment is missing
    expect(page.locator(".message-error")).to_contain_text("need attention")
    assert rest.call("GET", f"/process-instances/{instance}")["state"] == "ACTIVE"

    form.get_by_label("Comment").fill("ship it")
    page.locator("#complete").click()
    expect(page).to_have_url("/tasklist/")
    eventually(
        lambda: rest.call("GET", f"/process-instances/{instance}")["state"] == "COMPLETED",
        "the process instance completing",
    )
    comment = rest.wait_for("variables", {"processInstanceKey": instance, "name": "comment"})
    approved = rest.wait_for("variables", {"processInstanceKey": instance, "name": "approved"})
    assert (comment["value"], approved["value"]) == ('"ship it"', "true")


def test_start_a_process_with_its_start_form(page: Any, rest: Rest) -> None:
    page.goto("/tasklist/processes")
    page.locator('#processes tr.process[data-process="ui_started"] .start-link').click()
    form = page.locator("#start-form")
    form.get_by_label("Customer").fill("ACME")
    page.locator("#start-instance").click()
    link = page.locator(".message-notice .started-instance")
    expect(link).to_be_visible()
    instance = link.inner_text()
    customer = rest.wait_for("variables", {"processInstanceKey": instance, "name": "customer"})
    assert customer["value"] == '"ACME"'
    expect(page.locator('#tasks tr.task[data-element-id="follow_up"]')).not_to_have_count(0)


def test_start_a_process_without_a_form_with_variables(page: Any, rest: Rest) -> None:
    page.goto("/tasklist/processes")
    page.locator('#processes tr.process[data-process="ui_review"] .start-link').click()
    page.locator("#variables-editor").fill('{"orderId": "started-by-hand"}')
    page.locator("#start-instance").click()
    instance = page.locator(".message-notice .started-instance").inner_text()
    variable = rest.wait_for("variables", {"processInstanceKey": instance, "name": "orderId"})
    assert variable["value"] == '"started-by-hand"'


def test_filter_tasks_by_candidate_group(page: Any, rest: Rest) -> None:
    sales = rest.create("ui_sales")
    review = rest.create("ui_review")
    sales_task = rest.wait_for("user-tasks", {"processInstanceKey": sales, "state": "CREATED"})
    review_task = rest.wait_for("user-tasks", {"processInstanceKey": review, "state": "CREATED"})
    page.goto("/tasklist/")
    group = page.locator('#task-filters input[name="group"]')
    group.fill("sales")
    group.press("Enter")
    expect(page).to_have_url(re.compile(r"group=sales"))
    expect(page.locator(f'#tasks tr.task[data-key="{sales_task["userTaskKey"]}"]')).to_be_visible()
    expect(page.locator(f'#tasks tr.task[data-key="{review_task["userTaskKey"]}"]')).to_have_count(0)
