"""Operate and Tasklist behind ``--auth basic``: the login page, the logged-in user in the top bar,
logging out, and Tasklist's views of the user's own tasks — in headless Chromium against a broker
with an admin user."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from _ui_models import MODELS
from _ui_rest import Rest
from broker_process import BrokerProcess
from playwright.sync_api import expect

ADMIN, PASSWORD = "admin", "correct horse battery staple"


@pytest.fixture(scope="module")
def secured_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("ui-login-broker"),
        "--auth",
        "basic",
        "--admin-user",
        ADMIN,
        env={"STROM_SECONDARY_STORAGE": "sqlite", "STROM_ADMIN_PASSWORD": PASSWORD},
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


@pytest.fixture(scope="module")
def base_url(secured_broker: BrokerProcess) -> str:
    """This module's pages (the ``page`` fixture) open on the secured broker."""
    return f"http://127.0.0.1:{secured_broker.rest_port}"


@pytest.fixture(scope="module")
def admin(secured_broker: BrokerProcess) -> Rest:
    """The REST API with the admin's Basic credentials, the test processes deployed."""
    api = Rest(secured_broker.rest_address)
    api.client.auth = (ADMIN, PASSWORD)
    deadline = time.monotonic() + 20
    while api.client.get("/topology").status_code != 200:  # users are read from secondary storage
        assert time.monotonic() < deadline, "the admin could not log in within 20 s"
        time.sleep(0.05)
    files = [("resources", (name, text.encode(), "application/xml")) for name, text in MODELS.items()]
    response = api.client.post("/deployments", files=files)
    assert response.status_code == 200, response.text
    return api


def _task(admin: Rest, instance: str) -> str:
    task = admin.wait_for("user-tasks", {"processInstanceKey": instance, "state": "CREATED"})
    return str(task["userTaskKey"])


def _log_in(page: Any, password: str = PASSWORD) -> None:
    page.locator("#username").fill(ADMIN)
    page.locator("#password").fill(password)
    page.locator("#login-submit").click()


def test_log_in_see_the_user_open_operate_and_log_out(page: Any, admin: Rest) -> None:
    page.goto("/operate/processes")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Foperate%2Fprocesses$"))
    expect(page.locator("#login-form")).to_be_visible()

    _log_in(page, "wrong")
    expect(page.locator("#login-error")).to_have_text("Invalid username or password.")
    _log_in(page)

    expect(page).to_have_url("/operate/processes")  # back where the user was going
    expect(page.locator("#user")).to_have_text(ADMIN)
    expect(page.locator("#instances")).to_be_visible()
    [session] = [c for c in page.context.cookies() if c["name"] == "strom_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    page.locator('a[data-nav="dashboard"]').click()
    expect(page.locator("#running-count")).to_be_visible()
    page.goto("/tasklist/")
    expect(page.locator("#user")).to_have_text(ADMIN)

    page.locator("#logout").click()

    expect(page).to_have_url("/login")
    expect(page.locator("#login-form")).to_be_visible()
    page.goto("/tasklist/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Ftasklist%2F$"))


def test_assigned_to_me_shows_only_the_users_task(page: Any, admin: Rest) -> None:
    mine = admin.create("ui_review", {"orderId": "mine"})
    theirs = admin.create("ui_review", {"orderId": "theirs"})
    my_task = _task(admin, mine)
    their_task = _task(admin, theirs)
    admin.call("POST", f"/user-tasks/{their_task}/assignment", {"assignee": "someone-else"})

    page.goto(f"/tasklist/{my_task}")
    _log_in(page)
    expect(page).to_have_url(f"/tasklist/{my_task}")
    page.locator("#assign").click()  # a POST with the session cookie and its CSRF token
    expect(page.locator("#assignee")).to_have_text(ADMIN)

    page.goto("/tasklist/?view=mine")
    expect(page.locator(f'#tasks tr.task[data-key="{my_task}"]')).to_be_visible()
    expect(page.locator(f'#tasks tr.task[data-key="{their_task}"]')).to_have_count(0)
    expect(page.locator("#tasks tr.task")).to_have_count(1)


def test_my_candidate_tasks_are_those_of_the_users_groups(page: Any, admin: Rest) -> None:
    admin.call("POST", "/groups", {"groupId": "sales", "name": "Sales"})
    admin.call("PUT", f"/groups/sales/users/{ADMIN}")
    deadline = time.monotonic() + 10
    while "sales" not in admin.call("GET", "/authentication/me")["groups"]:  # exported a moment later
        assert time.monotonic() < deadline, "the admin is not in group sales after 10 s"
        time.sleep(0.05)
    sales = admin.create("ui_sales")
    review = admin.create("ui_review", {"orderId": "no-candidates"})
    sales_task = _task(admin, sales)
    review_task = _task(admin, review)

    page.goto("/tasklist/")
    _log_in(page)
    page.locator('.tab[data-view="candidate"]').click()

    expect(page).to_have_url(re.compile(r"view=candidate"))
    expect(page.locator(f'#tasks tr.task[data-key="{sales_task}"]')).to_be_visible()
    expect(page.locator(f'#tasks tr.task[data-key="{review_task}"]')).to_have_count(0)
