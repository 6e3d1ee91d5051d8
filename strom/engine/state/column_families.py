"""The engine's column families: one per kind of entity or index.

Names are part of the on-disk state of a snapshot: rename one only with a migration.
"""

from __future__ import annotations

PROCESSES = "processes"
PROCESS_VERSIONS = "process_versions"
PROCESS_LATEST = "process_latest"
PROCESS_HIGHEST_VERSION = "process_highest_version"
PROCESS_INSTANCES_BY_DEFINITION = "process_instances_by_definition"
ELEMENT_INSTANCES = "element_instances"
ELEMENT_CHILDREN = "element_children"
TAKEN_SEQUENCE_FLOWS = "taken_sequence_flows"
SCOPES_WITH_TAKEN_FLOWS = "scopes_with_taken_flows"
VARIABLES = "variables"
VARIABLE_SCOPES = "variable_scopes"
SCOPES_WITH_VARIABLES = "scopes_with_variables"
JOBS = "jobs"
JOB_STATES = "job_states"
JOBS_ACTIVATABLE = "jobs_activatable"
JOB_DEADLINES = "job_deadlines"
JOB_BACKOFFS = "job_backoffs"
INCIDENTS = "incidents"
INCIDENTS_BY_ELEMENT = "incidents_by_element"
INCIDENTS_BY_JOB = "incidents_by_job"
AWAIT_RESULTS = "await_results"
# events: triggers, timers, messages, signals, compensation (BPMN execution II)
EVENT_SCOPES = "event_scopes"
EVENT_TRIGGERS = "event_triggers"
TIMERS = "timers"
TIMER_DUE_DATES = "timer_due_dates"
TIMERS_BY_ELEMENT = "timers_by_element"
START_TIMERS_BY_PROCESS = "start_timers_by_process"
MESSAGES = "messages"
MESSAGES_BY_NAME = "messages_by_name"
MESSAGE_DEADLINES = "message_deadlines"
MESSAGE_IDS = "message_ids"
MESSAGE_CORRELATED = "message_correlated"
MESSAGE_START_LOCKS = "message_start_locks"
MESSAGE_START_LOCK_OF = "message_start_lock_of"
MESSAGE_SUBSCRIPTIONS = "message_subscriptions"
MESSAGE_SUBSCRIPTIONS_BY_CORRELATION = "message_subscriptions_by_correlation"
PROCESS_MESSAGE_SUBSCRIPTIONS = "process_message_subscriptions"
MESSAGE_START_SUBSCRIPTIONS = "message_start_subscriptions"
MESSAGE_START_SUBSCRIPTIONS_BY_PROCESS = "message_start_subscriptions_by_process"
SIGNAL_SUBSCRIPTIONS = "signal_subscriptions"
SIGNAL_SUBSCRIPTIONS_BY_SUBSCRIBER = "signal_subscriptions_by_subscriber"
COMPENSATION_SUBSCRIPTIONS = "compensation_subscriptions"
# decisions, forms, user tasks (BPMN execution I)
DECISIONS = "decisions"
DECISION_VERSIONS = "decision_versions"
DECISION_LATEST = "decision_latest"
DECISION_REQUIREMENTS = "decision_requirements"
DECISION_REQUIREMENTS_VERSIONS = "decision_requirements_versions"
DECISION_REQUIREMENTS_LATEST = "decision_requirements_latest"
DECISIONS_BY_REQUIREMENTS = "decisions_by_requirements"
FORMS = "forms"
FORM_VERSIONS = "form_versions"
FORM_LATEST = "form_latest"
USER_TASKS = "user_tasks"
USER_TASK_STATES = "user_task_states"
USER_TASKS_BEFORE_TRANSITION = "user_tasks_before_transition"
USER_TASK_REQUESTS = "user_task_requests"
USER_TASK_VARIABLE_DOCUMENTS = "user_task_variable_documents"
# partitions: commands distributed to the other partitions until each acknowledged them
COMMAND_DISTRIBUTIONS = "command_distributions"
RECEIVED_DISTRIBUTIONS = "received_distributions"
# identity: users, groups, roles, tenants, mapping rules, memberships, authorizations
USERS = "users"
GROUPS = "groups"
ROLES = "roles"
TENANTS = "tenants"
MAPPING_RULES = "mapping_rules"
MAPPING_RULE_CLAIMS = "mapping_rule_claims"
MEMBERSHIPS = "memberships"
MEMBERSHIPS_BY_ENTITY = "memberships_by_entity"
AUTHORIZATIONS = "authorizations"
AUTHORIZATIONS_BY_OWNER = "authorizations_by_owner"
# the clock a CLOCK PIN command fixed
CLOCK = "clock"
# batch operations in progress: the operation, its progress, the items still to execute
BATCH_OPERATIONS = "batch_operations"
BATCH_OPERATION_PROGRESS = "batch_operation_progress"
BATCH_OPERATION_ITEMS = "batch_operation_items"

