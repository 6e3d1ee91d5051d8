"""The checks of a migration, with Zeebe 8.8's rejection texts (``ProcessInstanceMigrationPreconditions``).

Each check raises :class:`MigrationRejected`; the processor runs them all before writing anything,
so a rejected migration leaves the instance untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from strom.engine.state.element_instance import ElementInstance
from strom.engine.state.process import DeployedProcess
from strom.model import FlowNode, SequenceFlow
from strom.protocol.bpmn import BpmnElementType as E
from strom.protocol.bpmn import BpmnEventType
from strom.protocol.enums import RejectionType

SUPPORTED_ELEMENT_TYPES = frozenset(
    {
        E.PROCESS,
        E.SERVICE_TASK,
        E.USER_TASK,
        E.SUB_PROCESS,
        E.EVENT_SUB_PROCESS,
        E.CALL_ACTIVITY,
        E.INTERMEDIATE_CATCH_EVENT,
        E.RECEIVE_TASK,
        E.EXCLUSIVE_GATEWAY,
        E.BUSINESS_RULE_TASK,
        E.SCRIPT_TASK,
        E.SEND_TASK,
        E.MULTI_INSTANCE_BODY,
        E.EVENT_BASED_GATEWAY,
    }
)
"""Zeebe 8.8 migrates these and also ad-hoc subprocesses, which Strom refuses with Zeebe's
unsupported-type text."""

SUPPORTED_CATCH_EVENT_TYPES = frozenset({BpmnEventType.MESSAGE, BpmnEventType.TIMER, BpmnEventType.SIGNAL})
_ZEEBE_USER_TASK = "zeebe user task"
_JOB_WORKER = "job worker"
_QUOTED_SEPARATOR = "', '"


class MigrationRejected(Exception):
    """A precondition failed: the command is rejected with ``rejection_type`` and ``reason``."""

    def __init__(self, rejection_type: RejectionType, reason: str) -> None:
        super().__init__(reason)
        self.rejection_type = rejection_type
        self.reason = reason


def _invalid_state(reason: str) -> MigrationRejected:
    return MigrationRejected(RejectionType.INVALID_STATE, reason)


def instance_not_found(key: int) -> str:
    return f"Expected to migrate process instance but no process instance found with key '{key}'"


def require_target(target: DeployedProcess | None, key: int) -> DeployedProcess:
    if target is None:
        raise MigrationRejected(
            RejectionType.NOT_FOUND,
            "Expected to migrate process instance to process definition but no process definition "
            f"found with key '{key}'",
        )
    return target


def require_no_duplicate_sources(source_ids: list[str], instance_key: int) -> None:
    duplicates = sorted({i for i in source_ids if source_ids.count(i) > 1}, key=source_ids.index)
    if duplicates:
        raise MigrationRejected(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to migrate process instance '{instance_key}' but the mapping instructions contain "
            f"duplicate source element ids '[{', '.join(duplicates)}]'.",
        )


def require_referred_elements(
    source: DeployedProcess, target: DeployedProcess, mappings: Iterable[tuple[str, str]], instance_key: int
) -> None:
    for source_id, target_id in mappings:
        if source_id not in source.executable.elements:
            raise MigrationRejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to migrate process instance '{instance_key}' but mapping instructions contain a "
                f"non-existing source element id '{source_id}'. Elements provided in mapping instructions "
                "must exist in the source process definition.",
            )
        if target_id not in target.executable.elements:
            raise MigrationRejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to migrate process instance '{instance_key}' but mapping instructions contain a "
                f"non-existing target element id '{target_id}'. Elements provided in mapping instructions "
                "must exist in the target process definition.",
            )


def require_supported_type(
    instance: ElementInstance, element: FlowNode, source: DeployedProcess, instance_key: int
) -> None:
    value = instance.value
    element_type = value.bpmn_element_type
    if element_type not in SUPPORTED_ELEMENT_TYPES:
        raise _invalid_state(
            f"Expected to migrate process instance '{instance_key}' but active element with id "
            f"'{value.element_id}' has an unsupported type. The migration of a {element_type.name} is "
            "not supported."
        )
    if element_type is not E.INTERMEDIATE_CATCH_EVENT:
        return
    if value.bpmn_event_type not in SUPPORTED_CATCH_EVENT_TYPES:
        raise _invalid_state(
            f"Expected to migrate process instance '{instance_key}' but active element with id "
            f"'{value.element_id}' is intermediate catch event of type '{value.bpmn_event_type.name}'. "
            "Migrating active intermediate catch event of this type is not possible yet."
        )
    elements = source.executable.elements
    if any(_is_event_based_gateway(elements.get(flow.source_id)) for flow in element.incoming):
        raise _invalid_state(
            f"Expected to migrate process instance '{instance_key}' but active element with id "
            f"'{value.element_id}' is an intermediate catch event attached to an event-based gateway. "
            "Migrating active events attached to an event-based gateway is not possible yet."
        )


def _is_event_based_gateway(element: object) -> bool:
    return isinstance(element, FlowNode) and element.element_type is E.EVENT_BASED_GATEWAY


def require_mapping(target_id: str | None, instance_key: int, element_id: str) -> str:
    if target_id is None:
        raise _invalid_state(
            f"Expected to migrate process instance '{instance_key}' but no mapping instruction defined for "
            f"active element with id '{element_id}'. Elements cannot be migrated without a mapping."
        )
    return target_id


def require_same_type(
    instance: ElementInstance, target: FlowNode | SequenceFlow, instance_key: int
) -> FlowNode:
    """A multi-instance body, and each instance inside it, map to a multi-instance activity (the
    body has the activity's id in the model)."""
    value = instance.value
    target_type = target.element_type
    if isinstance(target, FlowNode) and target.multi_instance is not None:
        if value.bpmn_element_type is E.MULTI_INSTANCE_BODY or instance.multi_instance_loop_counter > 0:
            if value.bpmn_element_type is E.MULTI_INSTANCE_BODY or value.bpmn_element_type is target_type:
                return target
        else:
            target_type = E.MULTI_INSTANCE_BODY
    if not isinstance(target, FlowNode) or value.bpmn_element_type is not target_type:
        raise _invalid_state(
            f"Expected to migrate process instance '{instance_key}' but active element with id "
            f"'{value.element_id}' and type '{value.bpmn_element_type.name}' is mapped to an element with "
            f"id '{target.id}' and different type '{target_type.name}'. Elements must be mapped "
            "to elements of the same type."
        )
    return target


def require_same_loop_characteristics(
    source: FlowNode, target: FlowNode, instance: ElementInstance, instance_key: int
) -> None:
    if instance.value.bpmn_element_type is not E.MULTI_INSTANCE_BODY:
        return
    source_loop, target_loop = source.multi_instance, target.multi_instance
    if source_loop is None or target_loop is None or source_loop.is_sequential == target_loop.is_sequential:
        return
    raise _invalid_state(
        f"Expected to migrate process instance '{instance_key}' but active element with id "
        f"'{source.id}' has a different loop characteristics than the target element with id "
        f"'{target.id}'. Both elements must have either sequential or parallel loop characteristics."
    )


def require_same_user_task_implementation(
    instance: ElementInstance, target: FlowNode, instance_key: int
) -> None:
    """Zeebe before 8.8.17: a user task keeps its implementation (job worker or Camunda user task)."""
    if target.element_type is not E.USER_TASK:
        return
    source_kind = _ZEEBE_USER_TASK if instance.user_task_key > 0 else _JOB_WORKER
    definition = target.user_task
    target_kind = (
        _ZEEBE_USER_TASK if definition is not None and definition.is_zeebe_user_task else _JOB_WORKER
    )
    if source_kind != target_kind:
        raise _invalid_state(
            f"Expected to migrate process instance '{instance_key}' but active user task with id "
            f"'{instance.value.element_id}' and implementation '{source_kind}' is mapped to an user task "
            f"with id '{target.id}' and different implementation '{target_kind}'. Elements must be mapped "
            "to elements of the same implementation."
        )


def require_unchanged_flow_scope(
    instance: ElementInstance, migrated_flow_scope_id: str | None, target: FlowNode, instance_key: int
) -> None:
    """``migrated_flow_scope_id``: the target element id of the instance's flow scope (None for the
    process instance itself). An instance inside a multi-instance body has the body, which has the
    activity's id, as its flow scope."""
    if migrated_flow_scope_id is None:
        return
    inner = instance.multi_instance_loop_counter > 0 and target.multi_instance is not None
    actual = target.id if inner else (target.flow_scope_id or "")
    if actual != migrated_flow_scope_id:
        raise _invalid_state(
            f"Expected to migrate process instance '{instance_key}' but the flow scope of active element "
            f"with id '{instance.value.element_id}' is changed. The flow scope of the active element is "
            f"expected to be '{migrated_flow_scope_id}' but was '{actual}'. The flow scope of an element "
            "cannot be changed during migration yet."
        )


def require_catch_events_stay_attached(
    instance_key: int,
    source_id: str,
    target_id: str,
    source_events: list[FlowNode],
    target_events: list[FlowNode],
    mapping: Mapping[str, str],
) -> None:
    target_ids = {event.id for event in target_events}
    for event in source_events:
        mapped = mapping.get(event.id)
        if mapped is not None and mapped not in target_ids:
            raise _invalid_state(
                f"Expected to migrate process instance '{instance_key}' but active element with id "
                f"'{source_id}' is mapped to an element with id '{target_id}' and has a catch event with id "
                f"'{event.id}' that is mapped to a catch event with id '{mapped}'. These mappings detach "
                "the catch event from the element in the target process. Catch events must stay attached "
                "to the same element instance."
            )


def require_no_merged_catch_events(
    instance_key: int, source_id: str, source_events: list[FlowNode], mapping: Mapping[str, str]
) -> None:
    sources_by_target: dict[str, list[str]] = {}
    for event in source_events:
        mapped = mapping.get(event.id)
        if mapped is not None:
            sources_by_target.setdefault(mapped, []).append(event.id)
    for target_event_id, source_ids in sources_by_target.items():
        if len(source_ids) > 1:
            raise _invalid_state(
                f"Expected to migrate process instance '{instance_key}' but active element with id "
                f"'{source_id}' has a catch event attached that is mapped to a catch event with id "
                f"'{target_event_id}'. There are multiple mapping instructions that target this catch "
                f"event: '{_QUOTED_SEPARATOR.join(sorted(source_ids))}'. Catch events cannot be merged by "
                "process instance migration. Please ensure the mapping instructions target a catch event "
                "only once."
            )


def require_same_catch_event_types(
    instance_key: int,
    source_id: str,
    source_events: list[FlowNode],
    target: DeployedProcess,
    mapping: Mapping[str, str],
) -> None:
    for event in source_events:
        mapped = mapping.get(event.id)
        if mapped is None:
            continue
        target_event = target.executable.elements.get(mapped)
        target_type = (
            target_event.event_type if isinstance(target_event, FlowNode) else BpmnEventType.UNSPECIFIED
        )
        if event.event_type is not target_type:
            raise _invalid_state(
                f"Expected to migrate process instance '{instance_key}' but active element with id "
                f"'{source_id}' has a catch event with id '{event.id}' that is mapped to a catch event with "
                f"id '{mapped}'. These catch events have different event types: '{event.event_type.name}' "
                f"and '{target_type.name}'. The event type of a catch event cannot be changed by process "
                "instance migration. Please ensure the event type of the catch event remains the same or "
                "remove the mapping instruction for these catch events."
            )


def require_no_concurrent_command(has_trigger: bool, instance: ElementInstance, instance_key: int) -> None:
    """An event trigger waiting to be taken, or a token on its way, means another command is
    about to change the instance."""
    if has_trigger or instance.active_flows > 0:
        raise _invalid_state(
            f"Expected to migrate process instance '{instance_key}' but a concurrent command was executed "
            "on the process instance. Please retry the migration."
        )


def require_no_subscription_for_message(
    subscribed: bool, instance: ElementInstance, message_name: str, target_event_id: str
) -> None:
    if subscribed:
        value = instance.value
        raise _invalid_state(
            f"Expected to migrate process instance '{value.process_instance_key}' but active element with "
            f"id '{value.element_id}' attempts to subscribe to a message it is already subscribed to with "
            f"name '{message_name}'. Migrating active elements that subscribe to a message they are already "
            "subscribed to is not possible yet. Please provide a mapping instruction to message catch event "
            f"with id '{target_event_id}' to migrate the respective message subscription."
        )
