"""Authorization checks: a command that names its caller is processed only when the caller holds
the permission it needs — directly, through a group, a role or a mapping rule — and is rejected
with FORBIDDEN naming the permission otherwise. Job activation hands out only permitted jobs."""

from __future__ import annotations

import pytest

from strom.client import JobWorker
from strom.protocol.enums import RejectionType
from strom.protocol.intents import (
    MessageIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceMigrationIntent,
    SignalIntent,
    UserTaskIntent,
)
from strom.protocol.record import AUTHORIZED_USERNAME
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationResourceType,
    EntityType,
    PermissionType,
)
from strom.protocol.values.message import MessageRecordValue
from strom.protocol.values.process_instance import (
    ProcessInstanceMigrationMappingInstructionValue,
    ProcessInstanceMigrationRecordValue,
)
from strom.protocol.values.signal import SignalRecordValue
from strom.protocol.values.user_task import UserTaskRecordValue
from strom.testing import TestEngine, assert_instance, bpmn
from strom.testing.identity import identity

USER = AuthorizationOwnerType.USER
PROCESS = AuthorizationResourceType.PROCESS_DEFINITION
P = PermissionType


def _deploy_task_process(engine: TestEngine, process_id: str, job_type: str = "work") -> None:
    engine.deploy(bpmn.process(process_id).start_event().service_task("task", job_type=job_type).end_event())


def _user(engine: TestEngine, username: str = "alice") -> str:
    identity(engine).create_user(username, "secret")
    return username


def test_a_caller_without_the_permission_cannot_create_an_instance(engine: TestEngine) -> None:
    _deploy_task_process(engine, "order")
    alice = _user(engine)

    with engine.as_caller(alice):
        rejection = engine.instances.create("order", expect_rejection=True)

    assert rejection.rejection_type is RejectionType.FORBIDDEN
    assert rejection.rejection_reason == (
        "Insufficient permissions to perform operation 'CREATE_PROCESS_INSTANCE' on resource "
        "'PROCESS_DEFINITION', required resource identifiers are one of '[*, order]'"
    )
    assert engine.records.process_instances().events().limit(1) == []


def test_granting_the_permission_on_the_process_lets_the_caller_create_it_and_only_it(
    engine: TestEngine,
) -> None:
    _deploy_task_process(engine, "order")
    _deploy_task_process(engine, "invoice")
    alice = _user(engine)
    identity(engine).create_authorization(alice, USER, PROCESS, [P.CREATE_PROCESS_INSTANCE], "order")

    with engine.as_caller(alice):
        order = engine.instances.create("order")
        invoice = engine.instances.create("invoice", expect_rejection=True)

    assert order > 0
    assert invoice.rejection_type is RejectionType.FORBIDDEN
    assert "'[*, invoice]'" in invoice.rejection_reason


def test_a_wildcard_authorization_grants_every_process(engine: TestEngine) -> None:
    _deploy_task_process(engine, "order")
    alice = _user(engine)
    identity(engine).create_authorization(alice, USER, PROCESS, [P.CREATE_PROCESS_INSTANCE], "*")

    with engine.as_caller(alice):
        by_id = engine.instances.create("order")
        deployed = engine.records.processes().first()
        by_key = engine.instances.create_by_key(deployed.key)

    assert by_id > 0 and by_key > 0


def test_permissions_reach_the_caller_through_groups_and_roles(engine: TestEngine) -> None:
    _deploy_task_process(engine, "order")
    ids = identity(engine)
    ids.create_user("grace", "secret")
    ids.create_user("rolf", "secret")
    ids.create_group("ops", "Operations")
    ids.create_role("starter", "Starter")
    ids.add_to_group("ops", "grace", EntityType.USER)
    ids.add_to_role("starter", "ops", EntityType.GROUP)
    ids.add_to_role("starter", "rolf", EntityType.USER)
    ids.create_authorization("starter", AuthorizationOwnerType.ROLE, PROCESS, [P.CREATE_PROCESS_INSTANCE])

    with engine.as_caller("grace"):
        through_group_role = engine.instances.create("order")
    with engine.as_caller("rolf"):
        through_role = engine.instances.create("order")
    ids.remove_from_role("starter", "rolf", EntityType.USER)
    with engine.as_caller("rolf"):
        after_removal = engine.instances.create("order", expect_rejection=True)

    assert through_group_role > 0 and through_role > 0
    assert after_removal.rejection_type is RejectionType.FORBIDDEN


