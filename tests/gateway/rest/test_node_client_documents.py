"""Camunda's TypeScript client (``@camunda8/orchestration-cluster-api`` 9) on Strom's documents,
with strict validation of every response: upload, download by content hash, batch upload, a link
fetched without the client, delete. npm installs the client (pinned in ``node/package.json``)."""

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
    directory = tmp_path_factory.mktemp("node-documents")
    for name in ("package.json", "documents.mjs"):
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


def test_the_typescript_client_uploads_reads_links_and_deletes_documents(
    node_client: Path, rest_broker: BrokerProcess
) -> None:
    run = subprocess.run(
        ["node", "documents.mjs"],
        cwd=node_client,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "STROM_REST_ADDRESS": rest_broker.rest_address},
    )

    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-4000:]}"
    flows = {line["flow"]: line for line in map(json.loads, run.stdout.splitlines()) if line.get("ok")}
    assert list(flows) == ["create", "get", "batch", "link", "delete"]
    assert flows["create"]["storeId"] == "local"
    assert flows["create"]["fileName"] == "ts.txt"
    assert flows["create"]["size"] == len("from TypeScript")
    assert flows["create"]["customProperties"] == {"origin": "ts"}
    assert flows["get"]["content"] == "from TypeScript"
    assert flows["batch"] == {"flow": "batch", "ok": True, "created": ["one.txt", "two.txt"], "failed": 0}
    assert flows["link"]["status"] == 200 and flows["link"]["content"] == "from TypeScript"
    assert flows["delete"]["after"] == "not found"
