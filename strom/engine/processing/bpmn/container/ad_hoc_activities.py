"""What the ad-hoc subprocess and its inner instances share: activating an inner element in a new
inner instance, and the subprocess's part when an inner instance completes (the output collection
and the completion condition).

Zeebe 8.8 (``BpmnAdHocSubProcessBehavior``, ``AdHocSubProcessProcessor``) runs every activation of
an inner element inside its own inner instance, an ``AD_HOC_SUB_PROCESS_INNER_INSTANCE`` element
``<id>#innerInstance`` whose ACTIVATING and ACTIVATED events the subprocess writes itself (there is
no ACTIVATE command for it), followed by the ACTIVATE_ELEMENT command of the inner element. The
inner instance is the variable scope of that one activation (the output element and the variables
an instruction gives the element live there), and it completes when the flow it started has ended,
which is when the subprocess evaluates its completion condition.

A subprocess with a ``zeebe:taskDefinition`` is driven by a job worker instead (Zeebe's
``JOB_WORKER`` implementation type, the AI-agent pattern): a job of kind ``AD_HOC_SUB_PROCESS`` is
created when it activates and again after each inner flow ends (the previous one cancelled if
still open); the worker's job result names the elements to activate and whether the completion
condition is fulfilled (AD_HOC_SUB_PROCESS_INSTRUCTION ACTIVATE / COMPLETE, see
``processing/ad_hoc_sub_process_instruction``). Once it is, the subprocess completes when nothing
runs in it any more, terminating what still runs first when asked to.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.expression import _feel_type
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.variable import to_json
from strom.engine.processing.bpmn.behavior.variable_mapping import owner_of
from strom.engine.processing.bpmn.container._children import terminate_children
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.feel import FeelError, compile_expression, to_python
from strom.feel import ast as feel_ast
from strom.feel.parser import parse_expression as parse_feel
from strom.model import AdHoc
from strom.protocol.bpmn import BpmnElementType, BpmnEventType
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.enums import ErrorType, JobKind
from strom.stream.key_generator import KeyGenerator

_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NULL = b"null"
ELEMENTS_VARIABLE = "adHocSubProcessElements"
"""The subprocess's local variable describing the elements that may be activated (Zeebe's name)."""
_FROM_AI = "fromAi"
_FROM_AI_PARAMETERS = ("value", "description", "type", "schema", "options")


def activity_metadata(context: ElementContext) -> list[dict[str, Any]]:
    """Zeebe's ``AdHocActivityMetadata`` of each element that may be activated: id, name,
    documentation, ``zeebe:properties`` (an empty value is null) and the ``fromAi(...)`` parameters
    of its input mappings; empty entries are left out, as Zeebe's JSON leaves them out."""
    executable = context.process.executable
    result = []
    for element_id in ad_hoc_of(context).activity_ids:
        element = executable.flow_node(element_id)
        entry: dict[str, Any] = {"elementId": element.id}
        if element.name:
            entry["elementName"] = element.name
        if element.documentation:
            entry["documentation"] = element.documentation
        if element.properties:
            entry["properties"] = {name: value or None for name, value in element.properties.items()}
        parameters = [
            parameter
            for mapping in element.io_mappings.inputs
            if not mapping.source.is_static
            for parameter in _from_ai_parameters(mapping.source.source)
        ]
        if parameters:
            entry["parameters"] = parameters
        result.append(entry)
    return result


def _from_ai_parameters(source: str) -> list[dict[str, Any]]:
    """The ``fromAi(value, description, type, schema, options)`` calls in a FEEL expression, in
    source order, as Zeebe's tool parameters (the name is the last segment of ``value``)."""
    try:
        tree = parse_feel(source)
    except FeelError:
        return []
    found: list[dict[str, Any]] = []
    _collect_from_ai(tree, source, found)
    return found


