"""Call activities and the process instances they call.

The called (child) process instance carries ``parent_process_instance_key`` and
``parent_element_instance_key`` on its records; its ELEMENT_ACTIVATING links it to the call
activity instance (``called_child_instance_key``). The child starts with a copy of the parent's
variables (all visible ones with ``propagateAllParentVariables``, else only the call activity's
input mappings). When it completes, its root variables go to the call activity: as its local
variables when it has output mappings, else merged upward with ``propagateAllChildVariables``;
then the call activity completes. Terminating either side terminates the other.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.state_transition import StateTransitionBehavior
from strom.engine.processing.bpmn.behavior.variable import VariableBehavior, VariableOwner
from strom.engine.processing.bpmn.behavior.variable_mapping import owner_of
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.element_instance import ElementInstanceState
from strom.engine.state.process import DeployedProcess, ProcessState
from strom.engine.state.variable import VariableState
from strom.model import BindingType, CalledElement
from strom.protocol.bpmn import BpmnElementType, BpmnEventType
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.enums import ErrorType
from strom.protocol.values.process_instance import ProcessInstanceRecordValue
from strom.stream.key_generator import KeyGenerator

_json_decode = msgspec.json.decode


class CallActivityBehavior:
    def __init__(
        self,
        instances: ElementInstanceState,
        processes: ProcessState,
        variables: VariableState,
        expressions: ExpressionBehavior,
        variable_behavior: VariableBehavior,
        transitions: StateTransitionBehavior,
        keys: KeyGenerator,
    ) -> None:
        self._instances = instances
        self._processes = processes
        self._variables = variables
        self._expressions = expressions
        self._variable_behavior = variable_behavior
        self._transitions = transitions
        self._keys = keys

    # -- calling -----------------------------------------------------------------------------------

    def called_process(self, context: ElementContext, called: CalledElement) -> DeployedProcess | Failure:
        """The process to call, by the evaluated process id and the binding type."""
        process_id = self._expressions.evaluate_string(called.process_id, context.key, "process id")
        if isinstance(process_id, Failure):
            return process_id
        tenant_id = context.value.tenant_id  # a called process is of the caller's tenant
        if called.binding_type is BindingType.DEPLOYMENT:
            deployment_key = context.process.record.deployment_key
            process = self._in_deployment(tenant_id, process_id, deployment_key)
            if process is None:
                return Failure(
                    f"Expected to call process with BPMN process id '{process_id}' with binding "
                    f"type 'deployment', but no such process found in the deployment with key "
                    f"{deployment_key} which contained the current process. To resolve this "
                    "incident, migrate the process instance to a process definition that is deployed "
                    "together with the intended process definition to call.",
                    ErrorType.CALLED_ELEMENT_ERROR,
                )
        elif called.binding_type is BindingType.VERSION_TAG:
            process = self._processes.latest_by_version_tag(tenant_id, process_id, called.version_tag or "")
            if process is None:
                return Failure(
                    f"Expected to call process with BPMN process id '{process_id}' and version tag "
                    f"'{called.version_tag}', but no such process found. To resolve this incident, "
                    "deploy a process with the given process id and version tag.",
                    ErrorType.CALLED_ELEMENT_ERROR,
                )
        else:
            process = self._processes.latest(tenant_id, process_id)
            if process is None:
                return Failure(
                    f"Expected process with BPMN process id '{process_id}' to be deployed, but not found.",
                    ErrorType.CALLED_ELEMENT_ERROR,
                )
        if process.executable.none_start_event is None:
            return Failure(
                f"Expected process with BPMN process id '{process_id}' to have a none start event, "
                "but not found.",
                ErrorType.CALLED_ELEMENT_ERROR,
            )
        return process

    def _in_deployment(self, tenant_id: str, process_id: str, deployment_key: int) -> DeployedProcess | None:
        # versions grow with deployments: walk down from the latest until an older deployment
        version = self._processes.latest_version(tenant_id, process_id)
        while version > 0:
            process = self._processes.by_id_and_version(tenant_id, process_id, version)
            if process is not None:
                if process.record.deployment_key == deployment_key:
                    return process
                if process.record.deployment_key < deployment_key:
                    return None
            version -= 1
        return None

    def create_child(
        self, writers: Writers, context: ElementContext, process: DeployedProcess, called: CalledElement
    ) -> int:
        """Copy the variables and ask for the child process instance; returns its key."""
        child_key = self._keys.next_key()
        record = process.record
        owner = VariableOwner(
            child_key, record.process_definition_key, record.bpmn_process_id, record.tenant_id
        )
        if called.propagate_all_parent_variables:
            variables = self._variables.visible_json(context.key)
        elif context.element.io_mappings.inputs:
            variables = {
                variable.name: variable.json for variable in self._variables.local_variables(context.key)
            }
        else:
            variables = {}
        for name, json in variables.items():
            self._variable_behavior.set_local(writers, child_key, name, json, owner)
        value = context.value
        writers.append_command(
            child_key,
            PI.ACTIVATE_ELEMENT,
            ProcessInstanceRecordValue(
                bpmn_process_id=record.bpmn_process_id,
                version=record.version,
                process_definition_key=record.process_definition_key,
                process_instance_key=child_key,
                element_id=record.bpmn_process_id,
                flow_scope_key=-1,
                bpmn_element_type=BpmnElementType.PROCESS,
                bpmn_event_type=BpmnEventType.UNSPECIFIED,
                parent_process_instance_key=value.process_instance_key,
                parent_element_instance_key=context.key,
                tenant_id=value.tenant_id,
            ),
        )
        return child_key

    def terminate_child(self, writers: Writers, context: ElementContext) -> bool:
        """Ask the called process instance to terminate; False when there is none (any more)."""
        instance = self._instances.get(context.key)
        if instance is None or instance.called_child_instance_key <= 0:
            return False
        child = self._instances.get(instance.called_child_instance_key)
        if child is None:
            return False
        if not child.is_terminating:
            self._transitions.terminate_element(writers, child)
        return True

    # -- the child process reports back ----------------------------------------------------------

    def caller_of(self, child: ElementContext) -> ElementContext | None:
        caller_key = child.value.parent_element_instance_key
        instance = self._instances.get(caller_key) if caller_key > 0 else None
        if instance is None:
            return None
        return self._transitions.context_of(instance)

    def child_variables(self, child: ElementContext) -> dict[str, Any]:
        """The child's root variables (read before it completes: the scope goes with it)."""
        caller = self.caller_of(child)
        called = caller.element.called_element if caller is not None else None
        if caller is None or called is None:
            return {}
        if not (caller.element.io_mappings.outputs or called.propagate_all_child_variables):
            return {}
        return {
            variable.name: _json_decode(variable.json)
            for variable in self._variables.local_variables(child.key)
        }

    def on_child_completed(self, writers: Writers, child: ElementContext, variables: dict[str, Any]) -> None:
        caller = self.caller_of(child)
        if caller is None:
            return
        instance = self._instances.get(caller.key)
        if instance is None:
            return
        if instance.is_active:
            if variables:
                owner = owner_of(caller)
                if caller.element.io_mappings.outputs:
                    self._variable_behavior.merge_local(writers, caller.key, variables, owner)
                else:
                    self._variable_behavior.merge_propagate(writers, caller.key, variables, owner)
            self._transitions.complete_element(writers, caller)
        elif instance.is_terminating:
            self._transitions.end_terminated(writers, caller)

    def on_child_terminated(self, writers: Writers, child: ElementContext) -> None:
        caller = self.caller_of(child)
        if caller is None:
            return
        instance = self._instances.get(caller.key)
        if instance is None:
            return
        if instance.is_terminating:
            self._transitions.end_terminated(writers, caller)
        elif instance.state in (PI.ELEMENT_ACTIVATED, PI.ELEMENT_ACTIVATING, PI.ELEMENT_COMPLETING):
            # the called instance ended without completing: the call activity cannot go on
            self._transitions.terminate_element(writers, instance)
