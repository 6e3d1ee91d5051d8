"""Record-level enums with Zeebe's names and numeric codes (``protocol.xml`` of Zeebe).

The codes are part of the log format and of what exporters emit: never renumber one.
"""

from __future__ import annotations

from enum import IntEnum


class RecordType(IntEnum):
    EVENT = 0
    COMMAND = 1
    COMMAND_REJECTION = 2


class ValueType(IntEnum):
    JOB = 0
    DEPLOYMENT = 4
    PROCESS_INSTANCE = 5
    INCIDENT = 6
    MESSAGE = 10
    MESSAGE_SUBSCRIPTION = 11
    PROCESS_MESSAGE_SUBSCRIPTION = 12
    JOB_BATCH = 14
    TIMER = 15
    MESSAGE_START_EVENT_SUBSCRIPTION = 16
    VARIABLE = 17
    VARIABLE_DOCUMENT = 18
    PROCESS_INSTANCE_CREATION = 19
    ERROR = 20
    PROCESS_INSTANCE_RESULT = 21
    PROCESS = 22
    DEPLOYMENT_DISTRIBUTION = 23
    PROCESS_EVENT = 24
    DECISION = 25
    DECISION_REQUIREMENTS = 26
    DECISION_EVALUATION = 27
    PROCESS_INSTANCE_MODIFICATION = 28
    ESCALATION = 29
    SIGNAL_SUBSCRIPTION = 30
    SIGNAL = 31
    RESOURCE_DELETION = 32
    COMMAND_DISTRIBUTION = 33
    PROCESS_INSTANCE_BATCH = 34
    MESSAGE_BATCH = 35
    FORM = 36
    USER_TASK = 37
    PROCESS_INSTANCE_MIGRATION = 38
    COMPENSATION_SUBSCRIPTION = 39
    MESSAGE_CORRELATION = 40
    USER = 41
    CLOCK = 42
    AUTHORIZATION = 43
    ROLE = 44
    TENANT = 45
    GROUP = 46
    MAPPING_RULE = 47
    MAPPING = 47  # the name before Zeebe 8.8 (an alias: MAPPING_RULE is what is written)
    IDENTITY_SETUP = 48
    RESOURCE = 49
    BATCH_OPERATION_CREATION = 50
    BATCH_OPERATION_EXECUTION = 51
    BATCH_OPERATION_CHUNK = 52
    AD_HOC_SUB_PROCESS_INSTRUCTION = 53
    AD_HOC_SUB_PROCESS_ACTIVITY_ACTIVATION = 53  # the name before Zeebe 8.8 (an alias)
    BATCH_OPERATION_LIFECYCLE_MANAGEMENT = 54
    BATCH_OPERATION_PARTITION_LIFECYCLE = 55
    ASYNC_REQUEST = 56
    SCALE = 253
    CHECKPOINT = 254


class RejectionType(IntEnum):
    INVALID_ARGUMENT = 0
    NOT_FOUND = 1
    ALREADY_EXISTS = 2
    INVALID_STATE = 3
    PROCESSING_ERROR = 4
    EXCEEDED_BATCH_RECORD_SIZE = 5
    UNAUTHORIZED = 6
    FORBIDDEN = 7
    # Zeebe's SBE "no value" for an unsigned byte; what a record that is not a rejection carries.
    NULL_VAL = 255
