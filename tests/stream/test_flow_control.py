"""Flow control: a write-rate limit and throttling on the exporters' backlog, for user commands
only; commands that finish work always pass."""

from __future__ import annotations

import pytest

from strom.stream.flow_control import FlowControl, FlowControlSettings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_write_rate_limit_takes_a_burst_then_refills_by_the_rate() -> None:
    clock = Clock()
    control = FlowControl(FlowControlSettings(write_rate_limit=10, write_rate_burst=3), lambda: 0, clock)

    admitted = [control.refusal(exempt=False) is None for _ in range(5)]
    clock.now += 0.25  # 2.5 tokens
    later = [control.refusal(exempt=False) is None for _ in range(3)]

    assert admitted == [True, True, True, False, False]
    assert later == [True, True, False]
    assert "write rate limit of 10 commands/s" in str(control.refusal(exempt=False))
    assert control.refused["write_rate"] == 4


def test_a_backlog_beyond_the_limit_refuses_user_commands_until_the_exporters_catch_up() -> None:
    backlog = [500]
    control = FlowControl(FlowControlSettings(exporter_backlog_limit=100), lambda: backlog[0])

    refused = control.refusal(exempt=False)
    finishing = control.refusal(exempt=True)
    backlog[0] = 80
    resumed = control.refusal(exempt=False)

    assert refused is not None and "trail the log by 500 records" in refused
    assert finishing is None
    assert resumed is None


def test_off_by_default() -> None:
    assert not FlowControl(FlowControlSettings(), lambda: 10**9).enabled


@pytest.mark.parametrize("settings", [{"write_rate_limit": -1}, {"exporter_backlog_limit": -5}])
def test_negative_limits_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="flow_control"):
        FlowControlSettings(**settings).validate()  # type: ignore[arg-type]
