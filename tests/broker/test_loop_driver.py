"""A partition processing on an asyncio event loop (the broker's default) instead of its thread."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from strom.broker import Partition, PartitionSettings
from strom.protocol.enums import RecordType
from strom.protocol.intents import DeploymentIntent, ProcessInstanceCreationIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from strom.testing import bpmn


def _deploy_command() -> Record[Any]:
    xml = bpmn.process("looped").start_event().end_event().to_xml().encode()
    return RECORD_CLASS_FOR_VALUE[DeploymentRecordValue](
        record_type=RecordType.COMMAND,
        intent=DeploymentIntent.CREATE,
        value=DeploymentRecordValue(resources=[DeploymentResource(resource_name="l.bpmn", resource=xml)]),
    )


def _create_command() -> Record[Any]:
    return RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue](
        record_type=RecordType.COMMAND,
        intent=ProcessInstanceCreationIntent.CREATE,
        value=ProcessInstanceCreationRecordValue(bpmn_process_id="looped"),
    )


def test_commands_are_processed_and_answered_on_the_loop(tmp_path: Path) -> None:
    async def main() -> tuple[Record[Any], Record[Any], int, int]:
        loop = asyncio.get_running_loop()
        partition = Partition(PartitionSettings(data_dir=tmp_path)).open()
        partition.start(loop)
        try:
            deployed: asyncio.Future[Record[Any]] = loop.create_future()
            answered_on: list[int] = []

            def on_deployed(record: Record[Any]) -> None:
                answered_on.append(threading.get_ident())
                deployed.set_result(record)

            partition.try_submit(_deploy_command(), on_deployed)
            deployment = await asyncio.wait_for(deployed, 10)

            # A command submitted from another thread wakes the loop too.
            created: asyncio.Future[Record[Any]] = loop.create_future()
            thread = threading.Thread(
                target=lambda: partition.submit(
                    _create_command(), lambda r: loop.call_soon_threadsafe(created.set_result, r)
                )
            )
            thread.start()
            creation = await asyncio.wait_for(created, 10)
            thread.join()
            partition.snapshot()  # on the loop's thread: taken between steps, at once
            return deployment, creation, answered_on[0], threading.get_ident()
        finally:
            partition.close()

    deployment, creation, answered_on, loop_thread = asyncio.run(main())

    assert deployment.intent == DeploymentIntent.CREATED
    assert creation.intent == ProcessInstanceCreationIntent.CREATED
    assert answered_on == loop_thread
    assert list((tmp_path / "partition-1" / "snapshots").iterdir())


def test_stop_flushes_and_a_reopened_partition_has_everything(tmp_path: Path) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        partition = Partition(PartitionSettings(data_dir=tmp_path)).open()
        partition.start(loop)
        answer: asyncio.Future[Record[Any]] = loop.create_future()
        partition.try_submit(_deploy_command(), answer.set_result)
        await asyncio.wait_for(answer, 10)
        partition.close(snapshot=False)

    asyncio.run(main())
    reopened = Partition(PartitionSettings(data_dir=tmp_path, group_commit=False)).open()
    try:
        answers: list[Record[Any]] = []
        reopened.submit(_create_command(), answers.append)
        reopened.run_until_idle()
        assert answers[0].intent == ProcessInstanceCreationIntent.CREATED
    finally:
        reopened.close(snapshot=False)


def test_due_work_scheduled_by_a_side_effect_runs_on_time(tmp_path: Path) -> None:
    """A job failed with a 200 ms back-off is activatable again after ~200 ms, not at the driver's
    idle timeout."""
    from strom.protocol.intents import JobBatchIntent, JobIntent
    from strom.protocol.values.job import JobBatchRecordValue, JobRecordValue

    xml = bpmn.process("backoff").start_event().service_task("t", job_type="b").end_event().to_xml().encode()

    def command(value: Any, intent: int, key: int = -1) -> Record[Any]:
        return RECORD_CLASS_FOR_VALUE[type(value)](
            key=key, record_type=RecordType.COMMAND, intent=intent, value=value
        )

    async def main() -> float:
        loop = asyncio.get_running_loop()
        partition = Partition(PartitionSettings(data_dir=tmp_path)).open()
        partition.start(loop)

        async def send(record: Record[Any]) -> Record[Any]:
            answer: asyncio.Future[Record[Any]] = loop.create_future()
            partition.try_submit(record, answer.set_result)
            return await asyncio.wait_for(answer, 10)

        try:
            await send(
                command(
                    DeploymentRecordValue(
                        resources=[DeploymentResource(resource_name="b.bpmn", resource=xml)]
                    ),
                    DeploymentIntent.CREATE,
                )
            )
            await send(command(ProcessInstanceCreationRecordValue(bpmn_process_id="backoff"), 0))
            activate = command(
                JobBatchRecordValue(type="b", worker="w", timeout=60_000, max_jobs_to_activate=1),
                JobBatchIntent.ACTIVATE,
            )
            [job_key] = (await send(activate)).value.job_keys
            await asyncio.sleep(0.6)  # the driver is idle, waiting up to its idle timeout
            await send(command(JobRecordValue(retries=2, retry_backoff=200), JobIntent.FAIL, job_key))
            failed = loop.time()
            while not (await send(activate)).value.job_keys:
                await asyncio.sleep(0.01)
            return loop.time() - failed
        finally:
            partition.close()

    waited = asyncio.run(main())

    # The back-off runs from the engine's clock when it processed FAIL, a moment before the answer
    # reached this loop, so the wait measured here may be a little under 200 ms; never ~0.
    assert 0.1 < waited < 0.45
