"""strom.exporter: records out of a partition, in log order, with acknowledged positions.

Public: the ``Exporter`` protocol and its ``Controller``/``ExporterContext``, the built-in
``JsonLinesExporter``, and ``ExporterDirector`` (used by the broker).
"""

from strom.exporter.api import (
    Controller,
    Exporter,
    ExporterConfigurationError,
    ExporterContext,
    ExporterError,
)
from strom.exporter.director import ExporterDirector
from strom.exporter.json_lines import JsonLinesExporter

__all__ = [
    "Controller",
    "Exporter",
    "ExporterConfigurationError",
    "ExporterContext",
    "ExporterDirector",
    "ExporterError",
    "JsonLinesExporter",
]
