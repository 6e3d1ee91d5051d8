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
class ItemScope:
    """What the operation's creator may see, as Zeebe resolves a filter with the creator's
    authentication: instances of ``tenant_ids`` only (None: every tenant; multi-tenancy off) and of
    the processes in ``process_ids`` only (None: every process; READ_PROCESS_INSTANCE on ``*``, or
    authorizations off). An empty set finds nothing."""

    tenant_ids: frozenset[str] | None = None
    process_ids: frozenset[str] | None = None


UNRESTRICTED = ItemScope()
"""Every instance of the partition: an operation created without a caller (authentication off)."""


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
        scope: ItemScope = UNRESTRICTED,
    ) -> ItemPage:
        """The next page of items of ``operation_type`` for ``entity_filter`` (JSON text of a
        process instance filter) after ``cursor``, among the instances partition ``partition_id``
        owns and ``scope`` lets the creator see.

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
        scope: ItemScope = UNRESTRICTED,
    ) -> ItemPage:
        raise ItemQueryError(
            "batch operations resolve their filter against the secondary storage, and this broker "
            "runs without one (secondary_storage = none)"
        )
