"""zbctl-style commands for the cluster, deployments and process instances: ``strom status``,
``strom deploy``, ``strom create instance``, ``strom cancel instance``, ``strom set variables``,
``strom resolve incident``, ``strom evaluate decision``."""

from __future__ import annotations

from pathlib import Path

import click

from strom.cli._gateway import (
    address_option,
    call,
    deadline_option,
    echo_json,
    parse_key,
    variables_option,
    variables_text,
)


@click.command("status")
@address_option
@deadline_option
def status(address: str, deadline: float) -> None:
    """Show the cluster topology: brokers, partitions, versions."""
    from strom.gateway.grpc._proto import pb

    echo_json(call(address, "Topology", pb.TopologyRequest(), deadline))


@click.command("deploy")
@click.argument("resources", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@address_option
@deadline_option
def deploy(resources: tuple[Path, ...], address: str, deadline: float) -> None:
    """Deploy BPMN (and, once supported, DMN and form) RESOURCES in one deployment."""
    from strom.gateway.grpc._proto import pb

    items = []
    for path in resources:
        try:
            items.append(pb.Resource(name=path.name, content=path.read_bytes()))
        except OSError as error:
            raise click.ClickException(f"cannot read {path}: {error.strerror}") from None
    echo_json(call(address, "DeployResource", pb.DeployResourceRequest(resources=items), deadline))


@click.group("create")
def create() -> None:
    """Create a resource (an instance)."""


@create.command("instance")
@click.argument("process")
@click.option("--version", type=int, default=-1, show_default=True, help="Process version; -1 is the latest.")
@variables_option
@click.option("--with-result", is_flag=True, help="Wait until the instance completes; print its variables.")
@click.option(
    "--fetch-variables", default="", help="With --with-result: comma-separated variable names to return."
)
@click.option(
    "--request-timeout",
    type=int,
    default=0,
    help="With --with-result: milliseconds to wait for completion (0: the gateway's default).",
)
@address_option
@deadline_option
def create_instance(
    process: str,
    version: int,
    variables: str,
    with_result: bool,
    fetch_variables: str,
    request_timeout: int,
    address: str,
    deadline: float,
) -> None:
    """Start an instance of PROCESS (a BPMN process id, or a process definition key)."""
    from strom.gateway.grpc._proto import pb

    request = pb.CreateProcessInstanceRequest(version=version, variables=variables_text(variables))
    if process.isdigit():
        request.processDefinitionKey = parse_key(process, "PROCESS")
    else:
        request.bpmnProcessId = process
    if not with_result:
        echo_json(call(address, "CreateProcessInstance", request, deadline))
        return
    names = [name.strip() for name in fetch_variables.split(",") if name.strip()]
    wrapped = pb.CreateProcessInstanceWithResultRequest(
        request=request, requestTimeout=request_timeout, fetchVariables=names
    )
    wait = max(deadline, request_timeout / 1000 + 5)
    echo_json(call(address, "CreateProcessInstanceWithResult", wrapped, wait))


@click.group("cancel")
def cancel() -> None:
    """Cancel a resource (an instance)."""


@cancel.command("instance")
@click.argument("key")
@address_option
@deadline_option
def cancel_instance(key: str, address: str, deadline: float) -> None:
    """Cancel the process instance with KEY."""
    from strom.gateway.grpc._proto import pb

    request = pb.CancelProcessInstanceRequest(processInstanceKey=parse_key(key, "KEY"))
    echo_json(call(address, "CancelProcessInstance", request, deadline))


@click.group("set")
def set_() -> None:
    """Set a resource (variables)."""


@set_.command("variables")
@click.argument("key")
@variables_option
@click.option("--local", is_flag=True, help="Set them on the scope itself, without propagating.")
@address_option
@deadline_option
def set_variables(key: str, variables: str, local: bool, address: str, deadline: float) -> None:
    """Set variables on the element instance (or process instance) with KEY."""
    from strom.gateway.grpc._proto import pb

    request = pb.SetVariablesRequest(
        elementInstanceKey=parse_key(key, "KEY"), variables=variables_text(variables) or "{}", local=local
    )
    echo_json(call(address, "SetVariables", request, deadline))


@click.group("resolve")
def resolve() -> None:
    """Resolve a resource (an incident)."""


@resolve.command("incident")
@click.argument("key")
@address_option
@deadline_option
def resolve_incident(key: str, address: str, deadline: float) -> None:
    """Resolve the incident with KEY (fix its cause first, e.g. update the job's retries)."""
    from strom.gateway.grpc._proto import pb

    request = pb.ResolveIncidentRequest(incidentKey=parse_key(key, "KEY"))
    echo_json(call(address, "ResolveIncident", request, deadline))


@click.group("evaluate")
def evaluate() -> None:
    """Evaluate a resource (a decision)."""


@evaluate.command("decision")
@click.argument("decision")
@variables_option
@address_option
@deadline_option
def evaluate_decision(decision: str, variables: str, address: str, deadline: float) -> None:
    """Evaluate DECISION (a decision id, or a decision key) with --variables."""
    from strom.gateway.grpc._proto import pb

    request = pb.EvaluateDecisionRequest(variables=variables_text(variables))
    if decision.isdigit():
        request.decisionKey = parse_key(decision, "DECISION")
    else:
        request.decisionId = decision
    echo_json(call(address, "EvaluateDecision", request, deadline))
