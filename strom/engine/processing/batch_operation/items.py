"""Where a batch operation's items come from: the engine asks, the broker answers from secondary
storage (the engine never imports ``strom.search``; imports point down the layers).

A provider resolves an operation's filter one page at a time, from a cursor it returned before
(``""`` for the first page), so a partition that restarts goes on from the last page it recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from strom.protocol.values.batch_operation import BatchOperationItemValue, BatchOperationType


@dataclass(frozen=True)
class ItemPage:
    """Items of one page, the cursor after them, and whether it is the last page."""

    items: list[BatchOperationItemValue] = field(default_factory=list)
    cursor: str = ""
    last: bool = True


class ItemQueryError(Exception):
    """The filter cannot be resolved (an invalid filter, no secondary storage): the operation
    fails. A passing problem (the database is busy) is any other exception: asked again later."""


class BatchItemProvider(Protocol):
    def fetch(
        self,
        operation_type: BatchOperationType,
        entity_filter: str,
        cursor: str,
        page_size: int,
        partition_id: int,
    ) -> ItemPage:
        """The next page of items of ``operation_type`` for ``entity_filter`` (JSON text of a
        process instance filter) after ``cursor``. ``partition_id``: the partition asking.

        Raises:
            ItemQueryError: the filter can never be resolved.
        """
        ...


class NoItemProvider:
    """A partition without secondary storage: every batch operation fails, saying why."""

    def fetch(
        self,
        operation_type: BatchOperationType,
        entity_filter: str,
        cursor: str,
        page_size: int,
        partition_id: int,
    ) -> ItemPage:
        raise ItemQueryError(
            "batch operations resolve their filter against the secondary storage, and this broker "
            "runs without one (secondary_storage = none)"
        )
