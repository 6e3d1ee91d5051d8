"""Multi-tenancy: tenants own deployments, instances, jobs, messages and decisions; a caller acts
only in the tenants it is assigned to (directly, through a group or a role), as Zeebe 8.8 checks:
FORBIDDEN when it would create something in another tenant, NOT_FOUND when it acts on what is
there. Without a caller (the engine's own commands), tenants only separate: each has its own
version lines, and a message correlates only within its tenant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import MessageIntent, ProcessInstanceCreationIntent, SignalIntent
from strom.protocol.values.identity import EntityType
from strom.protocol.values.message import MessageRecordValue
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from strom.protocol.values.signal import SignalRecordValue
from strom.testing import TestEngine, assert_instance, bpmn
from strom.testing.identity import identity

ACME = "acme"
GLOBEX = "globex"


@pytest.fixture
def tenants() -> Iterator[TestEngine]:
    """An engine with multi-tenancy on, tenants ``acme`` and ``globex``, and ``alice`` (an admin,
    so that only tenants limit her) assigned to ``acme`` only."""
    engine = TestEngine(multi_tenancy=True)
    try:
        ids = identity(engine)
        ids.create_tenant(ACME)
        ids.create_tenant(GLOBEX)
        ids.create_user("alice", "secret")
        ids.create_role("admin", "Admin")
        ids.add_to_role("admin", "alice", EntityType.USER)
        ids.add_to_tenant(ACME, "alice", EntityType.USER)
        yield engine
    finally:
        engine.close()


def _task(process_id: str, job_type: str = "work") -> bpmn.ProcessBuilder:
    return bpmn.process(process_id).start_event().service_task("task", job_type=job_type).end_event()


def test_the_same_process_id_in_two_tenants_has_two_version_lines(tenants: TestEngine) -> None:
    first = tenants.deployments.deploy(_task("order"), tenant_id=ACME)
    second = tenants.deployments.deploy(_task("order", "changed"), tenant_id=ACME)
    other = tenants.deployments.deploy(_task("order", "globex-work"), tenant_id=GLOBEX)

    versions = [
        (d.value.tenant_id, [(p.bpmn_process_id, p.version, p.tenant_id) for p in d.value.processes_metadata])
        for d in (first, second, other)
    ]
    assert versions == [
        (ACME, [("order", 1, ACME)]),
        (ACME, [("order", 2, ACME)]),
        (GLOBEX, [("order", 1, GLOBEX)]),
    ]


def test_an_instance_runs_its_own_tenants_definition_and_carries_the_tenant(tenants: TestEngine) -> None:
    tenants.deployments.deploy(_task("order", "acme-work"), tenant_id=ACME)
    tenants.deployments.deploy(_task("order", "globex-work"), tenant_id=GLOBEX)

    key = tenants.instances.create("order", tenant_id=GLOBEX)

    assert_instance(tenants, key).is_waiting_at("task")
    jobs = tenants.records.jobs().events().limit(5)
    assert [(job.value.type, job.value.tenant_id) for job in jobs] == [("globex-work", GLOBEX)]
    created = tenants.records.process_instances().events().with_element_type(BpmnElementType.PROCESS).limit(1)
    assert created[0].value.tenant_id == GLOBEX


def test_a_process_of_another_tenant_is_not_found(tenants: TestEngine) -> None:
    deployed = tenants.deployments.deploy(_task("order"), tenant_id=ACME)

    by_id = tenants.instances.create("order", tenant_id=GLOBEX, expect_rejection=True)

    assert by_id.rejection_type is RejectionType.NOT_FOUND
    assert "process ID 'order'" in by_id.rejection_reason
    definition_key = deployed.value.processes_metadata[0].process_definition_key
    by_key = tenants.send(
        ProcessInstanceCreationRecordValue(process_definition_key=definition_key, tenant_id=GLOBEX),
        ProcessInstanceCreationIntent.CREATE,
        expect_rejection=True,
    )
    assert by_key.rejection_type is RejectionType.NOT_FOUND


def test_a_caller_creates_only_in_its_tenants(tenants: TestEngine) -> None:
    tenants.deployments.deploy(_task("order"), tenant_id=ACME)
    tenants.deployments.deploy(_task("order"), tenant_id=GLOBEX)

    with tenants.as_caller("alice"):
        mine = tenants.instances.create("order", tenant_id=ACME)
        theirs = tenants.instances.create("order", tenant_id=GLOBEX, expect_rejection=True)
        deploy = tenants.deployments.deploy(_task("other"), tenant_id=GLOBEX, expect_rejection=True)

    assert mine > 0
    assert theirs.rejection_type is RejectionType.FORBIDDEN
    assert theirs.rejection_reason == (
        "Expected to perform operation 'CREATE_PROCESS_INSTANCE' on resource 'PROCESS_DEFINITION' "
        "for tenant 'globex', but user is not assigned to this tenant"
    )
    assert deploy.rejection_type is RejectionType.FORBIDDEN
    assert "for tenant 'globex'" in deploy.rejection_reason


def test_what_another_tenant_runs_is_not_found_for_the_caller(tenants: TestEngine) -> None:
    tenants.deployments.deploy(_task("order"), tenant_id=GLOBEX)
    theirs = tenants.instances.create("order", tenant_id=GLOBEX)
    job = tenants.jobs.activate("work")[0]

    with tenants.as_caller("alice"):
        cancel = tenants.instances.cancel(theirs, expect_rejection=True)
        complete = tenants.jobs.complete(job.key, expect_rejection=True)

    assert cancel.rejection_type is RejectionType.NOT_FOUND
    assert cancel.rejection_reason == (
        "Expected to perform operation 'CANCEL_PROCESS_INSTANCE' on resource 'PROCESS_DEFINITION', "
        "but no resource was found for tenant 'globex'"
    )
    assert complete.rejection_type is RejectionType.NOT_FOUND
    assert_instance(tenants, theirs).is_active()


def test_a_worker_gets_only_the_jobs_of_its_callers_tenants_and_of_those_it_names(
    tenants: TestEngine,
) -> None:
    tenants.deployments.deploy(_task("order"), tenant_id=ACME)
    tenants.deployments.deploy(_task("order"), tenant_id=GLOBEX)
    tenants.instances.create("order", tenant_id=ACME)
    tenants.instances.create("order", tenant_id=GLOBEX)

    with tenants.as_caller("alice"):
        as_alice = tenants.jobs.activate("work", timeout_ms=1_000)
    named = tenants.jobs.activate("work", tenant_ids=[GLOBEX])

    assert [job.record.tenant_id for job in as_alice] == [ACME]
    assert [job.record.tenant_id for job in named] == [GLOBEX]


def test_a_group_assigned_to_the_tenant_lets_its_members_act_there(tenants: TestEngine) -> None:
    ids = identity(tenants)
    ids.create_group("globex-team", "Globex team")
    ids.add_to_group("globex-team", "alice", EntityType.USER)
    ids.add_to_tenant(GLOBEX, "globex-team", EntityType.GROUP)
    tenants.deployments.deploy(_task("order"), tenant_id=GLOBEX)

    with tenants.as_caller("alice"):
        key = tenants.instances.create("order", tenant_id=GLOBEX)

    assert key > 0


def test_a_message_correlates_only_within_its_tenant(tenants: TestEngine) -> None:
    waiting = (
        bpmn.process("pay")
        .start_event()
        .intermediate_catch_event("paid")
        .message("paid", "=orderId")
        .end_event()
    )
    tenants.deployments.deploy(waiting, tenant_id=ACME)
    tenants.deployments.deploy(waiting, tenant_id=GLOBEX)
    acme = tenants.instances.create("pay", {"orderId": "o-1"}, tenant_id=ACME)
    globex = tenants.instances.create("pay", {"orderId": "o-1"}, tenant_id=GLOBEX)

    tenants.send(
        MessageRecordValue(name="paid", correlation_key="o-1", time_to_live=0, tenant_id=GLOBEX),
        MessageIntent.PUBLISH,
    )

    assert_instance(tenants, globex).is_completed()
    assert_instance(tenants, acme).is_waiting_at("paid")


def test_a_called_process_is_of_the_callers_tenant(tenants: TestEngine) -> None:
    parent = bpmn.process("parent").start_event().call_activity("call", called_process_id="child").end_event()
    tenants.deployments.deploy(parent, _task("child", "acme-child"), tenant_id=ACME)
    tenants.deployments.deploy(_task("child", "globex-child"), tenant_id=GLOBEX)

    tenants.instances.create("parent", tenant_id=ACME)

    jobs = tenants.records.jobs().events().limit(5)
    assert [(job.value.type, job.value.tenant_id) for job in jobs] == [("acme-child", ACME)]


def test_the_tenants_version_lines_survive_a_restart(tenants: TestEngine) -> None:
    tenants.deployments.deploy(_task("order"), tenant_id=GLOBEX)
    tenants.deployments.deploy(_task("order", "v2"), tenant_id=GLOBEX)

    tenants.restart()
    key = tenants.instances.create("order", tenant_id=GLOBEX)

    assert_instance(tenants, key).is_waiting_at("task")
    assert tenants.records.jobs().events().limit(1)[0].value.type == "v2"
    assert tenants.instances.create("order", expect_rejection=True).rejection_type is RejectionType.NOT_FOUND


def test_without_multi_tenancy_a_caller_needs_no_tenant(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_user("bob", "secret")
    ids.create_role("admin", "Admin")
    ids.add_to_role("admin", "bob", EntityType.USER)
    engine.deploy(_task("order"))

    with engine.as_caller("bob"):
        key = engine.instances.create("order")

    assert key > 0


def test_with_authorizations_off_only_the_tenant_is_checked() -> None:
    engine = TestEngine(multi_tenancy=True, authorizations=False)
    try:
        ids = identity(engine)
        ids.create_tenant(ACME)
        ids.create_tenant(GLOBEX)
        ids.create_user("carol", "secret")  # no role, no authorization
        ids.add_to_tenant(ACME, "carol", EntityType.USER)
        engine.deployments.deploy(_task("order"), tenant_id=ACME)
        engine.deployments.deploy(_task("order"), tenant_id=GLOBEX)

        with engine.as_caller("carol"):
            mine = engine.instances.create("order", tenant_id=ACME)
            theirs = engine.instances.create("order", tenant_id=GLOBEX, expect_rejection=True)

        assert mine > 0
        assert theirs.rejection_type is RejectionType.FORBIDDEN
    finally:
        engine.close()


def test_a_signal_is_broadcast_only_in_a_tenant_of_the_caller(tenants: TestEngine) -> None:
    with tenants.as_caller("alice"):
        mine = tenants.send(SignalRecordValue(signal_name="go", tenant_id=ACME), SignalIntent.BROADCAST)
        theirs = tenants.send(
            SignalRecordValue(signal_name="go", tenant_id=GLOBEX),
            SignalIntent.BROADCAST,
            expect_rejection=True,
        )

    assert mine.intent == SignalIntent.BROADCASTED
    assert theirs.rejection_type is RejectionType.FORBIDDEN
    assert theirs.rejection_reason == (
        "Expected to broadcast signal for tenant 'globex', but user is not assigned to this tenant."
    )


def test_tenants_hold_on_every_partition() -> None:
    engine = TestEngine(multi_tenancy=True, partitions=3)
    try:
        ids = identity(engine)
        ids.create_tenant(ACME)
        ids.create_user("alice", "secret")
        ids.create_role("admin", "Admin")
        ids.add_to_role("admin", "alice", EntityType.USER)
        ids.add_to_tenant(ACME, "alice", EntityType.USER)
        engine.deployments.deploy(_task("order", "acme-work"), tenant_id=ACME)
        engine.deployments.deploy(_task("order", "default-work"))

        with engine.as_caller("alice"):
            keys = [engine.instances.create("order", tenant_id=ACME) for _ in range(3)]
            refused = engine.instances.create("order", expect_rejection=True)  # <default>: not hers
            jobs = engine.jobs.activate("acme-work", max_jobs=10)

        assert len({key >> 51 for key in keys}) == 3  # created on each partition
        assert refused.rejection_type is RejectionType.FORBIDDEN
        assert sorted(job.record.process_instance_key for job in jobs) == sorted(keys)
    finally:
        engine.close()
