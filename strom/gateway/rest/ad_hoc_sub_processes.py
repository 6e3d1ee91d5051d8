"""Ad-hoc sub-processes: ``POST /element-instances/ad-hoc-activities/{adHocSubProcessInstanceKey}/
activation`` (``activateAdHocSubProcessActivities``) starts elements of a running ad-hoc
sub-process, each with its variables — AD_HOC_SUB_PROCESS_INSTRUCTION ACTIVATE, routed to the
partition of the sub-process instance."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc import requests
from strom.gateway.rest.context import RestContext, command_from, key, variables_text
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import invalid_argument
from strom.protocol.intents import AdHocSubProcessInstructionIntent
from strom.protocol.values.ad_hoc_sub_process import (
    AdHocSubProcessActivateElementInstructionValue,
    AdHocSubProcessInstructionRecordValue,
)

operations = Operations("Ad-hoc sub-process")


class ActivityReference(Body):
    elementId: str
    variables: dict[str, Any] | None = None


class ActivateActivitiesRequest(Body):
    elements: list[ActivityReference] = msgspec.field(default_factory=list)
    cancelRemainingInstances: bool = False


@operations.post(
    "/element-instances/ad-hoc-activities/{adHocSubProcessInstanceKey}/activation",
    "activateAdHocSubProcessActivities",
    "Activate elements of a running ad-hoc sub-process",
    body=ActivateActivitiesRequest,
    body_required=True,
    answers=204,
)
async def activate_ad_hoc_sub_process_activities(
    request: Request, adHocSubProcessInstanceKey: str, body: ActivateActivitiesRequest
) -> Response:
    instance_key = key(adHocSubProcessInstanceKey, "adHocSubProcessInstanceKey")
    if not body.elements:
        raise invalid_argument(
            "Expected 'elements' to name at least one element to activate, but it was empty"
        )
    elements = []
    for element in body.elements:
        if not element.elementId:
            raise invalid_argument("Expected each element's 'elementId' to be set, but one was empty")
        text = variables_text(element.variables, "elements.variables")
        document = command_from(requests.variables, text)
        elements.append(
            AdHocSubProcessActivateElementInstructionValue(element_id=element.elementId, variables=document)
        )
    value = AdHocSubProcessInstructionRecordValue(
        ad_hoc_sub_process_instance_key=instance_key,
        activate_elements=elements,
        cancel_remaining_instances=body.cancelRemainingInstances,
    )
    command = requests.command(value, AdHocSubProcessInstructionIntent.ACTIVATE, instance_key)
    context: RestContext = request.app.state.context
    await context.send(command, "ActivateAdHocSubProcessActivities")
    return Response(status_code=204)