def _collect_from_ai(node: Any, source: str, found: list[dict[str, Any]]) -> None:
    if (
        isinstance(node, feel_ast.Call)
        and isinstance(node.callee, feel_ast.Name)
        and node.callee.name == _FROM_AI
    ):
        parameter = _from_ai_parameter(node, source)
        if parameter is not None:
            found.append(parameter)
    if isinstance(node, (list, tuple)):
        for item in node:
            _collect_from_ai(item, source, found)
    elif dataclasses.is_dataclass(node):
        for item in dataclasses.fields(node):
            _collect_from_ai(getattr(node, item.name), source, found)


def _from_ai_parameter(call: Any, source: str) -> dict[str, Any] | None:
    arguments: dict[str, Any] = dict(zip(_FROM_AI_PARAMETERS, call.args, strict=False))
    for name, argument in call.named or ():
        arguments[name] = argument
    value = arguments.get("value")
    if not isinstance(value, (feel_ast.Path, feel_ast.Name)):
        return None  # Zeebe wants a variable reference (``toolCall.x``); its last segment names it
    parameter: dict[str, Any] = {"name": value.name}
    for key in ("description", "type"):
        argument = arguments.get(key)
        if isinstance(argument, feel_ast.Literal) and isinstance(argument.value, str) and argument.value:
            parameter[key] = argument.value
    for key in ("schema", "options"):
        argument = arguments.get(key)
        if isinstance(argument, feel_ast.ContextLit) and argument.entries:
            try:
                evaluated = to_python(compile_expression(source[argument.start : argument.end]).evaluate({}))
            except FeelError:
                evaluated = None
            if evaluated is not None:
                parameter[key] = evaluated
    return parameter


def is_job_worker(context: ElementContext) -> bool:
    """Whether the ad-hoc subprocess is driven by a job worker (``zeebe:taskDefinition``)."""
    return context.element.job is not None


def ad_hoc_of(context: ElementContext) -> AdHoc:
    ad_hoc = context.element.ad_hoc
    assert ad_hoc is not None  # only ad-hoc subprocesses are run by these processors
    return ad_hoc


def _msgpack_type(value: Any) -> str:
    """The name Zeebe's msgpack reader gives a value's type (its output collection message)."""
    if value is None:
        return "NIL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, float):
        return "FLOAT"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, dict):
        return "MAP"
    return "ARRAY"


