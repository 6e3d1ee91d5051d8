"""``strom broker --admin-user NAME``: create the first user at start-up, when there is none.

A broker service (run after the gateways): it reads secondary storage, and when no user exists it
writes USER CREATE_INITIAL_ADMIN (the password hashed before, by the CLI: the engine makes the user
and gives it the ``admin`` role) and creates the default tenant ``<default>`` with the user in it
(as Camunda sets up its default tenant; with ``--multi-tenancy`` the admin can work there at once),
through the same ``PartitionBridge`` as the gateways. An admin that exists on the log but is not
exported yet makes the engine answer FORBIDDEN (and the tenant ALREADY_EXISTS), which counts as
done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from strom.broker.broker import Broker
from strom.broker.partition_group import PartitionGroup
from strom.engine.processing.authorization import ADMIN_ROLE
from strom.gateway.grpc.bridge import PartitionBridge
from strom.gateway.grpc.errors import GatewayError
from strom.gateway.grpc.requests import command
from strom.protocol.enums import RejectionType
from strom.protocol.intents import TenantIntent, UserIntent
from strom.protocol.record import Record
from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.identity import EntityType, TenantRecordValue, UserRecordValue
from strom.search.identity import IdentityStore

_log = logging.getLogger(__name__)


class AdminBootstrap:
    """Creates ``username`` with ``password_hash`` and the admin role when storage has no user."""

    def __init__(
        self, partitions: PartitionGroup, storage_url: str | None, username: str, password_hash: str
    ) -> None:
        self._partitions = partitions
        self._storage_url = storage_url
        self._username = username
        self._password_hash = password_hash
        self.created = False

    async def start(self) -> None:
        if self._storage_url is not None:
            store = IdentityStore(self._storage_url)
            try:
                exists = await asyncio.to_thread(store.has_users)
            finally:
                store.close()
            if exists:
                _log.info("admin user %r not created: users exist already", self._username)
                return
        bridge = PartitionBridge(self._partitions, asyncio.get_running_loop(), 15.0)
        bridge.start()
        try:
            user = UserRecordValue(username=self._username, password=self._password_hash)
            # the user with the admin role (FORBIDDEN when the log has an admin already)
            await self._send(bridge, command(user, UserIntent.CREATE_INITIAL_ADMIN), "CreateAdminUser")
            # the default tenant, with the admin in it: with multi-tenancy on, the admin works there
            tenant = TenantRecordValue(tenant_id=DEFAULT_TENANT_ID, name="Default")
            await self._send(bridge, command(tenant, TenantIntent.CREATE), "CreateTenant")
            assigned = TenantRecordValue(
                tenant_id=DEFAULT_TENANT_ID, entity_id=self._username, entity_type=EntityType.USER
            )
            await self._send(bridge, command(assigned, TenantIntent.ADD_ENTITY), "AssignUserToTenant")
        finally:
            await bridge.close()
        self.created = True
        _log.info(
            "admin user %r created with the %r role, in tenant %r",
            self._username,
            ADMIN_ROLE,
            DEFAULT_TENANT_ID,
        )

    async def _send(self, bridge: PartitionBridge, request: Record[Any], operation: str) -> None:
        try:
            answer = await bridge.send(request, operation)
        except GatewayError as error:
            raise RuntimeError(f"creating the admin user failed: {error.message}") from None
        if answer.is_rejection and answer.rejection_type not in (
            RejectionType.ALREADY_EXISTS,
            RejectionType.FORBIDDEN,  # an admin exists (on the log, not exported yet): done
        ):
            raise RuntimeError(f"creating the admin user failed: {answer.rejection_reason}")

    async def stop(self) -> None:
        pass


def admin_bootstrap(username: str, password_hash: str) -> Callable[[Broker], AdminBootstrap]:
    """A ``ServiceFactory`` creating the admin user (see the module docstring)."""

    def factory(broker: Broker) -> AdminBootstrap:
        return AdminBootstrap(broker.partitions, broker.config.secondary_storage_url, username, password_hash)

    return factory
