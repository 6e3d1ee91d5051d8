"""Operate and Tasklist on a broker with ``--auth basic --multi-tenancy``: a user assigned to one
tenant sees only that tenant's instances, processes and tasks, each with a Tenant column, and an
instance started from Tasklist lands in the tenant of the chosen process — in headless Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from _ui_models import DISH, REVIEW
from _ui_rest import Rest
from broker_process import BrokerProcess
from playwright.sync_api import expect

from strom.testing import bpmn

ADMIN, PASSWORD = "admin", "correct horse battery staple"
BOB, BOB_PASSWORD = "bob", "bob's password"
WAITING = (
    bpmn.process("ui_tenant", "Tenant order")
    .start_event()
    .service_task("wait", job_type="ui-tenant-nobody")
    .end_event()
    .to_xml()
)


@pytest.fixture(scope="module")
def tenant_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("ui-tenant-broker"),
        "--auth",
        "basic",
        "--multi-tenancy",
        "--admin-user",
        ADMIN,
        env={"STROM_SECONDARY_STORAGE": "sqlite", "STROM_ADMIN_PASSWORD": PASSWORD},
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


@pytest.fixture(scope="module")
def base_url(tenant_broker: BrokerProcess) -> str:
    """This module's pages (the ``page`` fixture) open on the multi-tenant broker."""
    return f"http://127.0.0.1:{tenant_broker.rest_port}"


def _until(check: Any, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def tenants(tenant_broker: BrokerProcess) -> dict[str, list[str]]:
    """Tenants acme ("Acme") and globex; the admin in both, bob (an admin, so only his tenant
    limits him) in acme only; ``ui_tenant`` and ``ui_review`` deployed to both. Answers the
    instances created per tenant."""
    admin = Rest(tenant_broker.rest_address)
    admin.client.auth = (ADMIN, PASSWORD)
    _until(lambda: admin.client.get("/topology").status_code == 200, "the admin logs in")
    admin.call("POST", "/users", {"username": BOB, "password": BOB_PASSWORD})
    for tenant_id, name in (("acme", "Acme"), ("globex", "Globex")):
        admin.call("POST", "/tenants", {"tenantId": tenant_id, "name": name})
        admin.call("PUT", f"/tenants/{tenant_id}/users/{ADMIN}")
    admin.call("PUT", f"/tenants/acme/users/{BOB}")
    admin.call("PUT", f"/roles/admin/users/{BOB}")
    files = [
        ("resources", ("ui_tenant.bpmn", WAITING.encode(), "application/xml")),
        ("resources", ("ui_review.bpmn", REVIEW.encode(), "application/xml")),
        ("resources", ("ui_dinner.dmn", DISH.encode(), "application/xml")),
    ]
    created: dict[str, list[str]] = {}
    for tenant_id, count in (("acme", 2), ("globex", 1)):
        response = admin.client.post("/deployments", files=files, data={"tenantId": tenant_id})
        assert response.status_code == 200, response.text
        evaluation = {
            "decisionDefinitionId": "ui_dish",
            "variables": {"season": "Winter"},
            "tenantId": tenant_id,
        }
        admin.call("POST", "/decision-definitions/evaluation", evaluation)
        created[tenant_id] = [
            admin.call(
                "POST", "/process-instances", {"processDefinitionId": "ui_tenant", "tenantId": tenant_id}
            )["processInstanceKey"]
            for _ in range(count)
        ]
        created[tenant_id].append(
            admin.call(
                "POST", "/process-instances", {"processDefinitionId": "ui_review", "tenantId": tenant_id}
            )["processInstanceKey"]
        )
    bob = Rest(tenant_broker.rest_address)
    bob.client.auth = (BOB, BOB_PASSWORD)

    def exported() -> bool:
        me = bob.client.get("/authentication/me")
        if me.status_code != 200 or [t["tenantId"] for t in me.json()["tenants"]] != ["acme"]:
            return False
        found = admin.call("POST", "/user-tasks/search", {})["page"]["totalItems"]
        evaluations = admin.call("POST", "/decision-instances/search", {})["page"]["totalItems"]
        return (
            found == 2
            and evaluations == 2
            and admin.call("POST", "/process-instances/search", {})["page"]["totalItems"] == 5
        )

    _until(exported, "memberships, instances and tasks exported")
    return created


def _log_in(page: Any) -> None:
    page.locator("#username").fill(BOB)
    page.locator("#password").fill(BOB_PASSWORD)
    page.locator("#login-submit").click()


def test_a_user_of_one_tenant_sees_only_its_instances_with_the_tenant_column(
    page: Any, tenants: dict[str, list[str]]
) -> None:
    page.goto("/operate/")
    _log_in(page)
    expect(page.locator('#process-overview tr[data-process="ui_tenant"]')).to_have_attribute(
        "data-tenant", "acme"
    )
    expect(page.locator("#process-overview tbody tr")).to_have_count(2)  # ui_review and ui_tenant of acme
    expect(page.locator('#process-overview tr[data-process="ui_tenant"] td.tenant')).to_have_text(
        "Acme (acme)"
    )
    page.goto("/operate/processes?state=all")

    expect(page.locator('#instances th[data-field="tenantId"]')).to_have_text("Tenant")
    expect(page.locator("#instance-total")).to_have_text("3 matching")
    rows = page.locator("#instances tbody tr")
    expect(rows).to_have_count(3)
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.key)")) == sorted(tenants["acme"])
    assert set(rows.evaluate_all("rows => rows.map(r => r.dataset.tenant)")) == {"acme"}
    expect(rows.first.locator("td.tenant")).to_have_text("Acme (acme)")
    for key in tenants["globex"]:
        expect(page.locator(f'#instances tr[data-key="{key}"]')).to_have_count(0)
    options = page.locator('#filters select[name="tenant"] option').evaluate_all("os => os.map(o => o.value)")
    assert options == ["", "acme"]
    page.locator('#filters select[name="tenant"]').select_option("acme")
    expect(page.locator("#instance-total")).to_have_text("3 matching")
    page.locator('#instances th[data-field="tenantId"]').click()  # sorted by tenant
    expect(page.locator('#instances th[data-field="tenantId"]')).to_have_class(re.compile("sorted-desc"))
    expect(page.locator("#instances tbody tr")).to_have_count(3)
    expect(page.locator("#messages .message-error")).to_have_count(0)
    page.locator(f'#instances tr[data-key="{tenants["acme"][0]}"] a.instance-link').click()
    expect(page.locator("#instance-header .tenant")).to_have_text("Acme (acme)")
    page.go_back()
    expect(page.locator("#instances tbody tr")).to_have_count(3)


