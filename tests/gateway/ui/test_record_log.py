"""Operate's record log explorer in headless Chromium: the records of an instance from its
partition's log, "why?" links back to the records that caused them, and the diagram's tokens as
they were after a chosen record."""

from __future__ import annotations

import re
from typing import Any

from _ui_rest import Rest
from playwright.sync_api import expect


def _paid_order(rest: Rest, order: str) -> str:
    """An ui_order instance whose job was completed: it ran to its end."""
    key = rest.create("ui_order", {"orderId": order})
    job = rest.activate("ui-charge", key)
    rest.call("POST", f"/jobs/{job['jobKey']}/completion", {"variables": {"paid": True}})
    return key


def _position(page: Any, value_type: str, intent: str, record_type: str = "EVENT") -> int:
    row = page.locator(
        f'#records tr.record[data-value-type="{value_type}"][data-intent="{intent}"]'
        f'[data-record-type="{record_type}"]'
    ).first
    expect(row).to_be_visible()
    return int(row.get_attribute("data-position"))


def test_record_log_explorer_follows_why_and_steps_back_in_time(page: Any, rest: Rest) -> None:
    key = _paid_order(rest, "records-1")
    page.goto(f"/operate/instances/{key}")
    page.locator('#instance-tabs a[data-tab="records"]').click()
    expect(page).to_have_url(f"/operate/instances/{key}/records")
    expect(page.locator("#log-facts")).to_contain_text("Partition 1")

    # now: the instance ran to its end, so its end event is completed and no token is left
    diagram = page.locator("#record-diagram")
    expect(diagram).to_have_attribute("data-at", "latest")
    expect(diagram.locator('g.djs-element[data-element-id="done"]')).to_have_class(
        re.compile("strom-completed")
    )
    expect(diagram.locator(".strom-token-active")).to_have_count(0)

    # why? from the job's COMPLETED event leads to the client's COMPLETE command, in the list
    completed = _position(page, "JOB", "COMPLETED")
    command = _position(page, "JOB", "COMPLETE", "COMMAND")
    page.locator(f'#records tr.record[data-position="{completed}"] a.why').click()
    source_row = page.locator(f'#records tr.record[data-position="{command}"]')
    expect(source_row).to_have_class(re.compile("why-target"))

    # why? from the creation: the CREATE command names no instance, so it is loaded for the link
    created = page.locator('#records tr.record[data-value-type="PROCESS_INSTANCE_CREATION"]').first
    source = int(created.locator("a.why").get_attribute("data-source"))
    expect(page.locator(f'#records tr.record[data-position="{source}"]')).to_have_count(0)
    created.locator("a.why").click()
    fetched = page.locator(f'#records tr.record[data-position="{source}"]')
    expect(fetched).to_have_class(re.compile("fetched"))
    expect(fetched).to_have_class(re.compile("why-target"))
    expect(fetched).to_have_attribute("data-record-type", "COMMAND")
    expect(fetched).to_have_attribute("data-intent", "CREATE")

    # back in time: after the job was created the token waited at "charge", the end not reached
    job_created = _position(page, "JOB", "CREATED")
    page.locator(f'#records tr.record[data-position="{job_created}"] a.step-to').click()
    expect(diagram).to_have_attribute("data-at", str(job_created))
    expect(diagram.locator('.strom-token-active[data-element-id="charge"]')).to_have_text("1")
    expect(diagram.locator('g.djs-element[data-element-id="done"]')).not_to_have_class(
        re.compile("strom-completed")
    )
    expect(diagram.locator('g.djs-element[data-element-id="to_charge"]')).to_have_class(
        re.compile("strom-taken")
    )
    expect(diagram.locator('g.djs-element[data-element-id="to_done"]')).not_to_have_class(
        re.compile("strom-taken")
    )
    # one step further back is the record before it in the list
    page.locator("#step-back").click()
    earlier = int(diagram.get_attribute("data-at"))
    assert earlier < job_created
    expect(page.locator("#step-label")).to_contain_text(f"#{earlier}")
    earlier_row = page.locator(f'#records tr.record[data-position="{earlier}"]')
    expect(earlier_row).to_have_class(re.compile("selected"))
    # and forward again, then to now
    page.locator("#step-forward").click()
    expect(diagram).to_have_attribute("data-at", str(job_created))
    page.locator("#step-latest").click()
    expect(diagram).to_have_attribute("data-at", "latest")
    page.locator(f'#records tr.record[data-position="{job_created}"] a.step-to').click()
    expect(diagram.locator('.strom-token-active[data-element-id="charge"]')).to_have_text("1")


def test_record_log_filters_by_value_type_and_shows_a_rejection(page: Any, rest: Rest) -> None:
    key = _paid_order(rest, "records-2")
    page.goto(f"/operate/instances/{key}/records")
    expect(page.locator("#records tr.record").first).to_be_visible()
    page.locator('#record-filters select[name="valueType"]').select_option("JOB")
    expect(page).to_have_url(re.compile(r"valueType=JOB"))
    rows = page.locator("#records tr.record")
    expect(rows.first).to_be_visible()
    assert set(rows.evaluate_all("rows => rows.map(row => row.dataset.valueType)")) == {"JOB"}
    job_key = page.locator('#records tr.record[data-intent="CREATED"] td.key').get_attribute("title")
    again = rest.client.post(f"/jobs/{job_key}/completion", json={})
    assert again.status_code == 404
    # the page read the log before the rejection was written: Reload reads on
    rejected = page.locator('#records tr.record[data-record-type="COMMAND_REJECTION"]')
    expect(rejected).to_have_count(0)
    page.locator("#records-reload").click()
    expect(rejected).to_have_count(1)
    page.locator('#record-filters select[name="recordType"]').select_option("COMMAND_REJECTION")
    expect(page).to_have_url(re.compile(r"recordType=COMMAND_REJECTION"))
    rejection = page.locator("#records tr.record")
    expect(rejection).to_have_count(1)
    expect(rejection).to_have_attribute("data-intent", "COMPLETE")
    expect(rejection.locator(".rejection")).to_contain_text("NOT_FOUND")
    expect(page.locator("#record-count")).to_have_text("1 of 1")
