"""``strom status|deploy|create|cancel|activate|complete|fail|throw|update|publish|set|resolve|
broadcast|evaluate`` against a broker: JSON out, readable errors, non-zero exit on failure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from broker_process import BrokerProcess, free_port
from click.testing import CliRunner, Result

from strom.cli import main
from strom.testing import bpmn

pytestmark = pytest.mark.slow


def strom(broker: BrokerProcess, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--address", broker.address], catch_exceptions=False)


def ok(broker: BrokerProcess, *args: str) -> Any:
    result = strom(broker, *args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("resources")
    (directory / "order.bpmn").write_text(
        bpmn.process("order").start_event().service_task("pack", job_type="pack").end_event().to_xml()
    )
    (directory / "echo.bpmn").write_text(bpmn.process("echo").start_event().end_event().to_xml())
    (directory / "alarm.bpmn").write_text(
        bpmn.process("alarm").start_event().signal("ring").end_event().to_xml()
    )
    (directory / "vars.json").write_text('{"from_file": true}')
    return directory


def test_status_prints_the_topology(cli_broker: BrokerProcess) -> None:
    status = ok(cli_broker, "status")

    assert status["partitionsCount"] == 1
    assert status["brokers"][0]["partitions"] == [{"partitionId": 1, "role": "LEADER", "health": "HEALTHY"}]


def test_deploy_create_activate_complete(cli_broker: BrokerProcess, files: Path) -> None:
    deployed = ok(cli_broker, "deploy", str(files / "order.bpmn"), str(files / "echo.bpmn"))
    created = ok(cli_broker, "create", "instance", "order", "--variables", '{"items": 3}')
    activating = strom(
        cli_broker, "activate", "jobs", "pack", "--max-jobs-to-activate", "5", "--request-timeout", "2000"
    )
    [job] = json.loads(activating.stdout)["jobs"]
    completed = strom(cli_broker, "complete", "job", str(job["key"]), "--variables", str(files / "vars.json"))

    assert [d["process"]["bpmnProcessId"] for d in deployed["deployments"]] == ["order", "echo"]
    assert created["bpmnProcessId"] == "order" and created["processInstanceKey"] > 0
    assert job["variables"] == {"items": 3} and job["customHeaders"] == {} and job["worker"] == "strom-cli"
    assert activating.exit_code == 0
    assert activating.stderr == "waiting up to 2 s for jobs of type 'pack'…\n"
    assert completed.exit_code == 0
    assert completed.stdout == f"completed job {job['key']}\n"
    cli_broker.wait_for_record(
        "PROCESS_INSTANCE",
        "ELEMENT_COMPLETED",
        key=created["processInstanceKey"],
        bpmn_element_type="PROCESS",
    )


def test_create_instance_with_result(cli_broker: BrokerProcess, files: Path) -> None:
    ok(cli_broker, "deploy", str(files / "echo.bpmn"))

    result = ok(
        cli_broker,
        "create",
        "instance",
        "echo",
        "--with-result",
        "--variables",
        '{"a": 1, "b": 2}',
        "--fetch-variables",
        "b",
    )

    assert result["variables"] == {"b": 2}


def test_fail_update_resolve_throw_timeout_set_cancel(cli_broker: BrokerProcess, files: Path) -> None:
    ok(cli_broker, "deploy", str(files / "order.bpmn"))
    first = ok(cli_broker, "create", "instance", "order")["processInstanceKey"]
    [job] = ok(cli_broker, "activate", "jobs", "pack", "--request-timeout", "2000")["jobs"]

    ok(cli_broker, "update", "timeout", str(job["key"]), "--timeout", "60000")
    ok(
        cli_broker,
        "fail",
        "job",
        str(job["key"]),
        "--retries",
        "0",
        "--error-message",
        "label printer jammed",
    )
    incident = cli_broker.wait_for_record("INCIDENT", "CREATED", process_instance_key=first)
    ok(cli_broker, "update", "retries", str(job["key"]), "--retries", "1")
    ok(cli_broker, "resolve", "incident", str(incident["key"]))
    [again] = ok(cli_broker, "activate", "jobs", "pack", "--request-timeout", "2000")["jobs"]
    ok(cli_broker, "throw", "error", str(again["key"]), "--error-code", "OUT_OF_BOXES")
    second = ok(cli_broker, "create", "instance", "order")["processInstanceKey"]
    set_answer = ok(cli_broker, "set", "variables", str(second), "--variables", '{"priority": "high"}')
    ok(cli_broker, "cancel", "instance", str(second))

    assert incident["value"]["errorMessage"] == "label printer jammed"
    assert again["key"] == job["key"] and again["retries"] == 1
    assert set_answer["key"] > 0
    cli_broker.wait_for_record("JOB", "ERROR_THROWN", key=job["key"])
    cli_broker.wait_for_record(
        "PROCESS_INSTANCE", "ELEMENT_TERMINATED", key=second, bpmn_element_type="PROCESS"
    )


def test_publish_message_and_broadcast_signal(cli_broker: BrokerProcess, files: Path) -> None:
    ok(cli_broker, "deploy", str(files / "alarm.bpmn"))

    published = ok(
        cli_broker, "publish", "message", "nobody-waits", "--correlation-key", "k", "--ttl", "1000"
    )
    signal = ok(cli_broker, "broadcast", "signal", "ring", "--variables", '{"loud": true}')

    assert published["key"] > 0 and signal["key"] > 0
    cli_broker.wait_for_record(
        "PROCESS_INSTANCE", "ELEMENT_COMPLETED", bpmn_process_id="alarm", bpmn_element_type="PROCESS"
    )


def test_evaluate_decision(cli_broker: BrokerProcess, tmp_path: Path) -> None:
    dmn = tmp_path / "answer.dmn"
    dmn.write_text(
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg_answer" name="A" '
        'namespace="http://t"><decision id="answer" name="Answer"><literalExpression><text>x * 2</text>'
        "</literalExpression></decision></definitions>"
    )
    ok(cli_broker, "deploy", str(dmn))

    evaluated = ok(cli_broker, "evaluate", "decision", "answer", "--variables", '{"x": 21}')

    assert evaluated["decisionOutput"] == 42
    assert evaluated["decisionId"] == "answer"


def test_a_rejection_is_a_readable_error_with_a_non_zero_exit(cli_broker: BrokerProcess) -> None:
    result = strom(cli_broker, "create", "instance", "no-such-process")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: NOT_FOUND: Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process "
        "definition with process ID 'no-such-process', but none found\n"
    )


def test_bad_variables_and_keys_are_reported(cli_broker: BrokerProcess) -> None:
    bad_json = strom(cli_broker, "create", "instance", "order", "--variables", "[1, 2]")
    bad_key = strom(cli_broker, "complete", "job", "twelve")

    assert bad_json.exit_code == 1
    assert (
        "INVALID_ARGUMENT: Expected 'variables' to be a JSON object, but it is a JSON array"
        in bad_json.stderr
    )
    assert bad_key.exit_code == 2
    assert "KEY must be a number (a 64-bit key), got 'twelve'" in bad_key.stderr


def test_an_unreachable_gateway_is_reported(tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"

    result = CliRunner().invoke(main, ["status", "--address", address, "--deadline", "2"])

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: UNAVAILABLE: cannot reach a gateway at {address}")