class AdHocActivities:
    """Activation of inner elements and the completion rules of an ad-hoc subprocess."""

    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._instances = state.element_instances
        self._variables = state.variables
        self._transitions = behaviors.state_transitions
        self._expressions = behaviors.expressions
        self._variable_behavior = behaviors.variables
        self._jobs = behaviors.jobs
        self._keys = keys
        # The completion condition's result between the two halves of one inner instance's
        # completion (evaluated before it is COMPLETED, used by the subprocess right after, in the
        # same command). Never state: replay does not run processors.
        self._satisfied: dict[int, bool] = {}
        # ``adHocSubProcessElements`` by (process definition, element): derived from the
        # immutable model, so a cache, not state
        self._elements_json: dict[tuple[int, str], bytes] = {}

    # -- activation --------------------------------------------------------------------------------

    def elements_to_activate(self, context: ElementContext) -> list[str] | Failure:
        """The ids ``activeElementsCollection`` names (none without the expression), checked
        against the elements that may be activated."""
        ad_hoc = ad_hoc_of(context)
        expression = ad_hoc.active_elements_collection
        if expression is None:
            return []
        value = self._expressions.evaluate(expression, context.key)
        if isinstance(value, Failure):
            return Failure(
                f"Failed to activate ad-hoc elements. {value.message}",
                ErrorType.EXTRACT_VALUE_ERROR,
                context.key,
            )
        if not isinstance(value, list):
            return Failure(
                "Failed to activate ad-hoc elements. Expected result of the expression "
                f"'{expression.source}' to be 'ARRAY', but was '{_feel_type(value)}'.",
                ErrorType.EXTRACT_VALUE_ERROR,
                context.key,
            )
        if not all(isinstance(item, str) for item in value):
            return Failure(
                "Failed to activate ad-hoc elements. Expected result of the expression "
                f"'{expression.source}' to be 'ARRAY' containing 'STRING' items, but was 'ARRAY' "
                "containing at least one non-'STRING' item.",
                ErrorType.EXTRACT_VALUE_ERROR,
                context.key,
            )
        unknown = [item for item in value if item not in ad_hoc.activity_ids]
        if unknown:
            ids = ", ".join(f"'{item}'" for item in unknown)
            return Failure(
                f"Failed to activate ad-hoc elements. No BPMN elements found with ids: {ids}.",
                ErrorType.EXTRACT_VALUE_ERROR,
                context.key,
            )
        return value

    def initialize_variables(self, writers: Writers, context: ElementContext) -> None:
        """The subprocess's local ``adHocSubProcessElements`` (what may be activated, for job
        workers to choose from) and its output collection, empty (Zeebe's ``onActivate``)."""
        owner = owner_of(context)
        key = (context.process_definition_key, context.element_id)
        elements = self._elements_json.get(key)
        if elements is None:
            elements = to_json(activity_metadata(context))
            self._elements_json[key] = elements
        self._variable_behavior.set_local(writers, context.key, ELEMENTS_VARIABLE, elements, owner)
        name = ad_hoc_of(context).output_collection
        if name:
            self._variable_behavior.set_local(writers, context.key, name, b"[]", owner)

    def create_job(self, writers: Writers, context: ElementContext) -> Failure | None:
        """The job a job worker completes to choose the next elements (kind ``AD_HOC_SUB_PROCESS``,
        the subprocess's task definition and headers, its variables)."""
        definition = context.element.job
        assert definition is not None  # only for job-worker ad-hoc subprocesses
        job = self._jobs.prepare(
            context, definition, context.element.task_headers, JobKind.AD_HOC_SUB_PROCESS
        )
        if isinstance(job, Failure):
            return job
        self._jobs.write(writers, job)
        return None

    def activate(
        self,
        writers: Writers,
        context: ElementContext,
        element_id: str,
        variables: dict[str, Any] | None = None,
    ) -> int:
        """Start ``element_id`` in a new inner instance of the subprocess, with ``variables`` as
        the inner instance's local variables; returns the inner instance's key."""
        ad_hoc = ad_hoc_of(context)
        inner_key = self._keys.next_key()
        inner_value = msgspec.structs.replace(
            context.value,
            element_id=ad_hoc.inner_instance_id,
            bpmn_element_type=BpmnElementType.AD_HOC_SUB_PROCESS_INNER_INSTANCE,
            bpmn_event_type=BpmnEventType.UNSPECIFIED,
            flow_scope_key=context.key,
        )
        writers.append_event(inner_key, PI.ELEMENT_ACTIVATING, inner_value)
        writers.append_event(inner_key, PI.ELEMENT_ACTIVATED, inner_value)
        output = ad_hoc.output_element
        if output is not None and not output.is_static and _VARIABLE_NAME.fullmatch(output.source.strip()):
            # the activation fills it in; it stays local to this inner instance
            self._variable_behavior.set_local(
                writers, inner_key, output.source.strip(), _NULL, owner_of(context)
            )
        if variables:
            self._variable_behavior.merge_local(writers, inner_key, variables, owner_of(context))
        executable = context.process.executable
        element = executable.flow_node(element_id)
        inner = ElementContext(
            inner_key, inner_value, executable.flow_node(ad_hoc.inner_instance_id), context.process
        )
        self._transitions.activate_element(writers, inner, element)
        return inner_key

    # -- an inner instance completes ---------------------------------------------------------------

    def before_inner_completed(
        self, writers: Writers, subprocess: ElementContext, inner: ElementContext
    ) -> Failure | None:
        """Append the output element to the output collection and evaluate the completion
        condition, before the inner instance is COMPLETED (its variables are still there)."""
        ad_hoc = ad_hoc_of(subprocess)
        if ad_hoc.output_collection:
            failure = self._append_output(writers, ad_hoc, subprocess, inner)
            if failure is not None:
                return failure
        self._satisfied.pop(inner.key, None)
        condition = ad_hoc.completion_condition
        if condition is None or is_job_worker(subprocess):
            return None  # a job worker says when the condition is fulfilled
        satisfied = self._expressions.evaluate(condition, subprocess.key)
        if isinstance(satisfied, Failure):
            return Failure(
                f"Failed to evaluate completion condition. {satisfied.message}",
                ErrorType.EXTRACT_VALUE_ERROR,
                subprocess.key,
            )
        if not isinstance(satisfied, bool):
            return Failure(
                "Failed to evaluate completion condition. Expected result of the expression "
                f"'{condition.source}' to be 'BOOLEAN', but was '{_feel_type(satisfied)}'.",
                ErrorType.EXTRACT_VALUE_ERROR,
                subprocess.key,
            )
        self._satisfied[inner.key] = satisfied
        return None

    def after_inner_completed(
        self, writers: Writers, subprocess: ElementContext, inner: ElementContext
    ) -> None:
        """Complete the subprocess when its completion rule says so (Zeebe's
        ``afterExecutionPathCompleted``): without a condition once nothing is left running; with
        one once it held, terminating the remaining inner instances first when
        ``cancelRemainingInstances`` is set."""
        instance = self._instances.get(subprocess.key)
        satisfied = self._satisfied.pop(inner.key, False)
        if instance is None or not instance.is_active:
            return
        ad_hoc = ad_hoc_of(subprocess)
        if is_job_worker(subprocess):
            # one open job at a time: the worker decides again, seeing this flow's results
            if instance.job_key > 0:
                self._jobs.cancel(writers, instance.job_key)
            if instance.completion_condition_fulfilled:
                self.completion_condition_fulfilled(writers, subprocess, ad_hoc.cancel_remaining_instances)
            else:
                # as Zeebe, a job type or retries expression that fails now creates no job
                self.create_job(writers, subprocess)
            return
        if ad_hoc.completion_condition is None:
            if instance.can_complete_scope:
                self._transitions.complete_element(writers, subprocess)
            return
        if satisfied:
            self.completion_condition_fulfilled(writers, subprocess, ad_hoc.cancel_remaining_instances)

    def completion_condition_fulfilled(
        self, writers: Writers, subprocess: ElementContext, cancel_remaining_instances: bool
    ) -> None:
        """Complete the subprocess now that its completion condition is fulfilled: at once when
        nothing runs in it; else terminate what runs (it completes after the last one, see
        ``on_child_terminated``) or, without ``cancel_remaining_instances``, wait for it (Zeebe's
        ``BpmnAdHocSubProcessBehavior.completionConditionFulfilled``)."""
        instance = self._instances.get(subprocess.key)
        if instance is None:
            return
        if cancel_remaining_instances:
            if not terminate_children(self._instances, self._transitions, writers, subprocess):
                self._transitions.complete_element(writers, subprocess)
        elif instance.can_complete_scope:
            self._transitions.complete_element(writers, subprocess)

    def _append_output(
        self, writers: Writers, ad_hoc: AdHoc, subprocess: ElementContext, inner: ElementContext
    ) -> Failure | None:
        name = ad_hoc.output_collection
        assert name is not None
        element: Any = None
        if ad_hoc.output_element is not None:
            element = self._expressions.evaluate(ad_hoc.output_element, inner.key)
            if isinstance(element, Failure):
                return element
        stored = self._variables.get_local(subprocess.key, name)
        collection = stored.value if stored is not None else None
        if not isinstance(collection, list):
            return Failure(
                "The output collection has the wrong type. Expected ARRAY but was "
                f"{_msgpack_type(collection)}.",
                ErrorType.EXTRACT_VALUE_ERROR,
                subprocess.key,
            )
        self._variable_behavior.set_local(
            writers, subprocess.key, name, to_json([*collection, element]), owner_of(subprocess)
        )
        return None
