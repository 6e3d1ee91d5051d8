"""PROCESS_INSTANCE_MODIFICATION MODIFY: activate elements and terminate element instances of a
running process instance in one step (Zeebe's process instance modification).

Activate instructions activate an element anywhere in the instance (creating the subprocesses
around it when needed, see ``ElementActivationBehavior``), setting the variables of their variable
instructions on the element or one of its flow scopes. Terminate instructions terminate an element
instance with everything inside it at once (TERMINATING and TERMINATED events, children first, with
their jobs, user tasks, incidents and subscriptions); a flow scope left with nothing to do is
terminated too, up to the process instance. Every problem is found before anything is written, and
rejects the whole command with Zeebe's message.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.element_activation import ActivationProblem
from strom.engine.processing.bpmn.behavior.variable import VariableOwner
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.element_instance import ElementInstance
from strom.engine.state.process import DeployedProcess
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.intents import ProcessInstanceModificationIntent
from strom.protocol.record import Record

_replace = msgspec.structs.replace
_UNSUPPORTED = (
    BpmnElementType.UNSPECIFIED,
    BpmnElementType.START_EVENT,
    BpmnElementType.SEQUENCE_FLOW,
    BpmnElementType.BOUNDARY_EVENT,
)
_SUPPORTED = "[" + ", ".join(t.name for t in BpmnElementType if t not in _UNSUPPORTED) + "]"
_CONTAINERS = frozenset(
    {
        BpmnElementType.PROCESS,
        BpmnElementType.SUB_PROCESS,
        BpmnElementType.EVENT_SUB_PROCESS,
        BpmnElementType.MULTI_INSTANCE_BODY,
        BpmnElementType.AD_HOC_SUB_PROCESS,
    }
)
_LIVE = (PI.ELEMENT_ACTIVATING, PI.ELEMENT_ACTIVATED, PI.ELEMENT_COMPLETING)


class _Rejected(Exception):
    def __init__(self, rejection_type: RejectionType, reason: str) -> None:
        super().__init__(reason)
        self.rejection_type = rejection_type
        self.reason = reason


class ProcessInstanceModificationModifyProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._instances = state.element_instances
        self._processes = state.processes
        self._activation = behaviors.element_activation
        self._variables = behaviors.variables
        self._jobs = behaviors.jobs
        self._user_tasks = behaviors.user_tasks
        self._incidents = behaviors.incidents
        self._events = behaviors.event_subscriptions

    def process(self, command: Record[Any], writers: Writers) -> None:
        request = command.value
        event_key = command.key if command.key > -1 else request.process_instance_key
        instance = self._instances.get(request.process_instance_key)
        process = self._processes.by_key(instance.value.process_definition_key) if instance else None
        if (
            instance is None
            or process is None
            or instance.value.bpmn_element_type is not BpmnElementType.PROCESS
        ):
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to modify process instance but no process instance found with key '{event_key}'",
            )
            return
        try:
            required = self._validate(request, process, instance)
        except _Rejected as rejected:
            writers.reject(command, rejected.rejection_type, rejected.reason)
            return
        root = instance.value
        activations = []
        required_keys: set[int] = set()
        for instruction in request.activate_instructions:
            element = process.executable.flow_node(instruction.element_id)

            def set_variables(element_id: str, scope_key: int, instruction: Any = instruction) -> None:
                self._variable_instruction(writers, element_id, scope_key, root, process, instruction)

            _, used = self._activation.activate(
                writers, root, process, element, instruction.ancestor_scope_key, set_variables
            )
            required_keys.update(used)
            activations.append(_replace(instruction, ancestor_scope_keys=used))
        required_keys |= required
        for instruction in request.terminate_instructions:
            target = self._instances.get(instruction.element_instance_key)
            if target is None:
                continue  # terminated already, with an earlier instruction's element
            flow_scope_key = target.value.flow_scope_key
            self._terminate(writers, target, process)
            self._terminate_empty_scopes(writers, flow_scope_key, required_keys, process)
        modified = _replace(
            request,
            process_instance_key=request.process_instance_key,
            activate_instructions=activations,
            tenant_id=root.tenant_id,
        )
        writers.respond(writers.append_event(event_key, ProcessInstanceModificationIntent.MODIFIED, modified))

    # -- validation (nothing written yet) ----------------------------------------------------------

    def _validate(self, request: Any, process: DeployedProcess, instance: ElementInstance) -> set[int]:
        process_id = process.bpmn_process_id
        elements = process.executable.elements
        activations = request.activate_instructions
        unknown = sorted(
            {a.element_id for a in activations if not isinstance(elements.get(a.element_id), FlowNode)}
        )
        if unknown:
            raise _Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to modify instance of process '{process_id}' but it contains one or more activate "
                f"instructions with an element that could not be found: '{_quoted(unknown)}'",
            )
        after_event_gateway = _unique(
            a.element_id for a in activations if self._after_event_based_gateway(process, a.element_id)
        )
        if after_event_gateway:
            raise _Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to modify instance of process '{process_id}' but it contains one or more activate "
                f"instructions for elements that are unsupported: '{_quoted(after_event_gateway)}'. "
                "The activation of events belonging to an event-based gateway is not supported.",
            )
        unsupported = _unique(
            a.element_id
            for a in activations
            if process.executable.flow_node(a.element_id).element_type in _UNSUPPORTED
        )
        if unsupported:
            types = _unique(process.executable.flow_node(i).element_type.name for i in unsupported)
            raise _Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to modify instance of process '{process_id}' but it contains one or more activate "
                f"instructions for elements that are unsupported: '{_quoted(unsupported)}'. The activation "
                f"of elements with type '{_quoted(types)}' is not supported. Supported element types "
                f"are: {_SUPPORTED}.",
            )
        missing = _unique(
            str(t.element_instance_key)
            for t in request.terminate_instructions
            if self._instances.get(t.element_instance_key) is None
        )
        if missing:
            raise _Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to modify instance of process '{process_id}' but it contains one or more "
                "terminate "
                f"instructions with an element instance that could not be found: '{_quoted(missing)}'",
            )
        scope_ids = {v.element_id for a in activations for v in a.variable_instructions if v.element_id}
        unknown_scopes = sorted(i for i in scope_ids if not isinstance(elements.get(i), FlowNode))
        if unknown_scopes:
            raise _Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to modify instance of process '{process_id}' but it contains one or more variable "
                f"instructions with a scope element id that could not be found: '{_quoted(unknown_scopes)}'",
            )
        for activation in activations:
            element = process.executable.flow_node(activation.element_id)
            scopes = {scope.id for scope in self._activation.flow_scopes(process, element)}
            for variables in activation.variable_instructions:
                if (
                    variables.element_id
                    and variables.element_id != element.id
                    and variables.element_id not in scopes
                ):
                    raise _Rejected(
                        RejectionType.INVALID_ARGUMENT,
                        f"Expected to modify instance of process '{process_id}' but it contains one or more "
                        "variable instructions with a scope element that doesn't belong to the activating "
                        "element's flow scope. These variables should be set before or after the "
                        "modification.",
                    )
        self._validate_ancestors(request, process, instance)
        self._validate_no_activation_in_terminated_scope(request, process)
        required: set[int] = set()
        for activation in activations:
            element = process.executable.flow_node(activation.element_id)
            try:
                required.update(
                    self._activation.plan(instance.value, process, element, activation.ancestor_scope_key)
                )
            except ActivationProblem as problem:
                raise _Rejected(RejectionType.INVALID_ARGUMENT, str(problem)) from None
        self._check_child_instance_survives(request, process, instance, required)
        return required

    def _validate_ancestors(self, request: Any, process: DeployedProcess, instance: ElementInstance) -> None:
        process_id = process.bpmn_process_id
        keys = _unique(
            a.ancestor_scope_key for a in request.activate_instructions if a.ancestor_scope_key > 0
        )
        ancestors = {key: self._instances.get(key) for key in keys}
        inactive = [
            str(key) for key, ancestor in ancestors.items() if ancestor is None or not ancestor.is_active
        ]
        if inactive:
            raise _Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to modify instance of process '{process_id}' but it contains one or more activate "
                "instructions with an ancestor scope key that does not exist, or is not in an active state: "
                f"'{_quoted(inactive)}'",
            )
        foreign = [
            str(key)
            for key, ancestor in ancestors.items()
            if ancestor is not None and ancestor.value.process_instance_key != instance.key
        ]
        if foreign:
            raise _Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to modify instance of process '{process_id}' but it contains one or more activate "
                "instructions with an ancestor scope key that does not belong to the modified process "
                f"instance: '{_quoted(foreign)}'",
            )
        wrong = ""
        for activation in request.activate_instructions:
            ancestor = ancestors.get(activation.ancestor_scope_key)
            if ancestor is None:
                continue
            element = process.executable.flow_node(activation.element_id)
            scopes = {scope.id for scope in self._activation.flow_scopes(process, element)}
            if ancestor.value.element_id not in scopes:
                wrong += (
                    f"\n- instance '{activation.ancestor_scope_key}' of element "
                    f"'{ancestor.value.element_id}' "
                    f"is not an ancestor of element '{activation.element_id}'"
                )
        if wrong:
            raise _Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to modify instance of process '{process_id}' but it contains one or more activate "
                "instructions with an ancestor scope key that is not an ancestor of the element to "
                f"activate:{wrong}",
            )

    def _validate_no_activation_in_terminated_scope(self, request: Any, process: DeployedProcess) -> None:
        conflicts = []
        for key in _unique(t.element_instance_key for t in request.terminate_instructions):
            terminated = self._instances.get(key)
            if terminated is None:
                continue
            for activation in request.activate_instructions:
                element = process.executable.flow_node(activation.element_id)
                if activation.ancestor_scope_key > 0:
                    conflict = activation.ancestor_scope_key == key
                else:
                    scopes = {scope.id for scope in self._activation.flow_scopes(process, element)}
                    conflict = terminated.value.element_id in scopes
                if conflict:
                    conflicts.append(
                        f"element '{activation.element_id}' requires flow scope instance '{key}' which is "
                        "being terminated"
                    )
        if conflicts:
            raise _Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to modify instance of process '{process.bpmn_process_id}' but it contains one or "
                "more "
                f"activate instructions for elements whose required flow scope instance is also being "
                f"terminated: {', '.join(conflicts)}. Please provide a valid ancestor scope key for the "
                "activation or avoid terminating the required flow scope.",
            )

    def _check_child_instance_survives(
        self, request: Any, process: DeployedProcess, instance: ElementInstance, required: set[int]
    ) -> None:
        """A called instance may not be terminated by emptying it (modify the parent instead)."""
        if instance.value.parent_process_instance_key <= 0 or request.activate_instructions:
            return
        remaining: dict[int, int] = {}
        terminated: set[int] = set()
        for instruction in request.terminate_instructions:
            target = self._instances.get(instruction.element_instance_key)
            if target is None or target.key in terminated or self._inside(target, terminated):
                continue
            terminated.add(target.key)
            scope_key = target.value.flow_scope_key
            while scope_key > 0:
                scope = self._instances.get(scope_key)
                if scope is None:
                    break
                left = remaining.get(scope_key, scope.active_children) - 1
                remaining[scope_key] = left
                if left > 0 or scope.active_flows > 0 or scope_key in required:
                    break
                if scope.value.bpmn_element_type is BpmnElementType.PROCESS:
                    raise _Rejected(
                        RejectionType.INVALID_ARGUMENT,
                        f"Expected to modify instance of process '{process.bpmn_process_id}' but the given "
                        "instructions would terminate the instance. The instance was created by a call "
                        "activity in the parent process. To terminate this instance please modify the "
                        "parent process instead.",
                    )
                terminated.add(scope_key)
                scope_key = scope.value.flow_scope_key

    def _inside(self, instance: ElementInstance, keys: set[int]) -> bool:
        scope_key = instance.value.flow_scope_key
        while scope_key > 0:
            if scope_key in keys:
                return True
            scope = self._instances.get(scope_key)
            scope_key = scope.value.flow_scope_key if scope is not None else -1
        return False

    @staticmethod
    def _after_event_based_gateway(process: DeployedProcess, element_id: str) -> bool:
        element = process.executable.flow_node(element_id)
        return any(
            process.executable.flow_node(flow.source_id).element_type is BpmnElementType.EVENT_BASED_GATEWAY
            for flow in element.incoming
        )

    # -- doing it ----------------------------------------------------------------------------------

    def _variable_instruction(
        self,
        writers: Writers,
        element_id: str,
        scope_key: int,
        root: Any,
        process: DeployedProcess,
        activation: Any,
    ) -> None:
        owner = VariableOwner(root.process_instance_key, process.key, process.bpmn_process_id, root.tenant_id)
        for instruction in activation.variable_instructions:
            target = instruction.element_id or process.bpmn_process_id
            if target == element_id and instruction.variables:
                self._variables.merge_local(writers, scope_key, instruction.variables, owner)

    def _terminate(self, writers: Writers, target: ElementInstance, process: DeployedProcess) -> None:
        """TERMINATING for ``target`` and everything inside it (parents first), with their jobs,
        user tasks, incidents and subscriptions; then TERMINATED (children first)."""
        pending = [target]
        terminating: list[ElementInstance] = []
        while pending:
            current = pending.pop()
            writers.append_event(current.key, PI.ELEMENT_TERMINATING, current.value)
            terminating.append(current)
            if current.job_key > 0:
                self._jobs.cancel(writers, current.job_key)
            self._user_tasks.cancel(writers, current.user_task_key)
            self._incidents.resolve_for_element(writers, current.key)
            self._events.unsubscribe(writers, self._context(current, process))
            element_type = current.value.bpmn_element_type
            if element_type in _CONTAINERS:
                pending.extend(
                    child for child in self._instances.children(current.key) if child.state in _LIVE
                )
            elif element_type is BpmnElementType.CALL_ACTIVITY and current.called_child_instance_key > 0:
                called = self._instances.get(current.called_child_instance_key)
                if called is not None and called.state in _LIVE:
                    pending.append(called)
        for current in reversed(terminating):
            writers.append_event(current.key, PI.ELEMENT_TERMINATED, current.value)

    def _terminate_empty_scopes(
        self, writers: Writers, scope_key: int, required: set[int], process: DeployedProcess
    ) -> None:
        scope = self._instances.get(scope_key)
        while (
            scope is not None
            and scope.active_children == 0
            and scope.active_flows == 0
            and scope.key not in required
        ):
            if (
                scope.value.bpmn_element_type is BpmnElementType.PROCESS
                and scope.value.parent_process_instance_key > 0
            ):
                raise ActivationProblem("a called process instance may not be emptied by a modification")
            parent_key = scope.value.flow_scope_key
            self._terminate(writers, scope, process)
            scope = self._instances.get(parent_key) if parent_key > 0 else None

    def _context(self, instance: ElementInstance, process: DeployedProcess) -> ElementContext:
        if instance.value.process_definition_key != process.key:
            called = self._processes.by_key(instance.value.process_definition_key)
            process = called if called is not None else process
        return ElementContext(
            instance.key, instance.value, process.executable.flow_node(instance.value.element_id), process
        )


def _quoted(items: Any) -> str:
    return "', '".join(items)


def _unique(items: Any) -> list[Any]:
    return list(dict.fromkeys(items))
