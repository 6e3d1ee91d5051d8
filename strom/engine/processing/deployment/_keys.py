"""Where a deployment's new keys come from: the partition's key generator, or (on a partition that
receives a distributed deployment) the keys the deployment partition already gave it."""

from __future__ import annotations

from typing import Protocol


class KeySource(Protocol):
    def next_key(self) -> int: ...
