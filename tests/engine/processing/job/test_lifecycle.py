"""The job state machine: activation, failure and retries, back-off, time-outs, yields, updates."""

from datetime import timedelta

from strom.protocol.enums import RejectionType
from strom.protocol.intents import IncidentIntent, JobBatchIntent, JobIntent
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn


def _one_job(engine: TestEngine, retries: int = 3, **variables: object) -> int:
    engine.deploy(
        bpmn.process("p")
        .start_event()
        .service_task("task", job_type="work", retries=retries, headers={"priority": "high"})
        .end_event()
    )
    return engine.instances.create("p", variables)


def test_a_service_task_creates_a_job_with_type_retries_and_headers(engine: TestEngine) -> None:
    instance = _one_job(engine, retries=5)

    created = engine.records.jobs().with_intent(JobIntent.CREATED).first()

    assert created.value.type == "work"
    assert created.value.retries == 5
    assert created.value.custom_headers == {"priority": "high"}
    assert created.value.process_instance_key == instance
    assert created.value.element_id == "task"


def test_activation_hands_out_jobs_with_worker_deadline_and_variables(engine: TestEngine) -> None:
    _one_job(engine, order={"id": 7}, amount=3)

    [job] = engine.jobs.activate("work", worker="w1", timeout_ms=60_000)

    batch = engine.records.job_batches().with_intent(JobBatchIntent.ACTIVATED).first()
    assert batch.value.job_keys == [job.key]
    assert job.record.worker == "w1"
    assert job.record.deadline == engine.clock.now_millis() + 60_000
    assert job.variables == {"order": {"id": 7}, "amount": 3}


def test_activation_fetches_only_the_requested_variables(engine: TestEngine) -> None:
    _one_job(engine, order={"id": 7}, amount=3)

    [job] = engine.jobs.activate("work", fetch_variables=["amount", "missing"])

    assert job.variables == {"amount": 3}


def test_an_activated_job_is_not_activated_again_until_it_times_out(engine: TestEngine) -> None:
    _one_job(engine)
    [job] = engine.jobs.activate("work", timeout_ms=10_000)
    assert engine.jobs.activate("work") == []

    engine.advance_time(timedelta(seconds=11))

    timed_out = engine.records.jobs().with_intent(JobIntent.TIMED_OUT).first()
    assert timed_out.key == job.key
    [again] = engine.jobs.activate("work")
    assert again.key == job.key


def test_max_jobs_to_activate_is_respected(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("p").start_event().service_task("task", job_type="work").end_event())
    for _ in range(5):
        engine.instances.create("p")

    first = engine.jobs.activate("work", max_jobs=3)
    rest = engine.jobs.activate("work", max_jobs=3)

    assert len(first) == 3
    assert len(rest) == 2
    assert not {job.key for job in first} & {job.key for job in rest}


def test_a_failed_job_with_retries_left_can_be_activated_again(engine: TestEngine) -> None:
    _one_job(engine)
    [job] = engine.jobs.activate("work")

    engine.jobs.fail(job.key, retries=2, error_message="boom")

    failed = engine.records.jobs().with_intent(JobIntent.FAILED).first()
    assert (failed.value.retries, failed.value.error_message) == (2, "boom")
    [again] = engine.jobs.activate("work")
    assert (again.key, again.retries) == (job.key, 2)


def test_a_failed_job_waits_out_its_retry_back_off(engine: TestEngine) -> None:
    _one_job(engine)
    [job] = engine.jobs.activate("work")

    engine.jobs.fail(job.key, retries=1, retry_backoff_ms=30_000)

    assert engine.jobs.activate("work") == []
    engine.advance_time(timedelta(seconds=29))
    assert engine.jobs.activate("work") == []
    engine.advance_time(timedelta(seconds=2))
    recurred = engine.records.jobs().with_intent(JobIntent.RECURRED_AFTER_BACKOFF).first()
    assert recurred.key == job.key
    assert [j.key for j in engine.jobs.activate("work")] == [job.key]


def test_failing_without_retries_raises_an_incident_that_resolves_after_retries_are_updated(
    engine: TestEngine,
) -> None:
    _one_job(engine)
    [job] = engine.jobs.activate("work")

    engine.jobs.fail(job.key, retries=0, error_message="no database")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.JOB_NO_RETRIES
    assert incident.value.error_message == "no database"
    assert incident.value.job_key == job.key
    assert engine.jobs.activate("work") == []

    rejection = engine.incidents.resolve(incident.key, expect_rejection=True)
    assert rejection.rejection_type is RejectionType.INVALID_STATE

    engine.jobs.update_retries(job.key, 1)
    engine.incidents.resolve(incident.key)

    assert engine.records.incidents().with_intent(IncidentIntent.RESOLVED).exists()
    [again] = engine.jobs.activate("work")
    assert (again.key, again.retries) == (job.key, 1)


