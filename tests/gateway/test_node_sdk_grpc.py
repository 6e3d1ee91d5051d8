"""Camunda's Node SDK (``@camunda8/sdk`` 8.8, its Zeebe gRPC client, pinned in
``node_sdk/package.json`` and its lock file) against a real ``strom broker``: topology, deploy,
an instance created with its result awaited while the SDK's worker completes its job, and a plain
creation whose job the worker completes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from _services import unavailable
from broker_process import BrokerProcess

from strom.testing import bpmn

pytestmark = pytest.mark.slow

NODE_DIR = Path(__file__).with_name("node_sdk")


@pytest.fixture(scope="module")
def node_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("Node.js and npm", "install nodejs and npm (Debian packages) to run the Node SDK")
    directory = tmp_path_factory.mktemp("node-sdk")
    for name in ("package.json", "package-lock.json", "grpc_flow.mjs"):
        shutil.copy(NODE_DIR / name, directory / name)
    installed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if installed.returncode != 0:
        unavailable("@camunda8/sdk from npm", f"npm ci failed: {installed.stderr[-500:]}")
    return directory


def test_the_node_sdk_deploys_creates_and_its_worker_completes_jobs(
    node_sdk: Path, broker: BrokerProcess, tmp_path: Path
) -> None:
    model = tmp_path / "doubling.bpmn"
    model.write_text(
        bpmn.process("doubling").start_event().service_task("double", job_type="double").end_event().to_xml()
    )

    run = subprocess.run(
        ["node", "grpc_flow.mjs", str(model)],
        cwd=node_sdk,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "STROM_GRPC_ADDRESS": broker.address},
    )

    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-4000:]}"
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]  # not its logs
    steps = {line["step"]: line for line in lines if line.get("ok")}
    assert list(steps) == ["topology", "deploy", "create-await-worker", "create-worker"]
    assert (steps["topology"]["brokers"], steps["topology"]["partitions"]) == (1, 1)
    assert (steps["deploy"]["bpmnProcessId"], steps["deploy"]["version"]) == ("doubling", 1)
    assert steps["create-await-worker"]["doubled"] == 42
    assert steps["create-worker"]["completedByWorker"] is True
    instance_key = int(steps["create-worker"]["processInstanceKey"])
    done = broker.wait_for_record(
        "PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=instance_key, bpmn_element_type="PROCESS"
    )
    assert done is not None


_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg_rates"
             name="Rates" namespace="http://strom.test/node">
  <decision id="rate" name="Rate">
    <decisionTable id="rate_table" hitPolicy="FIRST">
      <input id="tier_in" label="Tier">
        <inputExpression id="tier_expr" typeRef="string"><text>tier</text></inputExpression>
      </input>
      <output id="rate_out" name="rate" typeRef="number"/>
      <rule id="rule_any"><inputEntry id="any_in"><text>-</text></inputEntry>
        <outputEntry id="any_out"><text>0.05</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_the_node_sdk_modifies_with_ancestor_minus_one_migrates_and_deletes_a_drg(
    node_sdk: Path, broker: BrokerProcess, tmp_path: Path
) -> None:
    (tmp_path / "v1.bpmn").write_text(
        bpmn.process("moving")
        .start_event()
        .service_task("a", job_type="a-work")
        .service_task("b", job_type="b-work")
        .end_event()
        .to_xml()
    )
    (tmp_path / "v2.bpmn").write_text(
        bpmn.process("moving").start_event().service_task("b", job_type="b2-work").end_event().to_xml()
    )
    (tmp_path / "rates.dmn").write_text(_DMN)
    shutil.copy(NODE_DIR / "grpc_admin_flow.mjs", node_sdk / "grpc_admin_flow.mjs")

    run = subprocess.run(
        [
            "node",
            "grpc_admin_flow.mjs",
            *(str(tmp_path / name) for name in ("v1.bpmn", "v2.bpmn", "rates.dmn")),
        ],
        cwd=node_sdk,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "STROM_GRPC_ADDRESS": broker.address},
    )

    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-4000:]}"
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    steps = {line["step"]: line for line in lines if line.get("ok")}
    assert list(steps) == ["modify", "migrate", "delete-drg"]
    instance_key = int(steps["modify"]["processInstanceKey"])
    broker.wait_for_record("PROCESS_INSTANCE", "ELEMENT_TERMINATED", key=int(steps["modify"]["terminated"]))
    moved = broker.wait_for_record(
        "PROCESS_INSTANCE", "ELEMENT_ACTIVATED", element_id="b", process_instance_key=instance_key
    )
    broker.wait_for_record("PROCESS_INSTANCE", "ELEMENT_MIGRATED", key=int(moved["key"]))
    assert steps["migrate"]["version"] == 2
    broker.wait_for_record("DECISION_REQUIREMENTS", "DELETED", decision_requirements_id="drg_rates")
    assert steps["delete-drg"]["evaluateAfterDelete"] != "evaluated"