def test_a_client_gets_the_permissions_of_the_mapping_rules_its_token_claims_match(
    engine: TestEngine,
) -> None:
    _deploy_task_process(engine, "order")
    ids = identity(engine)
    ids.create_mapping_rule("engineers", "department", "engineering")
    ids.create_authorization(
        "engineers", AuthorizationOwnerType.MAPPING_RULE, PROCESS, [P.CREATE_PROCESS_INSTANCE], "order"
    )

    with engine.as_caller(client_id="ci-bot", claims={"department": ["sales", "engineering"]}):
        matched = engine.instances.create("order")
    with engine.as_caller(client_id="ci-bot", claims={"department": "sales"}):
        unmatched = engine.instances.create("order", expect_rejection=True)

    assert matched > 0
    assert unmatched.rejection_type is RejectionType.FORBIDDEN


def test_the_admin_role_may_do_everything_and_readonly_admin_nothing_that_changes(
    engine: TestEngine,
) -> None:
    _deploy_task_process(engine, "order")
    ids = identity(engine)
    ids.create_user("root", "secret")
    ids.create_user("auditor", "secret")
    ids.create_role("admin", "Admin")
    ids.create_role("readonly-admin", "Read-only admin")
    ids.add_to_role("admin", "root", EntityType.USER)
    ids.add_to_role("readonly-admin", "auditor", EntityType.USER)

    with engine.as_caller("root"):
        created = engine.instances.create("order")
        group = ids.create_group("new-team", "New team")
    with engine.as_caller("auditor"):
        refused = engine.instances.create("order", expect_rejection=True)
        no_group = ids.create_group("other", "Other", expect_rejection=True)

    assert created > 0 and not group.is_rejection
    assert refused.rejection_type is RejectionType.FORBIDDEN
    assert (
        no_group.rejection_reason
        == "Insufficient permissions to perform operation 'CREATE' on resource 'GROUP'"
    )


