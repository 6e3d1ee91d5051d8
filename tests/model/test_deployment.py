"""References bound to the deployment must find their target among the deployed resources."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from strom.cli import main
from strom.model import check_deployment_bindings

from ._bpmn import accepted, around, chain, definitions, end, ext, process, start


def caller(binding: str = "deployment", process_id: str = "child") -> bytes:
    called = ext(f'<zeebe:calledElement processId="{process_id}" bindingType="{binding}" />')
    return around(f'<bpmn:callActivity id="task">{called}</bpmn:callActivity>')


CHILD = definitions(process(start(), end(), *chain("start", "end"), process_id="child"))


def test_a_process_of_the_same_deployment_is_found() -> None:
    resources = {"parent.bpmn": accepted(caller()), "child.bpmn": accepted(CHILD)}
    assert check_deployment_bindings(resources) == []


def test_a_missing_process_is_a_problem_of_the_calling_resource() -> None:
    [problem] = check_deployment_bindings({"parent.bpmn": accepted(caller())})
    assert (problem.resource_name, problem.element_id) == ("parent.bpmn", "task")
    assert problem.message == "Expected to find process with id 'child' in current deployment, but not found."


def test_latest_binding_is_not_checked() -> None:
    assert check_deployment_bindings({"parent.bpmn": accepted(caller("latest"))}) == []


def test_decisions_and_forms_are_checked_when_known() -> None:
    decision = ext('<zeebe:calledDecision decisionId="d" resultVariable="r" bindingType="deployment" />')
    form = ext('<zeebe:userTask /><zeebe:formDefinition formId="f" bindingType="deployment" />')
    data = around(
        f'<bpmn:businessRuleTask id="rule">{decision}</bpmn:businessRuleTask>',
        f'<bpmn:userTask id="task">{form}</bpmn:userTask>',
        ids=("rule", "task"),
    )
    resources = {"r.bpmn": accepted(data)}
    assert check_deployment_bindings(resources) == []
    found = check_deployment_bindings(resources, decision_ids={"other"}, form_ids=set())
    assert [(p.element_id, p.message.split(" in ")[0]) for p in found] == [
        ("rule", "Expected to find decision with id 'd'"),
        ("task", "Expected to find form with id 'f'"),
    ]


def test_strom_check_deployment(tmp_path: Path) -> None:
    parent, child = tmp_path / "parent.bpmn", tmp_path / "child.bpmn"
    parent.write_bytes(caller())
    child.write_bytes(CHILD)
    runner = CliRunner()
    alone = runner.invoke(main, ["check", "--deployment", str(parent)])
    assert alone.exit_code == 1 and "Expected to find process with id 'child'" in alone.output
    together = runner.invoke(main, ["check", "--deployment", str(parent), str(child)])
    assert together.exit_code == 0, together.output
    assert runner.invoke(main, ["check", str(parent)]).exit_code == 0
