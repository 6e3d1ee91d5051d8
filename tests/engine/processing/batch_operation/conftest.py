from __future__ import annotations

import pytest
from _batch_items import ExportedInstances

from strom.testing import TestEngine


@pytest.fixture
def items(engine: TestEngine) -> ExportedInstances:
    """The partitions' batch operations find their items in the exported records."""
    provider = ExportedInstances(engine)
    for partition in engine.partitions.values():
        partition.engine.batch_operations.items = provider
    return provider
