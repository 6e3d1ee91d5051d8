"""The REST API v2 served by uvicorn on the broker's event loop, next to the gRPC gateway.

The server runs inside the broker's loop, so it leaves signals to the broker (uvicorn would
otherwise replace the broker's SIGTERM handler) and stops when the broker stops its services.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator
from typing import Any

import uvicorn

from strom.broker.broker import Broker
from strom.broker.documents import DocumentStore
from strom.broker.partition_group import PartitionGroup
from strom.gateway.auth.authenticator import Authenticator, authenticator_for
from strom.gateway.auth.rest import RestAuth
from strom.gateway.auth.sessions import Sessions
from strom.gateway.rest.app import create_app
from strom.gateway.rest.context import RestContext, RestSettings

_log = logging.getLogger(__name__)


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the broker handles SIGTERM/SIGINT and stops this server


class RestServer:
    def __init__(
        self,
        partitions: PartitionGroup,
        settings: RestSettings,
        search: Any = None,
        auth: RestAuth | None = None,
        documents: DocumentStore | None = None,
    ) -> None:
        self.context = RestContext(partitions, settings, search)
        self.context.documents = documents
        self.auth = auth or RestAuth(Authenticator("none"))
        self.settings = settings
        self.port = 0
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.context.start()
        config = uvicorn.Config(
            create_app(self.context, self.auth),
            host=self.settings.host,
            port=self.settings.port,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        server = self._server = _EmbeddedServer(config)
        self._task = asyncio.get_running_loop().create_task(server.serve())
        while not server.started:
            if self._task.done():
                error = self._task.exception()
                raise OSError(
                    f"cannot listen on {self.settings.host}:{self.settings.port} for the REST API "
                    f"(is the port in use?): {error or 'the server stopped at start-up'}"
                )
            await asyncio.sleep(0.01)
        self.port = server.servers[0].sockets[0].getsockname()[1]
        _log.info("REST API on http://%s:%d/v2", self.settings.host, self.port)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await self._task
            self._server = None
            self._task = None
        await self.context.stop()
        if self.context.search is not None:
            self.context.search.close()
        self.auth.authenticator.close()


def rest_for(broker: Broker) -> RestServer:
    """The REST API of ``broker`` (a ``ServiceFactory``), configured from its config."""
    config = broker.config
    url = config.secondary_storage_url
    search = None
    identities = None
    if url is not None:
        from strom.search import SearchStore
        from strom.search.identity import IdentityStore

        search = SearchStore(url)
        identities = IdentityStore(url)
    return RestServer(
        broker.partitions,
        RestSettings(
            host=config.host,
            port=config.rest_port,
            advertised_host=config.advertised_host,
            grpc_port=config.grpc_port,
            node_id=config.node_id,
            long_polling_timeout_ms=config.long_polling_timeout_ms,
            request_timeout_ms=config.request_timeout_ms,
            clock_controlled=config.clock_controlled,
            multi_tenancy=config.multi_tenancy,
            data_dir="" if config.cluster_servers else str(config.data_dir.absolute()),
        ),
        search,
        RestAuth(
            authenticator_for(config, identities),
            identities,
            # the UI's sessions outlive a restart: their secret is kept in the data directory
            Sessions.from_directory(config.data_dir) if config.auth == "basic" else None,
        ),
        DocumentStore.in_data_dir(config.data_dir, config.documents),
    )
