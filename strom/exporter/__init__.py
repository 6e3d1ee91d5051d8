"""strom.exporter: records out of a partition, in log order, with acknowledged positions.

Public: the ``Exporter`` protocol and its ``Controller``/``ExporterContext``, the built-in
``JsonLinesExporter``, and what runs exporters for the broker: ``ExporterDirector`` (on a thread) or
``ExporterProcess`` (in a process of its own), both ``ExporterRunner``s.
"""

from strom.exporter.api import (
    Controller,
    Exporter,
    ExporterConfigurationError,
    ExporterContext,
    ExporterError,
)
from strom.exporter.director import ExporterDirector, ExporterRunner
from strom.exporter.json_lines import JsonLinesExporter
from strom.exporter.process import ExporterProcess

__all__ = [
    "Controller",
    "Exporter",
    "ExporterConfigurationError",
    "ExporterContext",
    "ExporterDirector",
    "ExporterError",
    "ExporterProcess",
    "ExporterRunner",
    "JsonLinesExporter",
]
