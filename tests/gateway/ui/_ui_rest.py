"""The broker's REST API v2 as the browser tests drive the engine beside the page (a module of its
own: test modules import it, and ``conftest`` is a name every test directory has)."""

from __future__ import annotations

import time
from typing import Any

import httpx


class Rest:
    """The broker's REST API v2, as the tests drive the engine beside the browser."""

    def __init__(self, address: str) -> None:
        self.client = httpx.Client(base_url=address, timeout=20)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(method, path, json=body)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def create(self, process_id: str, variables: dict[str, Any] | None = None) -> str:
        body = {"processDefinitionId": process_id, "variables": variables}
        created = self.call("POST", "/process-instances", body)
        return str(created["processInstanceKey"])

    def wait_for(self, resource: str, filter_: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """The first item of a search once the secondary storage has it."""
        deadline = time.monotonic() + timeout
        while True:
            items = self.call("POST", f"/{resource}/search", {"filter": filter_})["items"]
            if items:
                return dict(items[0])
            if time.monotonic() > deadline:
                raise AssertionError(f"no {resource} matching {filter_} within {timeout} s")
            time.sleep(0.05)

    def activate(self, job_type: str, instance: str) -> dict[str, Any]:
        """Activates the job of ``job_type`` that belongs to ``instance``; jobs of other instances it
        meets are handed back with a long back-off (their retries unchanged), out of the way."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            body = {"type": job_type, "timeout": 60_000, "maxJobsToActivate": 1, "requestTimeout": 5_000}
            for job in self.call("POST", "/jobs/activation", body)["jobs"]:
                if job["processInstanceKey"] == instance:
                    return dict(job)
                back = {"retries": job["retries"], "retryBackOff": 600_000}
                self.call("POST", f"/jobs/{job['jobKey']}/failure", back)
        raise AssertionError(f"no job of type {job_type} for instance {instance}")
