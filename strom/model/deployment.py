"""Checks that span the resources of one deployment: ``bindingType="deployment"`` references.

A call activity, business rule task, user task form or linked resource bound to the deployment
must find its target among the resources deployed together with it. ``parse_bpmn`` sees one
resource at a time, so the deployment processor runs this once all resources are parsed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from strom.model.elements import BindingType, BpmnDefinitions, FlowNode
from strom.model.errors import Problem


def _deployment_bound(node: FlowNode) -> Iterator[tuple[str, str]]:
    """(kind, target id) of every reference of ``node`` that is bound to the deployment."""
    deployment = BindingType.DEPLOYMENT
    if node.called_element is not None and node.called_element.binding_type is deployment:
        yield "process", node.called_element.process_id.text
    if node.called_decision is not None and node.called_decision.binding_type is deployment:
        yield "decision", node.called_decision.decision_id.text
    form = node.user_task.form if node.user_task is not None else None
    if form is not None and form.binding_type is deployment and form.form_id is not None:
        yield "form", form.form_id.text
    for resource in node.linked_resources:
        if resource.binding_type is deployment:
            yield "resource", resource.resource_id


_MISSING = "Expected to find {kind} with id '{target}' in current deployment, but not found."


def check_deployment_bindings(
    resources: Mapping[str, BpmnDefinitions],
    *,
    decision_ids: Collection[str] | None = None,
    form_ids: Collection[str] | None = None,
    resource_ids: Collection[str] | None = None,
) -> list[Problem]:
    """Problems of deployment-bound references among ``resources`` (resource name -> definitions).

    Processes are looked up in ``resources``; decisions, forms and linked resources in the given
    id collections, and are not checked when a collection is None (unknown to the caller).
    """
    known: dict[str, Collection[str] | None] = {
        "process": {process.id for definitions in resources.values() for process in definitions.processes},
        "decision": decision_ids,
        "form": form_ids,
        "resource": resource_ids,
    }
    problems = []
    for name, definitions in resources.items():
        for process in definitions.processes:
            for element in process.elements.values():
                if not isinstance(element, FlowNode):
                    continue
                for kind, target in _deployment_bound(element):
                    ids = known[kind]
                    if ids is not None and target not in ids:
                        message = _MISSING.format(kind=kind, target=target)
                        problems.append(Problem(name, element.line, element.id, message))
    return problems