def test_decisions_show_only_the_users_tenant(page: Any, tenants: dict[str, list[str]]) -> None:
    page.goto("/operate/decisions")
    _log_in(page)

    expect(page.locator('#decision-instances th[data-field="tenantId"]')).to_have_text("Tenant")
    row = page.locator("#decision-instances tr.decision-instance")
    expect(row).to_have_count(1)  # acme's evaluation, not globex's
    expect(row).to_have_attribute("data-tenant", "acme")
    expect(row.locator("td.tenant")).to_have_text("Acme (acme)")
    row.locator("a.decision-link").click()
    expect(page.locator("#decision-header .tenant")).to_have_text("Acme (acme)")


def test_tasklist_shows_the_tenant_and_starts_in_the_chosen_processes_tenant(
    page: Any, tenant_broker: BrokerProcess, tenants: dict[str, list[str]]
) -> None:
    page.goto("/tasklist/processes")
    _log_in(page)
    expect(page.locator("#processes tr.process")).to_have_count(2)
    row = page.locator('#processes tr.process[data-process="ui_tenant"]')
    expect(row).to_have_attribute("data-tenant", "acme")
    row.locator("a.start-link").click()
    expect(page.locator("#start-tenant")).to_have_attribute("data-tenant", "acme")
    page.locator("#start-instance").click()
    started = page.locator("a.started-instance").inner_text()
    admin = Rest(tenant_broker.rest_address)
    admin.client.auth = (ADMIN, PASSWORD)
    assert admin.call("GET", f"/process-instances/{started}")["tenantId"] == "acme"

    page.goto("/tasklist/")
    task = page.locator("#tasks tr.task")
    expect(task).to_have_count(1)  # the review task of acme, not globex's
    expect(task.locator("td.tenant")).to_have_text("Acme (acme)")
    assert task.evaluate("r => r.dataset.tenant") == "acme"
    task.locator("a.task-link").click()
    expect(page.locator("#task-tenant")).to_have_text("Acme (acme)")


def test_cancel_all_acts_only_on_the_users_tenants(
    page: Any, tenant_broker: BrokerProcess, tenants: dict[str, list[str]]
) -> None:
    admin = Rest(tenant_broker.rest_address)
    admin.client.auth = (ADMIN, PASSWORD)
    running = admin.call(
        "POST", "/process-instances/search", {"filter": {"state": "ACTIVE", "tenantId": "acme"}}
    )
    acme = sorted(item["processInstanceKey"] for item in running["items"])
    page.goto("/operate/processes?state=running")
    _log_in(page)
    expect(page.locator("#instance-total")).to_have_text(f"{len(acme)} matching")

    page.locator("#batch-cancel-all").click()
    page.locator("#batch-confirm").click()

    expect(page.locator("#batch-state .badge")).to_have_attribute("data-state", "COMPLETED")
    expect(page.locator('#batch-items tr.batch-item[data-state="COMPLETED"]')).to_have_count(len(acme))
    expect(page.locator("#batch-header .batch-progress")).to_have_attribute("data-failed", "0")
    shown = page.locator("#batch-items tr.batch-item").evaluate_all(
        "rows => rows.map(r => r.dataset.instance)"
    )
    assert sorted(shown) == acme
    for key in tenants["globex"]:  # the other tenant's instances run on
        assert admin.call("GET", f"/process-instances/{key}")["state"] == "ACTIVE"
