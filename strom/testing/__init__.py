"""strom.testing: test your processes (and Strom) against a real engine.

``TestEngine`` runs a partition in a directory with a controlled clock; ``engine.records`` queries
what it wrote, always with a bound (``.limit(n)``, ``.first()``, ``.exists()``); a failing test
prints the compact record log. The pytest plugin (loaded automatically) provides the ``engine``
fixture and checks after each test that replaying the log rebuilds the same state.
``strom.testing.bpmn`` builds small processes.
"""

from strom.testing import bpmn
from strom.testing._compact_log import compact_log
from strom.testing._engine import ReplayMismatchError, TestEngine
from strom.testing._records import RecordingExporter, RecordQueries, RecordQuery

__all__ = [
    "RecordQueries",
    "RecordQuery",
    "RecordingExporter",
    "ReplayMismatchError",
    "TestEngine",
    "bpmn",
    "compact_log",
]
