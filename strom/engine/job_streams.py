"""The engine's view of job workers outside it: streams that take pushed jobs, and long polls.

The gateway implements these. Whether a stream is available is an input to processing (like a
client command): the decision is recorded on the log as a JOB_BATCH ACTIVATED event, so replay
never asks again. Pushing and waking pollers happen as side effects, after the batch is durable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from strom.protocol.values.job import JobRecordValue


class JobStream(Protocol):
    """A worker's open stream for one job type."""

    @property
    def worker(self) -> str: ...

    @property
    def timeout(self) -> int:
        """Job lease in milliseconds."""
        ...

    @property
    def fetch_variables(self) -> list[str]:
        """Variable names to send with each job; empty means all."""
        ...

    @property
    def authorizations(self) -> dict[str, Any]:
        """Who opened the stream (``Record.authorizations``); empty for a caller not checked."""
        ...

    @property
    def tenant_ids(self) -> list[str]:
        """The tenants whose jobs the stream takes; empty for any."""
        ...

    def push(self, job_key: int, job: JobRecordValue) -> None:
        """Hand an activated job to the worker; if that fails, the stream yields the job back."""


class JobStreams(Protocol):
    def pick(self, job_type: str, accepts: Callable[[JobStream], bool] | None = None) -> JobStream | None:
        """A stream to push a job of ``job_type`` to (one ``accepts`` takes, when given), or None
        to leave the job for polling."""

    def notify_available(self, job_type: str) -> None:
        """Jobs of ``job_type`` became activatable: wake long-polling requests."""


class NoJobStreams:
    """No workers attached (tests that poll, tools)."""

    def pick(self, job_type: str, accepts: Callable[[JobStream], bool] | None = None) -> JobStream | None:
        return None

    def notify_available(self, job_type: str) -> None:
        return None
