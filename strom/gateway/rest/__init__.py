"""Camunda's REST API v2 (``/v2``): commands to the partition, searches from secondary storage."""

from strom.gateway.rest.context import RestContext, RestSettings
from strom.gateway.rest.server import RestServer, rest_for

__all__ = ["RestContext", "RestServer", "RestSettings", "rest_for"]
