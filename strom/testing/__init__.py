"""strom.testing: test your processes (and Strom) against a real engine.

``TestEngine`` runs a partition in a directory with a controlled clock; ``engine.records`` queries
what it wrote, always with a bound (``.limit(n)``, ``.first()``, ``.exists()``); a failing test
prints the compact record log. The pytest plugin (loaded automatically) provides the ``engine``
fixture and checks after each test that replaying the log rebuilds the same state.
``strom.testing.bpmn`` builds processes fluently; ``assert_instance(engine, key)`` checks an
instance (``.is_completed().has_passed("task").has_variable("x", 1)``); ``pytest --strom-coverage``
reports which elements and flows of the deployed processes the tests reached. See docs/testing.md.
"""

from strom.testing import bpmn
from strom.testing._compact_log import compact_log
from strom.testing._engine import ReplayMismatchError, TestEngine
from strom.testing._records import RecordingExporter, RecordQueries, RecordQuery
from strom.testing.assertions import InstanceAssert, InstanceState, assert_instance, read_instance

__all__ = [
    "InstanceAssert",
    "InstanceState",
    "RecordQueries",
    "RecordQuery",
    "RecordingExporter",
    "ReplayMismatchError",
    "TestEngine",
    "assert_instance",
    "bpmn",
    "compact_log",
    "read_instance",
]
