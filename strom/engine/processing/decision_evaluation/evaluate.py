"""DECISION_EVALUATION EVALUATE (the EvaluateDecision RPC): evaluate a deployed decision, by id
(its latest version) or by key, with the given variables.

The answer is the EVALUATED or FAILED event with every decision evaluated on the way; an unknown
decision is rejected as NOT_FOUND.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.writers import Writers
from strom.model import BindingType
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record


class DecisionEvaluationEvaluateProcessor:
    def __init__(self, behaviors: Behaviors) -> None:
        self._decisions = behaviors.decisions

    def process(self, command: Record[Any], writers: Writers) -> None:
        request = command.value
        if request.decision_id:
            decision = self._decisions.find(
                request.tenant_id, request.decision_id, BindingType.LATEST, None, -1
            )
        elif request.decision_key > -1:
            decision = self._decisions.by_key(request.tenant_id, request.decision_key)
        else:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                "Expected either a decision id or a valid decision key, but none provided",
            )
            return
        if isinstance(decision, Failure):
            writers.reject(command, RejectionType.NOT_FOUND, decision.message)
            return
        key, intent, record, _ = self._decisions.evaluate(decision, request.variables)
        writers.respond(writers.append_event(key, intent, record))
