"""Signal throw and end events broadcast a signal (SIGNAL BROADCAST, processed like a client's)."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.variable import VariableState
from strom.protocol.intents import SignalIntent
from strom.protocol.values.enums import ErrorType
from strom.protocol.values.signal import SignalRecordValue


class SignalBehavior:
    def __init__(self, variables: VariableState, expressions: ExpressionBehavior) -> None:
        self._variables = variables
        self._expressions = expressions

    def broadcast(self, writers: Writers, context: ElementContext) -> Failure | None:
        """Broadcast the element's signal with its local variables (its input mappings)."""
        signal = context.element.signal
        if signal is None:
            return Failure(
                f"Expected element '{context.element_id}' to throw a signal, but it has none",
                ErrorType.UNKNOWN,
            )
        name = self._expressions.evaluate_string(signal.name, context.key, "signal name")
        if isinstance(name, Failure):
            return name
        variables = {
            variable.name: variable.value for variable in self._variables.local_variables(context.key)
        }
        writers.append_command(
            -1,
            SignalIntent.BROADCAST,
            SignalRecordValue(signal_name=name, variables=variables, tenant_id=context.value.tenant_id),
        )
        return None
