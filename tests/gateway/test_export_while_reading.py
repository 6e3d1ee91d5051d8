"""A reader tailing a running broker's JSON-lines export (``tail -f records.jsonl | jq``) meets
whole records only, each once, in log order, while the broker exports under load."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow


def _tail(path: Path, stop: threading.Event, seen: list[int], torn_tails: list[int]) -> None:
    """Reads as a follower would: complete lines only, an unterminated last line waits for its end."""
    while not path.exists() and not stop.is_set():
        stop.wait(0.01)
    with open(path, "rb") as file:
        pending = b""
        while True:
            finished = stop.is_set()
            pending += file.read()
            *complete, pending = pending.split(b"\n")
            seen.extend(json.loads(line)["position"] for line in complete)
            if pending:
                torn_tails.append(len(pending))
            if finished:
                if pending:
                    torn_tails.append(-1)  # the export ended in half a line
                return


def test_a_concurrent_reader_sees_every_record_once_and_whole(tmp_path: Path) -> None:
    broker = BrokerProcess(tmp_path, env={"STROM_EXPORTERS__RECORDS__FLUSH_EVERY": "50"}).start()
    stop = threading.Event()
    seen: list[int] = []
    torn_tails: list[int] = []
    reader = threading.Thread(target=_tail, args=(broker.records_path, stop, seen, torn_tails))
    reader.start()  # an exception in it leaves records unseen, which the asserts below catch
    try:
        xml = bpmn.process("p").start_event().end_event().to_xml()
        with grpc.insecure_channel(broker.address) as channel:
            stub = GatewayStub(channel)
            stub.DeployResource(
                pb.DeployResourceRequest(resources=[pb.Resource(name="p.bpmn", content=xml.encode())])
            )
            variables = json.dumps({"text": "é" * 2000})  # multi-byte text across page boundaries
            request = pb.CreateProcessInstanceRequest(bpmnProcessId="p", variables=variables)
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda _: stub.CreateProcessInstance(request, timeout=30), range(400)))
    finally:
        status = broker.stop()
        stop.set()
        reader.join(30)
    assert status == 0, broker.logs()

    assert seen == list(range(1, len(seen) + 1)), "records missing, doubled or out of order"
    assert len(seen) == len(broker.records()) >= 400 * 5
    assert -1 not in torn_tails, "the export ended in half a line"
