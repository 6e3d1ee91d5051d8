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
VARIABLES = "variables"
VARIABLE_SCOPES = "variable_scopes"
JOBS = "jobs"
JOB_STATES = "job_states"
JOBS_ACTIVATABLE = "jobs_activatable"
JOB_DEADLINES = "job_deadlines"
JOB_BACKOFFS = "job_backoffs"
INCIDENTS = "incidents"
INCIDENTS_BY_ELEMENT = "incidents_by_element"
INCIDENTS_BY_JOB = "incidents_by_job"
AWAIT_RESULTS = "await_results"

ALL: tuple[str, ...] = (
    PROCESSES,
    PROCESS_VERSIONS,
    PROCESS_LATEST,
    PROCESS_HIGHEST_VERSION,
    PROCESS_INSTANCES_BY_DEFINITION,
    ELEMENT_INSTANCES,
    ELEMENT_CHILDREN,
    TAKEN_SEQUENCE_FLOWS,
    VARIABLES,
    VARIABLE_SCOPES,
    JOBS,
    JOB_STATES,
    JOBS_ACTIVATABLE,
    JOB_DEADLINES,
    JOB_BACKOFFS,
    INCIDENTS,
    INCIDENTS_BY_ELEMENT,
    INCIDENTS_BY_JOB,
    AWAIT_RESULTS,
)
"""Every column family the engine uses; a partition opens its database with these."""
