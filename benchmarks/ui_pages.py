"""Operate's pages with 100,000 instances in secondary storage: the server time of the requests each
page makes, against a real `strom broker` (SQLite secondary storage, the embedded default).

    .venv/bin/python benchmarks/ui_pages.py [--instances 100000] [--repeat 15]

The broker gets ``--instances`` one-task instances over gRPC, all waiting at their service task
(so every one of them is a running instance the process page lists), and the benchmark waits until
the SQL exporter has written all of them. Then each page's requests — the ones `ui/operate/main.js`
sends, with the same bodies — are timed ``--repeat`` times over loopback HTTP (keep-alive); a page's
figure is the sum of its requests' medians (the page sends some of them in parallel, so the sum is
an upper bound). The goal (issue 13): the process page with 100,000 instances within 1 s of server
time. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from grpc_one_task import ONE_TASK, _free_port, deploy, start_broker, stop_broker
from waiting_instances import create_instances

from strom.build_variant import variant

GOAL_S = 1.0


def _wait_exported(http: httpx.Client, definition_key: str, instances: int, timeout: float) -> float:
    """Seconds until the read model holds every instance waiting at the task (its badge count)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        items = http.post(
            f"/process-definitions/{definition_key}/statistics/element-instances", json={}
        ).json()
        active = sum(item["active"] for item in items["items"] if item["elementId"] == "task")
        if active >= instances:
            return time.monotonic() - began
        time.sleep(0.5)
    raise RuntimeError(f"the secondary storage did not hold {instances} waiting instances within {timeout} s")


def _timed(http: httpx.Client, method: str, path: str, body: Any, repeat: int) -> dict[str, float]:
    durations: list[float] = []
    for _ in range(repeat):
        began = time.perf_counter()
        answer = http.request(method, path, json=body) if body is not None else http.request(method, path)
        durations.append(time.perf_counter() - began)
        if answer.status_code >= 400:
            raise RuntimeError(f"{method} {path} answered {answer.status_code}: {answer.text[:300]}")
    durations.sort()
    return {
        "median_ms": round(statistics.median(durations) * 1000, 2),
        "max_ms": round(durations[-1] * 1000, 2),
    }


