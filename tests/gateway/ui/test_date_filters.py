"""Operate's instance list filtered by start and end date (the issue's "start/end date"): started
after / before and ended after / before narrow the list through the search's date filters — in
headless Chromium against a real broker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from _ui_rest import Rest
from playwright.sync_api import expect

from strom.testing import bpmn

DATED = (
    bpmn.process("ui_dated", "Dated")
    .start_event()
    .service_task("work", job_type="ui-dated")
    .end_event()
    .to_xml()
)


@pytest.fixture(scope="module")
def dated_rest(rest: Rest) -> Rest:
    files = [("resources", ("ui_dated.bpmn", DATED.encode(), "application/xml"))]
    response = rest.client.post("/deployments", files=files)
    assert response.status_code == 200, response.text
    return rest


def _local(moment: datetime) -> str:
    """A datetime-local input's value for ``moment`` (the browser's time zone is the machine's)."""
    return moment.astimezone().strftime("%Y-%m-%dT%H:%M:%S")


def test_the_list_filters_by_start_and_end_date(
    page: Any, dated_rest: Rest, eventually: Callable[..., None]
) -> None:
    finished = dated_rest.create("ui_dated")
    job = dated_rest.activate("ui-dated", finished)
    dated_rest.call("POST", f"/jobs/{job['jobKey']}/completion", {})
    running = dated_rest.create("ui_dated")
    eventually(
        lambda: (
            {
                item["processInstanceKey"]: item["state"]
                for item in dated_rest.call(
                    "POST", "/process-instances/search", {"filter": {"processDefinitionId": "ui_dated"}}
                )["items"]
            }
            == {finished: "COMPLETED", running: "ACTIVE"}
        ),
        "both instances exported",
    )
    hour_ago, in_an_hour = datetime.now() - timedelta(hours=1), datetime.now() + timedelta(hours=1)

    page.goto("/operate/processes?process=ui_dated&state=all")
    expect(page.locator("#instance-total")).to_have_text("2 matching")
    page.locator('input[name="endedAfter"]').fill(_local(hour_ago))
    page.locator('input[name="endedAfter"]').dispatch_event("change")
    expect(page.locator("#instance-total")).to_have_text("1 matching")
    expect(page.locator(f'#instances tr[data-key="{finished}"]')).to_have_count(1)

    page.goto(f"/operate/processes?process=ui_dated&state=all&endedBefore={_local(hour_ago)}")
    expect(page.locator("#instance-total")).to_have_text("0 matching")
    page.goto(
        f"/operate/processes?process=ui_dated&state=all&after={_local(hour_ago)}&before={_local(in_an_hour)}"
    )
    expect(page.locator("#instance-total")).to_have_text("2 matching")
    page.goto(f"/operate/processes?process=ui_dated&state=all&after={_local(in_an_hour)}")
    expect(page.locator("#instance-total")).to_have_text("0 matching")
