"""The package face: everything in ``__all__`` exists and each name is exported once."""

from __future__ import annotations

import strom.protocol as protocol
from strom.protocol import intents, records, values


def test_every_exported_name_exists() -> None:
    missing = [name for name in protocol.__all__ if not hasattr(protocol, name)]

    assert missing == []
    assert len(protocol.__all__) == len(set(protocol.__all__))


def test_the_package_reexports_every_intent_record_and_value() -> None:
    exported = set(protocol.__all__)

    for module in (intents, records, values):
        assert set(module.__all__) <= exported, module.__name__