def test_an_incident_without_an_error_message_says_no_more_retries_are_left(engine: TestEngine) -> None:
    _one_job(engine)
    [job] = engine.jobs.activate("work")

    engine.jobs.fail(job.key, retries=0)

    assert engine.records.incidents().first().value.error_message == "No more retries left."


def test_fail_variables_are_set_locally_on_the_task(engine: TestEngine) -> None:
    _one_job(engine)
    [job] = engine.jobs.activate("work")

    engine.jobs.fail(job.key, retries=1, variables={"attempt": 1})

    variable = engine.records.variables().with_name("attempt").first()
    assert variable.value.scope_key == job.element_instance_key


def test_update_timeout_moves_the_deadline(engine: TestEngine) -> None:
    _one_job(engine)
    [job] = engine.jobs.activate("work", timeout_ms=10_000)

    engine.jobs.update_timeout(job.key, 60_000)
    engine.advance_time(timedelta(seconds=30))

    assert not engine.records.jobs().with_intent(JobIntent.TIMED_OUT).exists()
    updated = engine.records.jobs().with_intent(JobIntent.TIMEOUT_UPDATED).first()
    assert updated.value.deadline == engine.clock.now_millis() - 30_000 + 60_000
    engine.advance_time(timedelta(seconds=31))
    assert engine.records.jobs().with_intent(JobIntent.TIMED_OUT).exists()


def test_update_timeout_of_a_job_that_is_not_activated_is_rejected(engine: TestEngine) -> None:
    _one_job(engine)
    job_key = engine.records.jobs().with_intent(JobIntent.CREATED).first().key

    rejection = engine.jobs.update_timeout(job_key, 1000, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_STATE
    assert rejection.rejection_reason == (
        f"Expected to update the timeout of job with key '{job_key}', but it is in state 'ACTIVATABLE'"
    )


def test_update_retries_to_zero_or_less_is_rejected_as_invalid_argument(engine: TestEngine) -> None:
    _one_job(engine)
    job_key = engine.records.jobs().with_intent(JobIntent.CREATED).first().key

    rejection = engine.jobs.update_retries(job_key, 0, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "positive amount of retries" in rejection.rejection_reason


def test_a_yielded_job_is_activatable_again(engine: TestEngine) -> None:
    _one_job(engine)
    [job] = engine.jobs.activate("work")

    engine.jobs.yield_(job.key)

    assert engine.records.jobs().with_intent(JobIntent.YIELDED).first().key == job.key
    assert [j.key for j in engine.jobs.activate("work")] == [job.key]


def test_yielding_a_job_that_is_not_activated_is_rejected(engine: TestEngine) -> None:
    _one_job(engine)
    job_key = engine.records.jobs().with_intent(JobIntent.CREATED).first().key

    rejection = engine.jobs.yield_(job_key, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_STATE


def test_an_uncaught_error_raises_an_unhandled_error_incident(engine: TestEngine) -> None:
    _one_job(engine)
    [job] = engine.jobs.activate("work")

    engine.jobs.throw_error(job.key, "PAYMENT_FAILED", "card declined")

    assert (
        engine.records.jobs().with_intent(JobIntent.ERROR_THROWN).first().value.error_code == "PAYMENT_FAILED"
    )
    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.UNHANDLED_ERROR_EVENT
    assert incident.value.error_message == (
        "Expected to throw an error event with the code 'PAYMENT_FAILED' with message 'card declined', "
        "but it was not caught. No error events are available in the scope."
    )


def test_failing_a_job_in_an_incident_is_rejected_naming_its_state(engine: TestEngine) -> None:
    _one_job(engine)
    [job] = engine.jobs.activate("work")
    engine.jobs.fail(job.key, retries=0)

    rejection = engine.jobs.fail(job.key, retries=0, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_STATE
    assert (
        rejection.rejection_reason
        == f"Expected to fail job with key '{job.key}', but it is in state 'FAILED'"
    )


def test_job_batch_requests_with_missing_fields_are_rejected(engine: TestEngine) -> None:
    from strom.client import ClientError

    for kwargs, reason in [
        ({"job_type": ""}, "type to be present"),
        ({"job_type": "work", "timeout_ms": 0}, "timeout to be greater than zero"),
        ({"job_type": "work", "max_jobs": 0}, "max jobs to activate to be greater than zero"),
    ]:
        try:
            engine.jobs.activate(**kwargs)
        except ClientError as error:
            assert error.rejection_type is RejectionType.INVALID_ARGUMENT
            assert reason in str(error)
        else:
            raise AssertionError(f"expected a rejection for {kwargs}")
