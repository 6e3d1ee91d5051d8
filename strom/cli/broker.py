"""``strom broker``: run a broker with Zeebe's gRPC gateway until SIGTERM/SIGINT."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click


@click.command("broker")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    envvar="STROM_CONFIG",
    help="A TOML (or YAML) file with broker settings; env STROM_CONFIG.",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the log, state and snapshots live (default ./data).",
)
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--grpc-port", type=int, help="Port of the gRPC gateway (default 26500).")
@click.option("--metrics-port", type=int, help="Port of /metrics (default 9600; 0 turns it off).")
@click.option("--rest-port", type=int, help="Port of the REST API v2 (default 8080; 0 turns it off).")
@click.option(
    "--cluster",
    help="NATS server URLs (comma-separated): partition logs on JetStream there (default: the file journal).",
)
@click.option(
    "--replication-factor", type=int, help="Replicas of each partition's JetStream stream (default 1)."
)
@click.option(
    "--node-id",
    type=int,
    help="This broker's id in a cluster (default 0); every broker on the same NATS needs its own.",
)
@click.option(
    "--cluster-size",
    type=int,
    help="With --cluster: the brokers expected; each leads up to partitions/brokers (default 1).",
)
@click.option(
    "--partitions",
    type=int,
    help="Partitions, each in its own process when more than one (default 1; fixed per data dir).",
)
@click.option(
    "--secondary-storage",
    help="Where REST searches read from: sqlite (default, in the data dir), a postgresql:// URL, or none.",
)
@click.option(
    "--backpressure",
    type=click.Choice(["aimd", "vegas", "fixed", "off"]),
    help="Backpressure algorithm (default aimd).",
)
@click.option(
    "--disk-free-space-processing",
    help="Refuse client commands while the data directory's file system has less free space than "
    "this: bytes (512MB, 2GB) or a share (5%); default 1GB. Env STROM_DISK__FREE_SPACE_PROCESSING.",
)
@click.option(
    "--auth",
    type=click.Choice(["none", "basic", "oidc"]),
    help="Who may use the gateways: none (default; anyone who reaches the ports), basic (users and "
    "passwords), oidc (bearer tokens of --oidc-issuer). Env STROM_AUTH.",
)
@click.option(
    "--authorizations/--no-authorizations",
    default=None,
    help="With --auth basic/oidc: check each command's permissions in the engine (default on); off "
    "lets every authenticated caller do anything. Env STROM_AUTHORIZATIONS.",
)
@click.option(
    "--multi-tenancy",
    is_flag=True,
    default=None,
    help="Tenants own deployments, instances, jobs, messages and decisions: requests name their "
    "tenantId, a caller acts only in its tenants. Env STROM_MULTI_TENANCY.",
)
@click.option(
    "--clock-controlled",
    is_flag=True,
    default=None,
    help="Let PUT /v2/clock pin the engine's clock and POST /v2/clock/reset reset it (tests and "
    "demos). Env STROM_CLOCK_CONTROLLED.",
)
@click.option("--oidc-issuer", help="The issuer (iss) of accepted tokens, with --auth oidc.")
@click.option("--oidc-jwks-url", help="The issuer's JWKS (default: from its openid-configuration).")
@click.option("--oidc-audience", help="The audience (aud) accepted tokens must carry.")
@click.option(
    "--admin-user",
    help="Create this user with the admin role at start-up when no user exists; its password comes "
    "from STROM_ADMIN_PASSWORD, or a prompt on a terminal.",
)
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    help="text (default) or json: one JSON object per line for a log collector. Env STROM_LOG_FORMAT.",
)
def broker(
    config_file: Path | None,
    data_dir: Path | None,
    host: str | None,
    grpc_port: int | None,
    metrics_port: int | None,
    rest_port: int | None,
    cluster: str | None,
    node_id: int | None,
    cluster_size: int | None,
    replication_factor: int | None,
    partitions: int | None,
    secondary_storage: str | None,
    backpressure: str | None,
    disk_free_space_processing: str | None,
    auth: str | None,
    authorizations: bool | None,
    multi_tenancy: bool | None,
    clock_controlled: bool | None,
    oidc_issuer: str | None,
    oidc_jwks_url: str | None,
    oidc_audience: str | None,
    admin_user: str | None,
    log_level: str | None,
    log_format: str | None,
) -> None:
    """Run a broker: its partitions on the embedded log and RocksDB, with Zeebe's gRPC API and REST.

    Settings come from the defaults, then --config, then STROM_* environment variables, then
    these flags. Unmodified Zeebe clients (zbctl --insecure, pyzeebe, the Java/Node/Go clients)
    connect to --host:--grpc-port.
    """
    from strom.broker.broker import Broker, ServiceFactory
    from strom.broker.config import ConfigError, load_config
    from strom.broker.data_dir import DataDirectoryError
    from strom.broker.logs import configure_logging
    from strom.gateway.grpc import gateway_for
    from strom.gateway.rest import rest_for

    overrides: dict[str, object] = {
        "data_dir": data_dir,
        "host": host,
        "grpc_port": grpc_port,
        "metrics_port": metrics_port,
        "rest_port": rest_port,
        "partitions": partitions,
        "cluster": cluster,
        "replication_factor": replication_factor,
        "node_id": node_id,
        "cluster_size": cluster_size,
        "secondary_storage": secondary_storage,
        "log_level": log_level.upper() if log_level else None,
        "log_format": log_format,
        "auth": auth,
        "authorizations": authorizations,
        "multi_tenancy": multi_tenancy,
        "clock_controlled": clock_controlled,
        "admin_user": admin_user,
    }
    if disk_free_space_processing is not None:
        overrides["disk"] = {"free_space_processing": disk_free_space_processing}
    oidc = {"issuer": oidc_issuer, "jwks_url": oidc_jwks_url, "audience": oidc_audience}
    if any(value is not None for value in oidc.values()):
        overrides["oidc"] = {name: value for name, value in oidc.items() if value is not None}
    try:
        config = load_config(config_file, overrides=overrides)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    if backpressure == "off":
        config.backpressure.enabled = False
    elif backpressure is not None:
        config.backpressure.algorithm = backpressure
    configure_logging(config.log_level, config.log_format)
    services: list[ServiceFactory] = [gateway_for, rest_for] if config.rest_port else [gateway_for]
    if config.admin_user:
        from strom.engine.processing.identity.passwords import hash_password
        from strom.gateway.auth.bootstrap import admin_bootstrap

        services.append(admin_bootstrap(config.admin_user, hash_password(_admin_password(config.admin_user))))
    instance = Broker(config, services)

    def ready() -> None:
        metrics = f", metrics on port {instance.metrics_port}" if instance.metrics_port else ""
        rest = f", REST API on http://{config.host}:{config.rest_port}/v2" if config.rest_port else ""
        click.echo(
            f"Strom broker ready: gRPC gateway on {config.host}:{config.grpc_port}{rest}{metrics}, "
            f"data in {config.data_dir}"
            + (f", partition logs on NATS JetStream at {config.cluster}" if config.cluster else ""),
        )
        sys.stdout.flush()

    try:
        instance.run(ready)
    except (ConfigError, DataDirectoryError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"the broker could not start: {error}") from None
    except RuntimeError as error:
        if "bind" in str(error).lower():
            raise click.ClickException(
                f"cannot listen on {config.host}:{config.grpc_port}: the port is in use or not allowed"
            ) from None
        raise
    click.echo("Strom broker stopped")


def _admin_password(username: str) -> str:
    """STROM_ADMIN_PASSWORD, or asked on the terminal; never a flag (it would show in ``ps``)."""
    password = os.environ.get("STROM_ADMIN_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise click.ClickException(
            f"--admin-user {username} needs a password: set STROM_ADMIN_PASSWORD, or run on a terminal "
            "to be asked for it"
        )
    entered: str = click.prompt(
        f"Password for the admin user {username}", hide_input=True, confirmation_prompt=True
    )
    if not entered:
        raise click.ClickException("the admin user's password must not be empty")
    return entered
