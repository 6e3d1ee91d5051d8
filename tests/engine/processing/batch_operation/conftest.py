from __future__ import annotations

import pytest
from _batch_items import ExportedInstances

from strom.testing import TestEngine


@pytest.fixture
def items(engine: TestEngine) -> ExportedInstances:
    """The partition's batch operations find their items in its exported records."""
    provider = ExportedInstances(engine)
    engine.partition.engine.batch_operations.items = provider
    return provider