def pages(definition_key: str, instance_key: str, instances: int) -> dict[str, list[tuple[str, str, Any]]]:
    """Each page's requests, as Operate sends them (method, path, body)."""
    definitions = (
        "POST",
        "/process-definitions/search",
        {
            "sort": [{"field": "processDefinitionId"}, {"field": "version", "order": "DESC"}],
            "page": {"limit": 500},
        },
    )
    return {
        "dashboard": [
            definitions,
            (
                "POST",
                "/process-instances/search",
                {"filter": {"processDefinitionId": "one_task", "state": "ACTIVE"}, "page": {"limit": 0}},
            ),
            (
                "POST",
                "/process-instances/search",
                {
                    "filter": {"processDefinitionId": "one_task", "state": "ACTIVE", "hasIncident": True},
                    "page": {"limit": 0},
                },
            ),
            ("POST", "/incidents/search", {"filter": {"state": "ACTIVE"}, "page": {"limit": 500}}),
            (
                "POST",
                "/process-instances/search",
                {"sort": [{"field": "startDate", "order": "DESC"}], "page": {"limit": 8}},
            ),
            (
                "POST",
                "/process-instances/search",
                {
                    "filter": {"endDate": {"$exists": True}},
                    "sort": [{"field": "endDate", "order": "DESC"}],
                    "page": {"limit": 8},
                },
            ),
        ],
        "process": [
            definitions,
            (
                "POST",
                "/process-instances/search",
                {
                    "filter": {"processDefinitionId": "one_task", "state": "ACTIVE"},
                    "sort": [{"field": "startDate", "order": "DESC"}],
                    "page": {"from": 0, "limit": 50},
                },
            ),
            ("GET", f"/process-definitions/{definition_key}/xml", None),
            ("POST", f"/process-definitions/{definition_key}/statistics/element-instances", {}),
        ],
        "process_last_page": [
            (
                "POST",
                "/process-instances/search",
                {
                    "filter": {"processDefinitionId": "one_task", "state": "ACTIVE"},
                    "sort": [{"field": "startDate", "order": "DESC"}],
                    "page": {"from": max(0, instances - 50), "limit": 50},
                },
            ),
        ],
        "instance": [
            ("GET", f"/process-instances/{instance_key}", None),
            ("GET", f"/process-definitions/{definition_key}/xml", None),
            (
                "POST",
                "/element-instances/search",
                {
                    "filter": {"processInstanceKey": instance_key},
                    "sort": [{"field": "elementInstanceKey"}],
                    "page": {"limit": 500},
                },
            ),
            ("GET", f"/process-instances/{instance_key}/sequence-flows", None),
            (
                "POST",
                "/variables/search",
                {
                    "filter": {"processInstanceKey": instance_key},
                    "sort": [{"field": "name"}],
                    "page": {"limit": 500},
                },
            ),
            (
                "POST",
                "/incidents/search",
                {"filter": {"processInstanceKey": instance_key, "state": "ACTIVE"}, "page": {"limit": 500}},
            ),
            (
                "POST",
                "/process-instances/search",
                {"filter": {"parentProcessInstanceKey": instance_key}, "page": {"limit": 20}},
            ),
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15, help="times each request is timed")
    parser.add_argument("--in-flight", type=int, default=64, help="most creations outstanding")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="strom-ui-pages-"))
    grpc_port, rest_port = _free_port(), _free_port()
    address = f"127.0.0.1:{grpc_port}"
    figures: dict[str, Any] = {"benchmark": "ui_pages", "variant": variant(), "instances": args.instances}
    try:
        broker = start_broker(data_dir, grpc_port, rest_port=rest_port, secondary_storage="sqlite")
        try:
            deploy(address, "one_task.bpmn", ONE_TASK)
            _, created_s = asyncio.run(
                create_instances(address, args.instances, args.in_flight, "{}", lambda _: None)
            )
            figures["created_per_s"] = round(args.instances / created_s, 1)
            with httpx.Client(base_url=f"http://127.0.0.1:{rest_port}/v2", timeout=120) as http:
                definition = http.post("/process-definitions/search", json={}).json()["items"][0]
                definition_key = definition["processDefinitionKey"]
                figures["export_lag_after_creation_s"] = round(
                    _wait_exported(http, definition_key, args.instances, timeout=900), 1
                )
                newest = http.post(
                    "/process-instances/search",
                    json={"sort": [{"field": "startDate", "order": "DESC"}], "page": {"limit": 1}},
                ).json()["items"][0]["processInstanceKey"]
                results: dict[str, Any] = {}
                for page, requests in pages(definition_key, newest, args.instances).items():
                    timed = [
                        {"request": f"{method} {path}", **_timed(http, method, path, body, args.repeat)}
                        for method, path, body in requests
                    ]
                    results[page] = {
                        "server_time_s": round(sum(t["median_ms"] for t in timed) / 1000, 3),
                        "requests": timed,
                    }
                    print(
                        f"{page:>18}: {results[page]['server_time_s']:.3f} s "
                        f"({', '.join(format(t['median_ms'], '.1f') for t in timed)} ms)"
                    )
        finally:
            stop_broker(broker)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    process_s = results["process"]["server_time_s"]
    figures.update(
        {
            "process_page_s": process_s,
            "process_last_page_s": results["process_last_page"]["server_time_s"],
            "dashboard_s": results["dashboard"]["server_time_s"],
            "instance_page_s": results["instance"]["server_time_s"],
            "goal_s": GOAL_S,
            "goal_met": process_s <= GOAL_S,
            "pages": results,
        }
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
