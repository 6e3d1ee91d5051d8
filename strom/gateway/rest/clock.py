"""The engine's clock over REST (Camunda 8.8's ``pinClock`` / ``resetClock``): for tests and demos
that need time to stand still or jump, e.g. past a timer's due date.

Only a broker started with a controllable clock (``--clock-controlled``, config ``clock_controlled``,
``STROM_CLOCK_CONTROLLED``) serves them; otherwise they answer 403 saying how to enable it. The
command goes to partition 1, which distributes it to every partition (``strom.engine.processing.
clock``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc.requests import command
from strom.gateway.rest.context import RestContext
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import Problem, invalid_argument
from strom.protocol.intents import ClockIntent
from strom.protocol.values.clock import ClockRecordValue

operations = Operations("Clock")


class ClockPinRequest(Body):
    timestamp: int | None = None


def _controlled(request: Request) -> RestContext:
    context: RestContext = request.app.state.context
    if not context.settings.clock_controlled:
        raise Problem(
            403,
            "FORBIDDEN",
            "The engine's clock is not controllable on this broker: start it with --clock-controlled "
            "(config clock_controlled = true, or STROM_CLOCK_CONTROLLED=true) to pin and reset it",
        )
    return context


@operations.put(
    "/clock",
    "pinClock",
    "Pin the engine's clock at a time (epoch milliseconds) until it is reset",
    body=ClockPinRequest,
    body_required=True,
    answers=204,
)
async def pin_clock(request: Request, body: ClockPinRequest) -> Response:
    context = _controlled(request)
    if body.timestamp is None or body.timestamp < 0:
        raise invalid_argument(
            "Expected 'timestamp' to be the time to pin the clock at, in milliseconds since the "
            f"epoch and not negative, but it was {body.timestamp!r}"
        )
    await context.send(command(ClockRecordValue(time=body.timestamp), ClockIntent.PIN), "PinClock")
    return Response(status_code=204)


@operations.post(
    "/clock/reset",
    "resetClock",
    "Let the engine's clock follow the system time again",
    answers=204,
)
async def reset_clock(request: Request) -> Response:
    context = _controlled(request)
    await context.send(command(ClockRecordValue(), ClockIntent.RESET), "ResetClock")
    return Response(status_code=204)
