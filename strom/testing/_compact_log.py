"""The compact record log: one line per record, printed when an engine test fails.

Modelled on Zeebe's CompactRecordLogger: ``C``/``E``/``R``, value type, intent, position and source
position, key, and a short summary of the value. Keys are shown relative to the partition
(2251799813685253 -> K05); a legend, the deployed BPMN and the key table follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import intent_name
from strom.protocol.keys import local_key_of, partition_of
from strom.protocol.record import Record
from strom.testing._identity_log import IDENTITY_VALUE_TYPES, identity_summary

_VALUE_TYPE = {
    ValueType.DEPLOYMENT: "DPLY",
    ValueType.PROCESS: "PROC",
    ValueType.PROCESS_INSTANCE: "PI",
    ValueType.PROCESS_INSTANCE_CREATION: "CREA",
    ValueType.PROCESS_INSTANCE_RESULT: "PI_RSLT",
    ValueType.PROCESS_INSTANCE_MODIFICATION: "MOD",
    ValueType.JOB: "JOB",
    ValueType.JOB_BATCH: "JOB_BATCH",
    ValueType.VARIABLE: "VAR",
    ValueType.VARIABLE_DOCUMENT: "VAR_DOC",
    ValueType.INCIDENT: "INC",
    ValueType.MESSAGE: "MSG",
    ValueType.MESSAGE_SUBSCRIPTION: "MSG_SUB",
    ValueType.PROCESS_MESSAGE_SUBSCRIPTION: "PMSG_SUB",
    ValueType.MESSAGE_START_EVENT_SUBSCRIPTION: "MSG_START",
    ValueType.TIMER: "TIME",
    ValueType.SIGNAL: "SIG",
    ValueType.SIGNAL_SUBSCRIPTION: "SIG_SUB",
    ValueType.ERROR: "ERR",
    ValueType.ESCALATION: "ESC",
    ValueType.USER_TASK: "UT",
    ValueType.DECISION: "DEC",
    ValueType.DECISION_REQUIREMENTS: "DRG",
    ValueType.DECISION_EVALUATION: "DEC_EVAL",
    ValueType.COMPENSATION_SUBSCRIPTION: "COMP_SUB",
    ValueType.MESSAGE_CORRELATION: "MSG_CORR",
    ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION: "AD_HOC",
    **IDENTITY_VALUE_TYPES,
}
_INTENT = {
    "ACTIVATE_ELEMENT": "ACTIVATE",
    "COMPLETE_ELEMENT": "COMPLETE",
    "TERMINATE_ELEMENT": "TERMINATE",
    "ELEMENT_ACTIVATING": "ACTIVATING",
    "ELEMENT_ACTIVATED": "ACTIVATED",
    "ELEMENT_COMPLETING": "COMPLETING",
    "ELEMENT_COMPLETED": "COMPLETED",
    "ELEMENT_TERMINATING": "TERMINATING",
    "ELEMENT_TERMINATED": "TERMINATED",
    "SEQUENCE_FLOW_TAKEN": "SQ_FLW_TKN",
    "CREATE_WITH_AWAITING_RESULT": "CREATE_AWAIT",
    "RECUR_AFTER_BACKOFF": "RECUR",
    "RECURRED_AFTER_BACKOFF": "RECURRED",
}

LEGEND = """\
['C'ommand/'E'vent/'R'ejection] [valueType] [intent] - #[position]->#[source position] K[key] - [summary]
K999 - key (decomposed: partition omitted when there is one); #999 - record position; "ID" element/process id;
@"elementid"/[K999] - element with id and key; long ids are shortened ('startEvent_5d56..acea78');
P2 - the partition that wrote the record (with several partitions; positions are per partition)."""


class _Keys:
    def __init__(self, records: Sequence[Record[Any]]) -> None:
        partitions = {partition_of(r.key) for r in records if r.key > 0}
        self.single = len(partitions) <= 1
        biggest = max((local_key_of(r.key) for r in records if r.key > 0), default=1)
        self.width = max(2, len(str(biggest)))
        self.seen: dict[int, str] = {}

    def __call__(self, key: int) -> str:
        if key <= 0:
            return str(key).rjust(self.width + 1)
        local = str(local_key_of(key)).zfill(self.width)
        text = f"K{local}" if self.single else f"P{partition_of(key)}K{local}"
        self.seen[key] = text
        return text


def _short(identifier: str) -> str:
    return identifier if len(identifier) <= 20 else f"{identifier[:4]}..{identifier[-6:]}"


def _variables(variables: Any) -> str:
    if not variables:
        return "(no vars)"
    text = ", ".join(f"{name}={value!r}" for name, value in list(variables.items())[:6])
    more = len(variables) - 6
    return "{" + text + (f", +{more}" if more > 0 else "") + "}"


def _summary(record: Record[Any], key: _Keys) -> str:
    value = record.value
    kind = record.value_type
    if kind is ValueType.PROCESS_INSTANCE:
        return (
            f'{value.bpmn_element_type} "{_short(value.element_id)}" in <process '
            f'"{_short(value.bpmn_process_id)}"[{key(value.process_instance_key)}]>'
        )
    if kind is ValueType.JOB:
        return (
            f'"{_short(value.type)}" @"{_short(value.element_id)}"[{key(value.element_instance_key)}] '
            f"{value.retries} retries, {_variables(value.variables)}"
        )
    if kind is ValueType.JOB_BATCH:
        head = f'"{_short(value.type)}" max: {value.max_jobs_to_activate}'
        if value.job_keys:
            head += f" -> {len(value.job_keys)} jobs " + " ".join(key(k) for k in value.job_keys)
        return head
    if kind is ValueType.VARIABLE:
        text = value.value if len(value.value) <= 40 else value.value[:37] + "..."
        return f"{value.name}->{text} in <[{key(value.scope_key)}]>"
    if kind is ValueType.VARIABLE_DOCUMENT:
        return f"{value.update_semantics} {_variables(value.variables)} in <[{key(value.scope_key)}]>"
    if kind is ValueType.INCIDENT:
        message = value.error_message if len(value.error_message) <= 60 else value.error_message[:57] + "..."
        return (
            f'{value.error_type} "{message}" @"{_short(value.element_id)}"'
            f"[{key(value.element_instance_key)}]"
            + (f" job {key(value.job_key)}" if value.job_key > 0 else "")
        )
    if kind is ValueType.PROCESS:
        return f'{value.resource_name} -> "{value.bpmn_process_id}" (version:{value.version})'
    if kind is ValueType.DEPLOYMENT:
        return " ".join(resource.resource_name for resource in value.resources)
    if kind in IDENTITY_VALUE_TYPES:
        return identity_summary(kind, value)
    if kind is ValueType.PROCESS_INSTANCE_CREATION:
        return f'new <process "{_short(value.bpmn_process_id)}"> {_variables(value.variables)}'
    if kind is ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION:
        elements = " ".join(
            f'"{_short(e.element_id)}"{_variables(e.variables) if e.variables else ""}'
            for e in value.activate_elements
        )
        return (
            f"<[{key(value.ad_hoc_sub_process_instance_key)}]>"
            + (f" activate {elements}" if elements else "")
            + (" fulfilled" if value.completion_condition_fulfilled else "")
            + (" cancel remaining" if value.cancel_remaining_instances else "")
        )
    fields = {
        name: getattr(value, name)
        for name in (
            "element_id",
            "name",
            "message_name",
            "correlation_key",
            "due_date",
            "signal_name",
            "error_code",
        )
        if getattr(value, name, None) not in (None, "", -1)
    }
    return " ".join(f"{name}={field!r}" for name, field in fields.items())


def compact_log(records: Sequence[Record[Any]], deployed: Sequence[tuple[str, bytes]] = ()) -> str:
    """Render ``records`` (and the deployed resources) as Zeebe's compact record log."""
    key = _Keys(records)
    width = len(str(max((r.position for r in records), default=1)))
    several = len({r.partition_id for r in records}) > 1  # positions are per partition then
    lines = [LEGEND, "", "-------------- Records ----------------------"]
    for record in records:
        kind = {RecordType.COMMAND: "C", RecordType.EVENT: "E", RecordType.COMMAND_REJECTION: "R"}[
            record.record_type
        ]
        value_type = _VALUE_TYPE.get(record.value_type, record.value_type.name)
        intent = intent_name(record.value_type, record.intent)
        intent = _INTENT.get(intent, intent)
        source = (
            f"#{str(record.source_record_position).zfill(width)}"
            if record.source_record_position > 0
            else " -1".rjust(width + 1)
        )
        line = (
            f"{kind} {value_type:<9} {intent:<11} #{str(record.position).zfill(width)}->{source} "
            f"{key(record.key)} {_summary(record, key)}"
        )
        if record.is_rejection:
            line += f" !{record.rejection_type.name} ({record.rejection_reason})"
        if several:
            line = f"P{record.partition_id} {line}"
        lines.append(line)
    if deployed:
        lines += ["", "-------------- Deployed resources ----------------------"]
        for name, data in deployed:
            lines += [f"{name} ------", data.decode(errors="replace")]
    if key.seen:
        lines += ["", "--------------- Decomposed keys (for debugging) -----------------"]
        lines += [f"{text} <-> {full}" for full, text in sorted(key.seen.items())]
    return "\n".join(lines)