ALL: tuple[str, ...] = (
    PROCESSES,
    PROCESS_VERSIONS,
    PROCESS_LATEST,
    PROCESS_HIGHEST_VERSION,
    PROCESS_INSTANCES_BY_DEFINITION,
    ELEMENT_INSTANCES,
    ELEMENT_CHILDREN,
    TAKEN_SEQUENCE_FLOWS,
    SCOPES_WITH_TAKEN_FLOWS,
    VARIABLES,
    VARIABLE_SCOPES,
    SCOPES_WITH_VARIABLES,
    JOBS,
    JOB_STATES,
    JOBS_ACTIVATABLE,
    JOB_DEADLINES,
    JOB_BACKOFFS,
    INCIDENTS,
    INCIDENTS_BY_ELEMENT,
    INCIDENTS_BY_JOB,
    AWAIT_RESULTS,
    EVENT_SCOPES,
    EVENT_TRIGGERS,
    TIMERS,
    TIMER_DUE_DATES,
    TIMERS_BY_ELEMENT,
    START_TIMERS_BY_PROCESS,
    MESSAGES,
    MESSAGES_BY_NAME,
    MESSAGE_DEADLINES,
    MESSAGE_IDS,
    MESSAGE_CORRELATED,
    MESSAGE_START_LOCKS,
    MESSAGE_START_LOCK_OF,
    MESSAGE_SUBSCRIPTIONS,
    MESSAGE_SUBSCRIPTIONS_BY_CORRELATION,
    PROCESS_MESSAGE_SUBSCRIPTIONS,
    MESSAGE_START_SUBSCRIPTIONS,
    MESSAGE_START_SUBSCRIPTIONS_BY_PROCESS,
    SIGNAL_SUBSCRIPTIONS,
    SIGNAL_SUBSCRIPTIONS_BY_SUBSCRIBER,
    COMPENSATION_SUBSCRIPTIONS,
    DECISIONS,
    DECISION_VERSIONS,
    DECISION_LATEST,
    DECISION_REQUIREMENTS,
    DECISION_REQUIREMENTS_VERSIONS,
    DECISION_REQUIREMENTS_LATEST,
    DECISIONS_BY_REQUIREMENTS,
    FORMS,
    FORM_VERSIONS,
    FORM_LATEST,
    USER_TASKS,
    USER_TASK_STATES,
    USER_TASKS_BEFORE_TRANSITION,
    USER_TASK_REQUESTS,
    USER_TASK_VARIABLE_DOCUMENTS,
    COMMAND_DISTRIBUTIONS,
    RECEIVED_DISTRIBUTIONS,
    USERS,
    GROUPS,
    ROLES,
    TENANTS,
    MAPPING_RULES,
    MAPPING_RULE_CLAIMS,
    MEMBERSHIPS,
    MEMBERSHIPS_BY_ENTITY,
    AUTHORIZATIONS,
    AUTHORIZATIONS_BY_OWNER,
    CLOCK,
    BATCH_OPERATIONS,
    BATCH_OPERATION_PROGRESS,
    BATCH_OPERATION_ITEMS,
)
"""Every column family the engine uses; a partition opens its database with these."""
