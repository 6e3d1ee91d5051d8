"""Input and output mappings (zeebe:ioMapping).

Inputs are evaluated when an element activates and become its local variables; a later mapping
sees the results of earlier ones. Outputs are evaluated when it completes, in its own scope (so
they see job variables and inputs), and are merged into its flow scope with propagation. A dotted
target (``order.id``) writes into a context, starting from the variable's current value.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.variable import VariableBehavior, VariableOwner, to_json
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.variable import VariableState
from strom.feel import FeelError, to_python
from strom.model import VariableMapping
from strom.protocol.values.enums import ErrorType


def owner_of(context: ElementContext) -> VariableOwner:
    value = context.value
    return VariableOwner(
        value.process_instance_key, value.process_definition_key, value.bpmn_process_id, value.tenant_id
    )


class VariableMappingBehavior:
    def __init__(self, variables: VariableState, variable_behavior: VariableBehavior) -> None:
        self._variables = variables
        self._variable_behavior = variable_behavior

    def apply_inputs(self, writers: Writers, context: ElementContext) -> Failure | None:
        mappings = context.element.io_mappings.inputs
        if not mappings:
            return None
        results = self._evaluate(mappings, context.key, {})
        if isinstance(results, Failure):
            return results
        owner = owner_of(context)
        for name, value in results.items():
            self._variable_behavior.set_local(writers, context.key, name, to_json(value), owner)
        return None

    def apply_outputs(self, writers: Writers, context: ElementContext) -> Failure | None:
        mappings = context.element.io_mappings.outputs
        if not mappings:
            return None
        results = self._evaluate(mappings, context.key, None)
        if isinstance(results, Failure):
            return results
        # an instance inside a multi-instance body keeps its outputs in its own scope (from there
        # they propagate), so that the body's output element can read them (Zeebe's rule)
        if context.is_multi_instance_inner or context.flow_scope_key <= 0:
            scope = context.key
        else:
            scope = context.flow_scope_key
        self._variable_behavior.merge_propagate(writers, scope, results, owner_of(context))
        return None

    def _evaluate(
        self, mappings: tuple[VariableMapping, ...], scope_key: int, start: dict[str, Any] | None
    ) -> dict[str, Any] | Failure:
        """Evaluate ``mappings`` in order; ``start`` None means nested targets merge into the
        variable's current (visible) value, as output mappings do."""
        results: dict[str, Any] = {}
        for mapping in mappings:
            source = mapping.source
            try:
                if source.is_static:
                    value = source.value
                else:
                    compiled = source.compiled
                    variables = self._variables.visible_values(scope_key, compiled.free_names)
                    variables.update((k, v) for k, v in results.items() if k in compiled.free_names)
                    value = to_python(compiled.evaluate(variables))
            except FeelError as error:
                return Failure(
                    f"Failed to evaluate expression '{source.source}' of the mapping to "
                    f"'{mapping.target}': {error}",
                    ErrorType.IO_MAPPING_ERROR,
                    scope_key,
                )
            root, _, path = mapping.target.partition(".")
            if not path:
                results[root] = value
                continue
            if root in results:
                container = results[root]
            elif start is None:
                current = self._variables.visible_values(scope_key, (root,)).get(root)
                container = current if isinstance(current, dict) else {}
            else:
                container = {}
            if not isinstance(container, dict):
                container = {}
            results[root] = _set_path(container, path.split("."), value)
        return results


def _set_path(container: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    updated = dict(container)
    head = path[0]
    if len(path) == 1:
        updated[head] = value
    else:
        inner = updated.get(head)
        updated[head] = _set_path(inner if isinstance(inner, dict) else {}, path[1:], value)
    return updated
