"""A broker with secondary storage and its UI, a headless Chromium, and REST helpers for the
browser tests of Operate and Tasklist."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _services import unavailable
from _ui_models import MODELS
from _ui_rest import Rest
from broker_process import BrokerProcess

CHROMIUM = os.environ.get("STROM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000
"""How long an assertion on the page waits for the UI (it polls the eventually consistent storage)."""


@pytest.fixture(scope="module")
def ui_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("ui-broker"), env={"STROM_SECONDARY_STORAGE": "sqlite"}
    ).start()
    yield process
    status = process.stop()
    assert status == 0, process.logs()


@pytest.fixture(scope="module")
def rest(ui_broker: BrokerProcess) -> Rest:
    api = Rest(ui_broker.rest_address)
    files = [("resources", (name, text.encode(), "application/xml")) for name, text in MODELS.items()]
    response = api.client.post("/deployments", files=files)
    assert response.status_code == 200, response.text
    return api


@pytest.fixture(scope="module")
def base_url(ui_broker: BrokerProcess) -> str:
    return f"http://127.0.0.1:{ui_broker.rest_port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright", "pip install playwright (the [test] extra has it)")
    if not Path(CHROMIUM).exists():
        unavailable("Chromium", f"{CHROMIUM} is missing: apt-get install chromium, or source .ci/chromium.sh")
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, base_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page on the broker's HTTP server; its page errors fail the test, and it leaves a
    screenshot in the test's tmp dir (and in $STROM_TEST_UI_SCREENSHOTS when set, for docs/ui.md)."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    yield tab
    shot = tmp_path / f"{request.node.name}.png"
    tab.screenshot(path=str(shot), full_page=True)
    if os.environ.get("STROM_TEST_UI_SCREENSHOTS"):
        target = Path(os.environ["STROM_TEST_UI_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        (target / shot.name.removeprefix("test_")).write_bytes(shot.read_bytes())
    context.close()
    assert not errors, errors


@pytest.fixture
def eventually() -> Callable[[Callable[[], bool], str], None]:
    def wait(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen within {timeout} s")
            time.sleep(0.05)

    return wait
