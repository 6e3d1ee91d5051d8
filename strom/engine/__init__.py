"""strom.engine: the workflow engine of one partition. Internal.

``Engine`` implements the stream processor's ``RecordProcessor``: appliers change state,
processors decide, behaviors hold shared logic. ``ENGINE_COLUMN_FAMILIES`` are the column families
a partition opens its database with (with the stream's own).
"""

from strom.engine._engine import Engine
from strom.engine.job_streams import JobStream, JobStreams, NoJobStreams
from strom.engine.state.column_families import ALL as ENGINE_COLUMN_FAMILIES

__all__ = ["ENGINE_COLUMN_FAMILIES", "Engine", "JobStream", "JobStreams", "NoJobStreams"]
