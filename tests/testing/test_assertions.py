"""``assert_instance``: checks that read like the process, and failures that say where it is."""

from __future__ import annotations

import pytest

from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, assert_instance, bpmn


@pytest.fixture
def order(engine: TestEngine) -> TestEngine:
    """start -> charge (job "charge") -> gateway: paid? ship (job "ship") : cancel -> end."""
    engine.deploy(
        bpmn.process("order")
        .start_event()
        .service_task("charge", job_type="charge")
        .exclusive_gateway("paid")
        .condition("= paid")
        .service_task("ship", job_type="ship")
        .end_event("shipped")
        .move_to_last_gateway()
        .default_flow()
        .task("cancel")
        .end_event("cancelled")
    )
    return engine


def _complete(engine: TestEngine, job_type: str, variables: dict[str, object] | None = None) -> None:
    [job] = engine.jobs.activate(job_type)
    engine.jobs.complete(job.key, variables)


def test_a_completed_instance_passed_its_path(order: TestEngine) -> None:
    key = order.instances.create("order", {"amount": 10})
    _complete(order, "charge", {"paid": True})
    _complete(order, "ship")

    (
        assert_instance(order, key)
        .is_completed()
        .has_passed("charge", times=1)
        .has_passed("shipped")
        .has_not_passed("cancel", "cancelled")
        .has_variable("paid", True)
        .has_variables({"amount": 10, "paid": True})
        .has_no_incident()
    )


def test_an_active_instance_waits_at_its_task(order: TestEngine) -> None:
    key = order.instances.create("order")
    _complete(order, "charge", {"paid": True})

    assert_instance(order, key).is_active().is_waiting_at("ship").is_not_waiting_at("charge")


def test_a_cancelled_instance_is_terminated(order: TestEngine) -> None:
    key = order.instances.create("order")

    order.instances.cancel(key)

    assert_instance(order, key).is_terminated().has_not_passed("charge")


def test_an_incident_is_found_by_type_message_and_element(order: TestEngine) -> None:
    key = order.instances.create("order")
    _complete(order, "charge", {"paid": "yes"})  # not a boolean: the gateway cannot decide

    check = assert_instance(order, key).is_active()

    check.has_incident().has_incident(ErrorType.CONDITION_ERROR, element_id="paid")
    check.has_incident("CONDITION_ERROR", message_contains="paid")
    with pytest.raises(AssertionError, match="expected no open incident"):
        check.has_no_incident()


def test_a_failure_says_where_the_instance_is(order: TestEngine) -> None:
    key = order.instances.create("order", {"amount": 10})

    with pytest.raises(AssertionError) as failure:
        assert_instance(order, key).is_completed()

    message = str(failure.value)
    assert f"expected process instance {key} to be completed" in message
    assert f"process instance {key} (order) is active" in message
    assert "waiting at: charge" in message
    assert "open incidents: (none)" in message
    assert "variables: amount=10" in message
    assert "completed elements: start" in message


def test_a_failure_lists_the_open_incidents(order: TestEngine) -> None:
    key = order.instances.create("order")
    [job] = order.jobs.activate("charge")
    order.jobs.fail(job.key, retries=0, error_message="card reader offline")

    with pytest.raises(AssertionError, match="JOB_NO_RETRIES at 'charge': card reader offline"):
        assert_instance(order, key).has_passed("charge")
    with pytest.raises(AssertionError, match="of type 'IO_MAPPING_ERROR'"):
        assert_instance(order, key).has_incident(ErrorType.IO_MAPPING_ERROR)
    assert_instance(order, key).has_incident(ErrorType.JOB_NO_RETRIES, "offline", element_id="charge")


def test_variable_and_pass_count_mismatches_are_explained(order: TestEngine) -> None:
    key = order.instances.create("order", {"amount": 10})

    with pytest.raises(AssertionError, match="expected variable 'amount' to be 11, but it is 10"):
        assert_instance(order, key).has_variable("amount", 11)
    with pytest.raises(AssertionError, match="have a variable 'missing'"):
        assert_instance(order, key).has_variable("missing")
    with pytest.raises(
        AssertionError, match=r"expected variables amount=1, x=2, but found amount=10, x='<missing>'"
    ):
        assert_instance(order, key).has_variables({"amount": 1, "x": 2})
    with pytest.raises(AssertionError, match="'start' to have completed twice, but it completed once"):
        assert_instance(order, key).has_passed("start", times=2)
    with pytest.raises(AssertionError, match="'start' not to have completed"):
        assert_instance(order, key).has_not_passed("start")
    with pytest.raises(AssertionError, match="waiting at 'ship'"):
        assert_instance(order, key).is_waiting_at("ship")


def test_an_unknown_instance_is_not_found(engine: TestEngine) -> None:
    with pytest.raises(AssertionError, match="is not found"):
        assert_instance(engine, 12345).is_active()
    with pytest.raises(AssertionError, match="has no records"):
        assert_instance(engine, 12345).exists()


def test_reading_is_bounded(order: TestEngine) -> None:
    key = order.instances.create("order")

    with pytest.raises(AssertionError, match="more than 3 process instance records"):
        assert_instance(order, key, limit=3).is_active()


def test_a_multi_instance_task_is_counted_per_completion(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("each").start_event().task("visit").multi_instance("= items", "item").end_event("end")
    )

    key = engine.instances.create("each", {"items": [1, 2, 3]})

    assert_instance(engine, key).is_completed().has_passed("visit", times=4)  # 3 items + the body


def test_a_failing_assertion_in_a_test_shows_the_state_and_the_record_log(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        from strom.testing import assert_instance, bpmn
        def test_fails(engine):
            engine.deploy(bpmn.process("shop").start_event().service_task("pay", job_type="pay").end_event())
            key = engine.instances.create("shop")
            assert_instance(engine, key).is_completed()
    """)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*expected process instance * to be completed*", "*waiting at: pay*", "*strom compact record log*"]
    )
