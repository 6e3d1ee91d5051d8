"""The PROCESS_MESSAGE_SUBSCRIPTION commands the message's partition answers with."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior.subscription_commands import process_side as open_acknowledgement

__all__ = ["open_acknowledgement"]
