"""Link events, terminate end events and job-based message throw and end events."""

from strom.protocol.intents import JobIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn


def test_a_link_throw_event_continues_at_its_catch_event(engine: TestEngine) -> None:
    builder = bpmn.process("linked").start_event().intermediate_throw_event("go_to_b").link("B")
    builder.element("intermediateCatchEvent", "from_a", connect=False).link("B").end_event("end")
    engine.deploy(builder)

    instance = engine.instances.create("linked")

    events = [
        (r.value.element_id, PI(r.intent).name)
        for r in engine.records.process_instances()
        .events()
        .where(lambda r: r.value.element_id in ("go_to_b", "from_a"))
        .limit(10)
    ]
    assert events == [
        ("go_to_b", "ELEMENT_ACTIVATING"),
        ("go_to_b", "ELEMENT_ACTIVATED"),
        ("go_to_b", "ELEMENT_COMPLETING"),
        ("go_to_b", "ELEMENT_COMPLETED"),
        ("from_a", "ELEMENT_ACTIVATING"),
        ("from_a", "ELEMENT_ACTIVATED"),
        ("from_a", "ELEMENT_COMPLETING"),
        ("from_a", "ELEMENT_COMPLETED"),
    ]
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_terminate_end_event_ends_its_scope(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("race")
        .start_event()
        .parallel_gateway("fork")
        .service_task("slow", job_type="slow")
        .end_event("slow_end")
        .move_to("fork")
        .end_event("stop")
        .terminate()
    )

    instance = engine.instances.create("race")

    assert (
        engine.records.process_instances().with_element_id("slow").with_intent(PI.ELEMENT_TERMINATED).exists()
    )
    assert engine.records.jobs().with_intent(JobIntent.CANCELED).exists()
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_terminate_end_event_in_a_subprocess_ends_only_the_subprocess(engine: TestEngine) -> None:
    inside = (
        bpmn.process("x")
        .start_event("inner_start")
        .parallel_gateway("fork")
        .service_task("slow", job_type="slow")
        .end_event("slow_end")
        .move_to("fork")
        .end_event("stop")
        .terminate()
    )
    builder = bpmn.process("outer").start_event().sub_process("sub", content=inside)
    builder.service_task("after", job_type="after").end_event()
    engine.deploy(builder)

    engine.instances.create("outer")

    assert (
        engine.records.process_instances().with_element_id("sub").with_intent(PI.ELEMENT_COMPLETED).exists()
    )
    assert engine.records.jobs().with_type("after").with_intent(JobIntent.CREATED).exists()


def test_a_message_throw_event_is_done_by_a_job_worker(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("notify")
        .start_event()
        .intermediate_throw_event("send")
        .message(None, job_type="send-mail")
        .end_event("notify_end")
        .message(None, job_type="send-sms")
    )
    instance = engine.instances.create("notify")

    [mail] = engine.jobs.activate("send-mail")
    engine.jobs.complete(mail.key, {"mailed": True})
    [sms] = engine.jobs.activate("send-sms")
    engine.jobs.complete(sms.key)

    created = engine.records.jobs().with_intent(JobIntent.CREATED).limit(2)
    assert [job.value.element_id for job in created] == ["send", "notify_end"]
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()
    assert engine.records.variables().with_name("mailed").with_value(scope_key=instance).exists()


def test_terminating_a_message_throw_event_cancels_its_job(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("notify")
        .start_event()
        .intermediate_throw_event("send")
        .message(None, job_type="send-mail")
        .end_event()
    )
    instance = engine.instances.create("notify")

    engine.instances.cancel(instance)

    assert engine.records.jobs().with_intent(JobIntent.CANCELED).exists()


def test_after_a_terminate_end_event_no_flow_is_taken_in_its_scope(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("race")
        .start_event()
        .parallel_gateway("fork")
        .end_event("stop")
        .terminate()
        .move_to("fork")
        .task("quick")
        .service_task("late", job_type="late-work")
        .to_xml()
    )

    instance = engine.instances.create("race")

    # "quick" finishes after "stop" interrupted the process: its token ends there.
    assert (
        engine.records.process_instances().with_element_id("quick").with_intent(PI.ELEMENT_COMPLETED).exists()
    )
    assert not engine.records.process_instances().with_element_id("flow_quick_late").exists()
    assert not engine.records.process_instances().with_element_id("late").exists()
    assert not engine.records.jobs().exists()
    completed = (
        engine.records.process_instances().with_element_id("race").with_intent(PI.ELEMENT_COMPLETED).first()
    )
    assert completed.key == instance
