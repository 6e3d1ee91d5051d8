"""Multi-instance activities: the loop variables of each inner instance and what its completion
means for the body.

The body (``MULTI_INSTANCE_BODY``, same element id as the activity) evaluates the input collection
when it activates and keeps the output collection as its local variable. Each inner instance gets
the local variables ``loopCounter`` (1, 2, ...), the input element and, when the output element is
a plain variable, that variable set to null, so the activity can fill it in. When an inner
instance completes, its output element is written into the output collection at its position and
the completion condition is evaluated with ``numberOfInstances``, ``numberOfActiveInstances``,
``numberOfCompletedInstances`` and ``numberOfTerminatedInstances`` (counted as if the instance
had already completed).
"""

from __future__ import annotations

import re
from typing import Any

from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior, _feel_type
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.variable import VariableBehavior, to_json
from strom.engine.processing.bpmn.behavior.variable_mapping import owner_of
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.element_instance import ElementInstance, ElementInstanceState
from strom.engine.state.variable import VariableState
from strom.feel import FeelError, to_python
from strom.model import MultiInstance
from strom.protocol.values.enums import ErrorType

LOOP_COUNTER = "loopCounter"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NULL = b"null"


class MultiInstanceBehavior:
    def __init__(
        self,
        instances: ElementInstanceState,
        variables: VariableState,
        expressions: ExpressionBehavior,
        variable_behavior: VariableBehavior,
    ) -> None:
        self._instances = instances
        self._variables = variables
        self._expressions = expressions
        self._variable_behavior = variable_behavior
        # Completion-condition results between the two halves of one inner instance's completion
        # (before it is COMPLETED, and the body's notification right after, in the same command).
        # Never state: replay does not run processors.
        self._satisfied: set[int] = set()

    def input_collection(self, loop: MultiInstance, scope_key: int) -> list[Any] | Failure:
        """The input collection evaluated in ``scope_key``; it must be a list."""
        value = self._expressions.evaluate(loop.input_collection, scope_key)
        if isinstance(value, (Failure, list)):
            return value
        return Failure(
            f"Expected result of the expression '{loop.input_collection.source}' to be 'ARRAY', "
            f"but was '{_feel_type(value)}'.",
            ErrorType.EXTRACT_VALUE_ERROR,
            scope_key,
        )

    def on_inner_activating(self, writers: Writers, inner: ElementContext) -> Failure | None:
        """Set the loop variables of a new inner instance (again when its activation is retried)."""
        loop = inner.element.multi_instance
        instance = self._instances.get(inner.key)
        if loop is None or instance is None:
            return None
        loop_counter = instance.multi_instance_loop_counter
        collection = self.input_collection(loop, inner.key)
        if isinstance(collection, Failure):
            return collection
        index = loop_counter - 1
        if index >= len(collection):
            return Failure(
                f"Expected to read item at index {index} of the multiInstanceBody input collection "
                f"but it contains only {len(collection)} elements. The input collection might be "
                "modified while iterating over it.",
                ErrorType.EXTRACT_VALUE_ERROR,
                inner.key,
            )
        owner = owner_of(inner)
        behavior = self._variable_behavior
        if loop.input_element:
            behavior.set_local(writers, inner.key, loop.input_element, to_json(collection[index]), owner)
        output = loop.output_element
        if (
            output is not None
            and not output.is_static
            and _NAME.fullmatch(output.source.strip())
            and output.source.strip() not in (loop.input_element, LOOP_COUNTER)
        ):
            behavior.set_local(writers, inner.key, output.source.strip(), _NULL, owner)
        behavior.set_local(writers, inner.key, LOOP_COUNTER, to_json(loop_counter), owner)
        return None

    def initialize_output_collection(self, writers: Writers, body: ElementContext, size: int) -> None:
        loop = body.element.multi_instance
        if loop is not None and loop.output_collection:
            self._variable_behavior.set_local(
                writers, body.key, loop.output_collection, to_json([None] * size), owner_of(body)
            )

    def before_inner_completed(self, writers: Writers, inner: ElementContext) -> Failure | None:
        """Write the output element into the body's output collection and evaluate the
        completion condition (its result is kept for ``completion_condition_met``)."""
        loop = inner.element.multi_instance
        instance = self._instances.get(inner.key)
        body = self._instances.get(inner.flow_scope_key)
        if loop is None or instance is None or body is None:
            return None
        if loop.output_collection:
            failure = self._update_output_collection(writers, loop, inner, instance, body)
            if failure is not None:
                return failure
        self._satisfied.discard(inner.key)
        condition = loop.completion_condition
        if condition is None:
            return None
        satisfied = self._evaluate_condition(loop, inner, body)
        if isinstance(satisfied, Failure):
            return satisfied
        if satisfied:
            self._satisfied.add(inner.key)
        return None

    def completion_condition_met(self, inner_key: int) -> bool:
        """Whether the completion condition held when ``inner_key`` completed (asked once)."""
        if inner_key in self._satisfied:
            self._satisfied.discard(inner_key)
            return True
        return False

    def _update_output_collection(
        self,
        writers: Writers,
        loop: MultiInstance,
        inner: ElementContext,
        instance: ElementInstance,
        body: ElementInstance,
    ) -> Failure | None:
        name = loop.output_collection
        assert name is not None
        element = None
        if loop.output_element is not None:
            element = self._expressions.evaluate(loop.output_element, inner.key)
            if isinstance(element, Failure):
                return element
        stored = self._variables.get_local(body.key, name)
        collection = stored.value if stored is not None else None
        index = instance.multi_instance_loop_counter - 1
        if not isinstance(collection, list):
            return Failure(
                f"Unable to update an item in output collection '{name}' because the type of the "
                f"output collection is: {_feel_type(collection)}. This may happen when multiple BPMN "
                "elements write to the same variable.",
                ErrorType.EXTRACT_VALUE_ERROR,
                inner.key,
            )
        if not 0 <= index < len(collection):
            return Failure(
                f"Unable to update an item in output collection '{name}' at position "
                f"{index + 1} because the size of the collection is: {len(collection)}. This may "
                "happen when multiple BPMN elements write to the same variable.",
                ErrorType.EXTRACT_VALUE_ERROR,
                inner.key,
            )
        collection[index] = element
        self._variable_behavior.set_local(writers, body.key, name, to_json(collection), owner_of(inner))
        return None

    def _evaluate_condition(
        self, loop: MultiInstance, inner: ElementContext, body: ElementInstance
    ) -> bool | Failure:
        condition = loop.completion_condition
        assert condition is not None
        if condition.is_static:
            value = condition.value
        else:
            compiled = condition.compiled
            names = compiled.free_names
            variables = self._variables.visible_values(inner.key, names) if names else {}
            counts = {
                "numberOfInstances": body.activated_children,
                "numberOfActiveInstances": body.active_children - 1,
                "numberOfCompletedInstances": body.completed_children + 1,
                "numberOfTerminatedInstances": body.terminated_children,
            }
            for name, count in counts.items():
                if name in names:
                    variables[name] = count
            try:
                value = to_python(compiled.evaluate(variables))
            except FeelError as error:
                return Failure(
                    f"Expected to evaluate expression '{condition.source}', but {error}",
                    ErrorType.EXTRACT_VALUE_ERROR,
                    inner.key,
                )
        if isinstance(value, bool):
            return value
        return Failure(
            f"Expected result of the expression '{condition.source}' to be 'BOOLEAN', but was "
            f"'{_feel_type(value)}'.",
            ErrorType.EXTRACT_VALUE_ERROR,
            inner.key,
        )
