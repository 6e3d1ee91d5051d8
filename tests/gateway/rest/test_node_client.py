"""Camunda's TypeScript client (``@camunda8/orchestration-cluster-api`` 9, Camunda 8.9's shapes)
with strict validation of every request and response, running the same flows as the Python SDK
tests against a real broker. npm installs the client (pinned in ``node/package.json``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from _services import unavailable
from broker_process import BrokerProcess

pytestmark = pytest.mark.slow

NODE_DIR = Path(__file__).with_name("node")


@pytest.fixture(scope="module")
def node_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable(
            "Node.js and npm", "install nodejs and npm (Debian packages) to run the TypeScript client"
        )
    directory = tmp_path_factory.mktemp("node-client")
    for name in ("package.json", "flows.mjs"):
        shutil.copy(NODE_DIR / name, directory / name)
    installed = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if installed.returncode != 0:
        unavailable(
            "@camunda8/orchestration-cluster-api from npm", f"npm install failed: {installed.stderr[-500:]}"
        )
    return directory


def test_the_typescript_client_runs_every_flow_with_strict_validation(
    node_client: Path, rest_broker: BrokerProcess, models: dict[str, Path]
) -> None:
    files = [str(path) for name, path in models.items()]
    run = subprocess.run(
        ["node", "flows.mjs", *files],
        cwd=node_client,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "STROM_REST_ADDRESS": rest_broker.rest_address},
    )

    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-4000:]}"
    flows = {line["flow"]: line for line in map(json.loads, run.stdout.splitlines()) if line.get("ok")}
    assert list(flows) == [
        "topology",
        "deploy",
        "create-await-worker",
        "incident-retry-resolve",
        "search-paging",
        "variables",
        "user-task",
        "message",
        "correlate",
        "signal",
        "decision",
        "cancel",
        "batch-cancel",
    ]
    assert flows["create-await-worker"]["doubled"] == 42
    assert flows["decision"]["output"] == '"Salad"'
    assert flows["incident-retry-resolve"]["errorMessage"] == "out of paper"
