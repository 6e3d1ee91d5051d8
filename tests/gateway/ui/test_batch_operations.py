"""Operate's batch operations over a filter: "Cancel all N" and "Resolve incidents of all N" on the
process instance list start one batch operation in the broker (Camunda 8.8's endpoints), and the
batch operations view follows it to its end with its items — in headless Chromium against a real
broker (multi-tenancy off: no Tenant column anywhere)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from _ui_rest import Rest
from playwright.sync_api import expect

from strom.testing import bpmn

WAITING = (
    bpmn.process("ui_batch", "Batch me")
    .start_event()
    .service_task("wait", job_type="ui-batch-nobody")
    .end_event()
    .to_xml()
)
BYSTANDER = (
    bpmn.process("ui_bystander", "Left alone")
    .start_event()
    .service_task("wait", job_type="ui-batch-nobody")
    .end_event()
    .to_xml()
)
MANY = (
    bpmn.process("ui_many", "Many")
    .start_event()
    .service_task("wait", job_type="ui-batch-nobody")
    .end_event()
    .to_xml()
)
MANY_INSTANCES = 250
"""Enough that a batch operation suspended right after it was created has not run yet (its items
are resolved 100 at a time before the first is executed)."""
FAILING = (
    bpmn.process("ui_failing", "Fails")
    .start_event()
    .service_task("charge", job_type="ui-batch-charge")
    .end_event()
    .to_xml()
)


@pytest.fixture(scope="module")
def batch_rest(rest: Rest) -> Rest:
    files = [
        ("resources", (f"{name}.bpmn", xml.encode(), "application/xml"))
        for name, xml in (
            ("ui_batch", WAITING),
            ("ui_bystander", BYSTANDER),
            ("ui_failing", FAILING),
            ("ui_many", MANY),
        )
    ]
    response = rest.client.post("/deployments", files=files)
    assert response.status_code == 200, response.text
    return rest


def _states(rest: Rest, keys: list[str]) -> dict[str, str]:
    found = rest.call("POST", "/process-instances/search", {"filter": {"processInstanceKey": {"$in": keys}}})
    return {item["processInstanceKey"]: item["state"] for item in found["items"]}


def test_cancel_all_matching_the_filter_runs_one_batch_operation(
    page: Any, batch_rest: Rest, eventually: Callable[..., None]
) -> None:
    keys = [batch_rest.create("ui_batch", {"n": n}) for n in range(5)]
    bystander = batch_rest.create("ui_bystander")
    eventually(lambda: len(_states(batch_rest, [*keys, bystander])) == 6, "the instances exported")

    page.goto("/operate/processes?process=ui_batch&state=running")
    expect(page.locator("#instance-total")).to_have_text("5 matching")
    expect(page.locator('#instances th[data-field="tenantId"]')).to_have_count(0)  # multi-tenancy off
    page.locator("#batch-cancel-all").click()
    expect(page.locator("#filter-batch .confirm-text")).to_contain_text("all 5 instances matching the filter")
    page.locator("#batch-confirm").click()

    expect(page).to_have_url(re.compile(r"/operate/batch-operations/\d+$"))
    expect(page.locator("#batch-type")).to_have_attribute("data-type", "CANCEL_PROCESS_INSTANCE")
    expect(page.locator("#batch-state .badge")).to_have_attribute("data-state", "COMPLETED")
    expect(page.locator('#batch-items tr.batch-item[data-state="COMPLETED"]')).to_have_count(5)
    expect(page.locator("#batch-header .batch-progress")).to_have_attribute("data-completed", "5")
    expect(page.locator("#batch-header .batch-progress")).to_have_attribute("data-failed", "0")
    shown = page.locator("#batch-items tr.batch-item").evaluate_all(
        "rows => rows.map(r => r.dataset.instance)"
    )
    assert sorted(shown) == sorted(keys)
    expect(page.locator("#batch-actions button")).to_have_count(0)  # nothing to do with a finished one
    batch_key = page.locator("#batch-key").inner_text()
    states = _states(batch_rest, [*keys, bystander])
    assert {states[key] for key in keys} == {"TERMINATED"}
    assert states[bystander] == "ACTIVE"

    page.locator('a[data-nav="batch-operations"]').click()
    row = page.locator(f'#batch-operations tr.batch-operation[data-key="{batch_key}"]')
    expect(row).to_have_attribute("data-state", "COMPLETED")
    expect(row.locator(".batch-progress")).to_have_attribute("data-total", "5")
    row.locator("a.batch-link").click()
    page.locator(f'#batch-items tr.batch-item[data-instance="{keys[0]}"] a.instance-link').click()
    expect(page).to_have_url(f"/operate/instances/{keys[0]}")
    expect(page.locator("#instance-header [data-state]").first).to_have_attribute("data-state", "TERMINATED")
    page.go_back()
    expect(page.locator('#batch-items tr.batch-item[data-state="COMPLETED"]')).to_have_count(5)


def test_resolve_incidents_of_all_matching_the_filter(
    page: Any, batch_rest: Rest, eventually: Callable[..., None]
) -> None:
    keys = [batch_rest.create("ui_failing") for _ in range(2)]
    for key in keys:
        job = batch_rest.activate("ui-batch-charge", key)
        batch_rest.call(
            "POST", f"/jobs/{job['jobKey']}/failure", {"retries": 0, "errorMessage": "card declined"}
        )
    eventually(
        lambda: (
            batch_rest.call(
                "POST",
                "/incidents/search",
                {"filter": {"processInstanceKey": {"$in": keys}, "state": "ACTIVE"}},
            )["page"]["totalItems"]
            == 2
        ),
        "two incidents exported",
    )

    page.goto("/operate/processes?process=ui_failing&state=incidents")
    expect(page.locator("#instance-total")).to_have_text("2 matching")
    page.locator("#batch-resolve-all").click()
    page.locator("#batch-confirm").click()

    expect(page.locator("#batch-type")).to_have_attribute("data-type", "RESOLVE_INCIDENT")
    expect(page.locator("#batch-state .badge")).to_have_attribute("data-state", "COMPLETED")
    expect(page.locator('#batch-items tr.batch-item[data-state="COMPLETED"]')).to_have_count(2)
    open_incidents = batch_rest.call(
        "POST", "/incidents/search", {"filter": {"processInstanceKey": {"$in": keys}, "state": "ACTIVE"}}
    )
    assert open_incidents["page"]["totalItems"] == 0
    for key in keys:  # the job got a retry back: a worker gets it again
        assert batch_rest.activate("ui-batch-charge", key)["processInstanceKey"] == key

    page.locator('a[data-nav="batch-operations"]').click()
    page.locator('select[name="state"]').select_option("FAILED")
    expect(page.locator("#batch-operations p.empty")).to_have_text(
        "No batch operation matches these filters."
    )
    page.locator('select[name="state"]').select_option("")
    first = page.locator("#batch-operations tr.batch-operation").first  # newest first: this one
    expect(first).to_have_attribute("data-type", "RESOLVE_INCIDENT")
    expect(first).to_have_attribute("data-state", "COMPLETED")
    expect(first.locator(".batch-progress")).to_have_attribute("data-completed", "2")
    page.locator('select[name="type"]').select_option("RESOLVE_INCIDENT")
    expect(page).to_have_url(re.compile(r"type=RESOLVE_INCIDENT"))
    expect(
        page.locator('#batch-operations tr.batch-operation[data-type="CANCEL_PROCESS_INSTANCE"]')
    ).to_have_count(0)
    expect(page.locator("#batch-operations tr.batch-operation")).not_to_have_count(0)


def test_the_batch_asks_first_and_is_offered_only_where_all_n_are_active(
    page: Any, batch_rest: Rest, eventually: Callable[..., None]
) -> None:
    page.goto("/operate/processes?process=ui_batch&state=completed")
    expect(page.locator("#filter-batch")).to_contain_text("Show running instances")
    expect(page.locator("#batch-cancel-all")).to_have_count(0)
    page.goto("/operate/processes?process=no_such_process&state=running")
    expect(page.locator("#instance-total")).to_have_text("0 matching")
    expect(page.locator("#batch-cancel-all")).to_be_disabled()

    operations = batch_rest.call("POST", "/batch-operations/search", {})["page"]["totalItems"]
    running = _running(batch_rest, "ui_bystander")  # an earlier test left one
    bystanders = [batch_rest.create("ui_bystander") for _ in range(2)]
    count = running + len(bystanders)
    # The page counts what secondary storage holds: wait until both are exported, or it may count
    # one of them and the button, a moment later, both.
    eventually(lambda: _running(batch_rest, "ui_bystander") == count, "the bystanders exported")
    page.goto("/operate/processes?process=ui_bystander&state=running")
    expect(page.locator("#instance-total")).to_have_text(f"{count} matching")
    page.locator("#batch-cancel-all").click()
    page.locator("#batch-dismiss").click()  # "No": nothing is sent
    expect(page.locator("#batch-cancel-all")).to_have_text(f"Cancel all {count}")
    page.locator("#batch-cancel-all").click()  # asked again: left open for the screenshot
    expect(page.locator("#filter-batch .confirm-text")).to_contain_text(
        f"all {count} instances matching the filter"
    )
    assert batch_rest.call("POST", "/batch-operations/search", {})["page"]["totalItems"] == operations
    states = _states(batch_rest, bystanders)
    assert set(states.values()) == {"ACTIVE"}


def _running(rest: Rest, process_id: str) -> int:
    found = rest.call(
        "POST",
        "/process-instances/search",
        {"filter": {"processDefinitionId": process_id, "state": "ACTIVE"}, "page": {"limit": 0}},
    )
    return int(found["page"]["totalItems"])


def test_a_suspended_operation_is_canceled_or_resumed_from_the_pages(
    page: Any, batch_rest: Rest, eventually: Callable[..., None]
) -> None:
    for _ in range(MANY_INSTANCES):
        batch_rest.create("ui_many")
    eventually(lambda: _running(batch_rest, "ui_many") == MANY_INSTANCES, "the instances exported")

    def suspended() -> str:
        """A cancellation of every ui_many instance, suspended before it runs (the suspension
        arrives while the broker is still resolving the filter)."""
        body = {"filter": {"processDefinitionId": "ui_many", "state": "ACTIVE"}}
        key = str(batch_rest.call("POST", "/process-instances/cancellation", body)["batchOperationKey"])
        batch_rest.call("POST", f"/batch-operations/{key}/suspension")
        return key

    first = suspended()
    page.goto(f"/operate/batch-operations/{first}")
    expect(page.locator("#batch-state .badge")).to_have_attribute("data-state", "SUSPENDED")
    expect(page.locator("#batch-actions button.batch-suspension")).to_have_count(0)
    expect(page.locator("#batch-actions button.batch-resumption")).to_be_visible()
    page.locator("#batch-actions button.batch-cancellation").click()
    expect(page.locator("#batch-state .badge")).to_have_attribute("data-state", "CANCELED")
    expect(page.locator("#batch-actions button")).to_have_count(0)
    done = int(page.locator("#batch-header .batch-progress").get_attribute("data-completed") or "0")
    assert done < MANY_INSTANCES
    assert _running(batch_rest, "ui_many") == MANY_INSTANCES - done  # the rest was never canceled

    second = suspended()
    page.locator('a[data-nav="batch-operations"]').click()
    row = page.locator(f'#batch-operations tr.batch-operation[data-key="{second}"]')
    expect(row).to_have_attribute("data-state", "SUSPENDED")
    expect(row.locator("button.batch-suspension")).to_have_count(0)
    row.locator("button.batch-resumption").click()
    expect(row).to_have_attribute("data-state", "COMPLETED", timeout=30_000)
    expect(row.locator(".batch-progress")).to_have_attribute("data-completed", str(MANY_INSTANCES - done))
    expect(row.locator("button")).to_have_count(0)
    assert _running(batch_rest, "ui_many") == 0
