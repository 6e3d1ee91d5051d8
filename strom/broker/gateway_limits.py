"""Limits the gRPC gateway puts on what clients hold: queued calls, long polls, streams, connections.

Backpressure (``strom.stream.backpressure``) bounds the requests a partition has in flight. These
bound what piles up in front of it, in the gateway: calls gRPC has received but the gateway has not
taken yet, long-polling ActivateJobs and StreamActivatedJobs calls one client keeps open, and
connections that carry no call. The gateway reads them (``strom.gateway.grpc.admission``); they live
here, with the broker's configuration, as the other settings do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class GatewayLimits:
    max_queued_calls: int = 1000
    """Calls of one RPC method gRPC may hold before the gateway takes them (gRPC core's
    ``grpc.server.max_pending_requests``, twice this its hard limit; between the two it drops a
    growing share). gRPC ends a call it drops with CANCELLED at once, where the gateway would have
    answered RESOURCE_EXHAUSTED; it drops calls only when they arrive faster than the gateway can
    even refuse them. Lower: less waiting in that queue, more CANCELLED calls (and a burst of that
    many concurrent calls from clients is already dropped in part)."""
    max_unanswered_pushed_jobs: int = 0
    """Jobs pushed to one job stream (StreamActivatedJobs) whose answer (CompleteJob, FailJob,
    ThrowError) the gateway has not taken yet; a further job waits in the stream until one is taken
    or times out. 0: automatic — at most a quarter of ``max_queued_calls`` per stream, and the open
    streams share three quarters of it evenly (at least 32 each), so the answers of all streams
    together stay below gRPC's queue bound for CompleteJob calls, past which gRPC drops them
    (CANCELLED)."""
    max_long_polls_per_client: int = 256
    """Long-polling ActivateJobs calls one client may have open (0: no limit)."""
    max_job_streams_per_client: int = 256
    """StreamActivatedJobs calls one client may have open (0: no limit)."""
    max_connection_idle_ms: int = 300_000
    """A connection without a call for this long is closed (GOAWAY; clients reconnect when they
    next call). 0: never."""

    @property
    def push_window(self) -> int:
        """Unanswered pushed jobs one stream may hold at most (``max_unanswered_pushed_jobs``)."""
        return self.max_unanswered_pushed_jobs or max(1, self.max_queued_calls // 4)

    @property
    def push_budget(self) -> int | None:
        """Unanswered pushed jobs the open streams share (automatic mode only; else None)."""
        return None if self.max_unanswered_pushed_jobs else max(1, self.max_queued_calls * 3 // 4)

    def validate(self) -> None:
        """Raise ``ValueError`` naming the setting that is out of range."""
        if self.max_queued_calls < 1:
            raise ValueError(f"gateway.max_queued_calls must be at least 1, got {self.max_queued_calls}")
        if self.max_unanswered_pushed_jobs < 0:
            raise ValueError(
                "gateway.max_unanswered_pushed_jobs must be 0 (automatic) or more, "
                f"got {self.max_unanswered_pushed_jobs}"
            )
        for name in (
            "max_long_polls_per_client",
            "max_job_streams_per_client",
            "max_connection_idle_ms",
        ):
            value = getattr(self, name)
            if value < 0:
                raise ValueError(f"gateway.{name} must be 0 (no limit) or more, got {value}")