def test_a_missing_instance_is_not_found_before_it_is_forbidden(engine: TestEngine) -> None:
    _user(engine)

    with engine.as_caller("alice"):
        rejection = engine.instances.cancel(2251799813685999, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND


def test_canceling_needs_cancel_process_instance_on_the_instance_s_process(engine: TestEngine) -> None:
    _deploy_task_process(engine, "order")
    instance = engine.instances.create("order")
    alice = _user(engine)

    with engine.as_caller(alice):
        refused = engine.instances.cancel(instance, expect_rejection=True)
    identity(engine).create_authorization(alice, USER, PROCESS, [P.CANCEL_PROCESS_INSTANCE], "order")
    with engine.as_caller(alice):
        canceled = engine.instances.cancel(instance)

    assert refused.rejection_reason == (
        "Insufficient permissions to perform operation 'CANCEL_PROCESS_INSTANCE' on resource "
        "'PROCESS_DEFINITION', required resource identifiers are one of '[*, order]'"
    )
    assert not canceled.is_rejection


def test_a_worker_is_given_only_jobs_of_processes_it_may_update(engine: TestEngine) -> None:
    _deploy_task_process(engine, "order")
    _deploy_task_process(engine, "invoice")
    engine.instances.create("order")
    invoice_instance = engine.instances.create("invoice")
    worker = _user(engine, "worker")
    identity(engine).create_authorization(worker, USER, PROCESS, [P.UPDATE_PROCESS_INSTANCE], "order")

    with engine.as_caller(worker):
        jobs = engine.jobs.activate("work")
    invoice_job = engine.jobs.activate("work")  # the engine's own caller sees every job

    assert [job.record.bpmn_process_id for job in jobs] == ["order"]
    assert [job.record.process_instance_key for job in invoice_job] == [invoice_instance]
    with engine.as_caller(worker):
        completed = engine.jobs.complete(jobs[0].key)
        refused = engine.jobs.complete(invoice_job[0].key, expect_rejection=True)
    assert not completed.is_rejection
    assert refused.rejection_type is RejectionType.FORBIDDEN
    assert "'UPDATE_PROCESS_INSTANCE'" in refused.rejection_reason


def test_completing_a_user_task_needs_update_user_task(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("review").start_event().user_task("approve").end_event())
    engine.instances.create("review")
    task = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first()
    clerk = _user(engine, "clerk")

    with engine.as_caller(clerk):
        refused = engine.send(UserTaskRecordValue(), UserTaskIntent.COMPLETE, task.key, expect_rejection=True)
    identity(engine).create_authorization(clerk, USER, PROCESS, [P.UPDATE_USER_TASK], "review")
    with engine.as_caller(clerk):
        completed = engine.send(UserTaskRecordValue(), UserTaskIntent.COMPLETE, task.key)

    assert refused.rejection_type is RejectionType.FORBIDDEN
    assert "'UPDATE_USER_TASK'" in refused.rejection_reason
    assert completed.intent == UserTaskIntent.COMPLETED


def test_deploying_and_publishing_need_their_wildcard_permissions(engine: TestEngine) -> None:
    alice = _user(engine)
    model = bpmn.process("order").start_event().end_event()

    with engine.as_caller(alice):
        deploy_refused = engine.deployments.deploy(model, expect_rejection=True)
        publish_refused = engine.send(
            MessageRecordValue(name="paid", correlation_key="1"), MessageIntent.PUBLISH, expect_rejection=True
        )
    ids = identity(engine)
    ids.create_authorization(alice, USER, AuthorizationResourceType.RESOURCE, [P.CREATE])
    ids.create_authorization(alice, USER, AuthorizationResourceType.MESSAGE, [P.CREATE])
    with engine.as_caller(alice):
        deployed = engine.deployments.deploy(model)
        published = engine.send(MessageRecordValue(name="paid", correlation_key="1"), MessageIntent.PUBLISH)

    assert deploy_refused.rejection_reason == (
        "Insufficient permissions to perform operation 'CREATE' on resource 'RESOURCE'"
    )
    assert publish_refused.rejection_reason == (
        "Insufficient permissions to perform operation 'CREATE' on resource 'MESSAGE'"
    )
    assert not deployed.is_rejection and not published.is_rejection


@pytest.mark.partitions(3)
def test_permissions_hold_on_every_partition(engine: TestEngine) -> None:
    _deploy_task_process(engine, "order")
    alice = _user(engine)

    with engine.as_caller(alice):
        refused = [engine.instances.create("order", expect_rejection=True) for _ in range(3)]
    identity(engine).create_authorization(alice, USER, PROCESS, [P.CREATE_PROCESS_INSTANCE], "order")
    with engine.as_caller(alice):
        created = [engine.instances.create("order") for _ in range(3)]

    assert {r.partition_id for r in refused} == {1, 2, 3}
    assert all(r.rejection_type is RejectionType.FORBIDDEN for r in refused)
    assert len({key >> 51 for key in created}) == 3
    assert len(engine.records.creations().with_intent(ProcessInstanceCreationIntent.CREATED).limit(3)) == 3


def test_a_deleted_authorization_stops_granting_at_once(engine: TestEngine) -> None:
    _deploy_task_process(engine, "order")
    alice = _user(engine)
    granted = identity(engine).create_authorization(
        alice, USER, PROCESS, [P.CREATE_PROCESS_INSTANCE], "order"
    )

    with engine.as_caller(alice):
        before = engine.instances.create("order")
    identity(engine).delete_authorization(granted.key)
    with engine.as_caller(alice):
        after = engine.instances.create("order", expect_rejection=True)

    assert before > 0
    assert after.rejection_type is RejectionType.FORBIDDEN


def test_a_job_stream_is_pushed_only_jobs_its_caller_may_update(engine: TestEngine) -> None:
    _deploy_task_process(engine, "order")
    _deploy_task_process(engine, "invoice")
    worker = _user(engine, "worker")
    identity(engine).create_authorization(worker, USER, PROCESS, [P.UPDATE_PROCESS_INSTANCE], "order")
    pushed: list[str] = []
    stream = JobWorker(
        engine.partition,
        "work",
        lambda job: pushed.append(job.record.bpmn_process_id) or {},
        inline=True,
        caller={AUTHORIZED_USERNAME: worker},
    ).start()
    try:
        order = engine.instances.create("order")
        invoice = engine.instances.create("invoice")
        engine.run()
    finally:
        stream.stop()

    assert pushed == ["order"]
    assert_instance(engine, order).is_completed()
    [left] = engine.jobs.activate("work")
    assert left.record.process_instance_key == invoice


def test_migrating_an_instance_needs_update_process_instance_on_its_process(engine: TestEngine) -> None:
    _deploy_task_process(engine, "order")
    instance = engine.instances.create("order")
    target = engine.deploy(
        bpmn.process("order").start_event().service_task("task", job_type="work").end_event("done")
    ).value.processes_metadata[0]
    alice = _user(engine)
    migration = ProcessInstanceMigrationRecordValue(
        process_instance_key=instance,
        target_process_definition_key=target.process_definition_key,
        mapping_instructions=[
            ProcessInstanceMigrationMappingInstructionValue(
                source_element_id="task", target_element_id="task"
            )
        ],
    )

    with engine.as_caller(alice):
        refused = engine.send(
            migration, ProcessInstanceMigrationIntent.MIGRATE, instance, expect_rejection=True
        )
    identity(engine).create_authorization(alice, USER, PROCESS, [P.UPDATE_PROCESS_INSTANCE], "order")
    with engine.as_caller(alice):
        migrated = engine.send(migration, ProcessInstanceMigrationIntent.MIGRATE, instance)

    assert refused.rejection_type is RejectionType.FORBIDDEN
    assert migrated.intent == ProcessInstanceMigrationIntent.MIGRATED


def test_broadcasting_a_signal_needs_the_permissions_on_the_processes_it_starts_or_updates(
    engine: TestEngine,
) -> None:
    engine.deploy(
        bpmn.process("order").start_event("go").signal("go").service_task("t", job_type="w").end_event()
    )
    alice = _user(engine)

    with engine.as_caller(alice):
        nobody_listens = engine.send(SignalRecordValue(signal_name="quiet"), SignalIntent.BROADCAST)
        refused = engine.send(
            SignalRecordValue(signal_name="go"), SignalIntent.BROADCAST, expect_rejection=True
        )
    identity(engine).create_authorization(alice, USER, PROCESS, [P.CREATE_PROCESS_INSTANCE], "order")
    with engine.as_caller(alice):
        granted = engine.send(SignalRecordValue(signal_name="go"), SignalIntent.BROADCAST)

    assert nobody_listens.intent == SignalIntent.BROADCASTED
    assert refused.rejection_type is RejectionType.FORBIDDEN
    assert refused.rejection_reason == (
        "Insufficient permissions to perform operation 'CREATE_PROCESS_INSTANCE' on resource "
        "'PROCESS_DEFINITION', required resource identifiers are one of '[*, order]'"
    )
    assert granted.intent == SignalIntent.BROADCASTED
    assert len(engine.records.process_instances().events().with_element_id("order").limit(10)) > 0
