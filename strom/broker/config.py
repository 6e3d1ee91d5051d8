"""The broker's configuration: defaults, then a config file, then ``STROM_*`` variables, then flags.

A config file is TOML (``.toml``) or YAML (``.yaml``/``.yml``, needs PyYAML) with the same names
as the dataclasses below, sections nested::

    data_dir = "/var/lib/strom"
    grpc_port = 26500
    [backpressure]
    algorithm = "vegas"
    [backpressure.vegas]
    alpha = 3
    [exporters.history]
    type = "json-lines"
    path = "/var/log/strom/records.jsonl"

Environment variables name the same path in upper case joined by ``_``, with ``__`` between
sections when a name holds an underscore itself: ``STROM_GRPC_PORT=26501``,
``STROM_BACKPRESSURE_ALGORITHM=fixed``, ``STROM_BACKPRESSURE__FIXED__LIMIT=50``. Every bad value
is reported with the setting's name and where it came from.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from strom.broker.disk import DiskSettings
from strom.broker.documents import DocumentSettings
from strom.broker.gateway_limits import GatewayLimits
from strom.stream.backpressure import BackpressureSettings
from strom.stream.flow_control import FlowControlSettings

ENV_PREFIX = "STROM_"
NOT_BROKER_SETTINGS = frozenset(
    {
        "STROM_CONFIG",
        "STROM_ADDRESS",
        "STROM_REST_ADDRESS",
        "STROM_CI",
        "STROM_ADMIN_PASSWORD",
        "STROM_NATS_SERVER",
    }
)
"""``STROM_*`` variables that are not broker settings: the config file's path, the client commands'
gateway addresses (a shell that set them for ``strom status`` can still start ``strom broker``),
the first admin's password (read by ``strom broker --admin-user``, never kept in the config), the
``nats-server`` executable ``strom cluster up`` starts, and the test suite's CI flag;
``STROM_TEST_*`` variables belong to the test suite too."""

AUTH_MODES = ("none", "basic", "oidc")
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


class ConfigError(ValueError):
    """A setting is unknown or has a value of the wrong kind; the message names it and its source."""


@dataclass
class ExporterConfig:
    """``type`` is ``json-lines`` or ``module:Class``; every other key goes to the exporter."""

    type: str = "json-lines"
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class OidcConfig:
    """How bearer tokens are checked with ``auth = "oidc"`` (see docs/authentication.md)."""

    issuer: str = ""
    """The ``iss`` every token must carry (an https URL; http only on loopback)."""
    jwks_url: str = ""
    """Where the issuer's signing keys are; empty: the ``jwks_uri`` of
    ``<issuer>/.well-known/openid-configuration``."""
    audience: str = ""
    """The ``aud`` every token must carry; empty: not checked (not recommended)."""
    username_claim: str = "sub"
    """The claim that names the user (Camunda's ``usernameClaim``)."""
    client_id_claim: str = ""
    """The claim that names a client (machine-to-machine token): a token that carries it but not
    ``username_claim`` is that client. Empty: every token is a user."""
    leeway_s: float = 30.0
    """Clock skew allowed on ``exp``/``nbf``/``iat``, in seconds."""


@dataclass
class BrokerConfig:
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    advertised_host: str = ""
    """The host clients are told in the topology (default: ``host``; set it when that is 0.0.0.0)."""
    grpc_port: int = 26500
    metrics_port: int = 9600
    """0 turns the metrics endpoint off."""
    rest_port: int = 8080
    """Port of the REST API v2 (``/v2``); 0 turns it off."""
    secondary_storage: str = "sqlite"
    """Where the SQL exporter keeps the read model that REST searches read: ``sqlite`` (a file in
    the data directory), a SQLAlchemy URL (``postgresql://user:password@host/db``), or ``none``."""
    history_ttl_days: float = 30.0
    """How long the secondary storage keeps a finished process instance (0: forever)."""
    auth: str = "none"
    """Who may use the gateways: ``none`` (anyone who reaches the ports; a warning at start-up),
    ``basic`` (users and passwords, HTTP Basic and gRPC ``authorization`` metadata) or ``oidc``
    (bearer tokens of the ``oidc`` issuer). Users are read from the secondary storage."""
    authorizations: bool = True
    """With ``auth`` on, whether the engine checks each command's permissions (the caller's
    authorizations, roles ``admin`` / ``readonly-admin``; FORBIDDEN otherwise) and REST searches
    show only what the caller may read. Off: every authenticated caller may do anything."""
    multi_tenancy: bool = False
    """Whether tenants own what runs (Zeebe's ``multiTenancy.checksEnabled``): requests must name
    their tenant, a caller acts only in tenants it is assigned to (users, clients, groups, roles and
    mapping rules are assigned through ``/v2/tenants``), searches show only those tenants' data.
    Off: everything is the ``<default>`` tenant's."""
    clock_controlled: bool = False
    """Whether the REST API may pin and reset the engine's clock (``PUT /v2/clock``,
    ``POST /v2/clock/reset``; Zeebe's ``clock.controlled``): for tests and demos, never production."""
    oidc: OidcConfig = field(default_factory=OidcConfig)
    admin_user: str = ""
    """A user to create at start-up when there is no user yet (password from STROM_ADMIN_PASSWORD
    or a prompt); it gets the ``admin`` role."""
    node_id: int = 0
    partitions: int = 1
    """How many partitions (each in its own OS process when more than one, except with ``cluster``,
    where they run in the broker's process): about one per core the broker may use, leaving one for
    the gateway. Fixed when the data directory is created."""
    cluster: str = ""
    """NATS server URLs (comma-separated, ``nats://host:4222``): each partition's log is a JetStream
    stream there instead of the file journal in the data directory (state and snapshots stay
    local). Empty: the embedded file journal, no NATS needed."""
    replication_factor: int = 1
    """Replicas of each partition's JetStream stream (with ``cluster``; 3 on a 3-node NATS cluster)."""
    cluster_size: int = 1
    """With ``cluster``: how many brokers are expected. In its first seconds (10, or four lease TTLs)
    a broker leads up to partitions / cluster_size of them (rounded up), so brokers started together
    split the partitions; afterwards up to partitions / live brokers, so the partitions of a broker
    that died are taken over as soon as its leases expire and none stays without a leader."""
    lease_ttl_s: float = 5.0
    """With ``cluster``: how long a partition's leadership lease lasts without a renewal (renewed
    every quarter of it); a follower takes over about this long after its leader died."""
    compaction_hold_s: float = 3600.0
    """With ``cluster``: how long what a broker last reported it still needs of a partition's stream
    (its exporters' persisted position, its newest snapshot) holds back the stream's compaction. A
    broker away for longer restores a shared snapshot when it returns, and its exporters skip what
    was compacted meanwhile."""
    partition_processes: str = "auto"
    """``auto``: each partition in its own process when there are several, in the main process when
    there is one; ``always``: in their own processes also for one (the gateway then has the main
    process's core to itself, at the price of a hop per request)."""
    snapshot_period_s: float = 300.0
    snapshot_every_records: int = 200_000
    """Also snapshot after this many records since the last snapshot (bounds replay at restart)."""
    max_message_size: int = 4 * 1024 * 1024
    """Largest gRPC request or response, in bytes (Zeebe's default: 4 MB)."""
    long_polling_timeout_ms: int = 10_000
    """How long ActivateJobs waits for jobs when the request does not say (requestTimeout = 0)."""
    request_timeout_ms: int = 15_000
    """How long a request waits for the partition's answer (create-with-result: unless it says)."""
    gateway: GatewayLimits = field(default_factory=GatewayLimits)
    """The gRPC gateway's queue of calls not yet taken, long polls and job streams per client, idle
    connections (``strom.broker.gateway_limits``)."""
    group_commit: bool = True
    max_commands_in_batch: int = 100
    processing: str = "event-loop"
    """Where steps run: ``event-loop`` (with the gateway, the faster) or ``thread`` (their own)."""
    backpressure: BackpressureSettings = field(default_factory=BackpressureSettings)
    flow_control: FlowControlSettings = field(default_factory=FlowControlSettings)
    disk: DiskSettings = field(default_factory=DiskSettings)
    """Disk watermark (``strom.broker.disk``): below ``free_space_processing`` commands are refused."""
    documents: DocumentSettings = field(default_factory=DocumentSettings)
    """The REST API's document store in ``<data_dir>/documents`` (``strom.broker.documents``)."""
    exporters: dict[str, ExporterConfig] = field(default_factory=dict)
    exporter_process: bool = True
    """Run each partition's exporters (the secondary storage's SQL exporter included) in a process
    of their own, on another core (``strom.exporter.process``); false: on a thread of the partition's
    process, sharing its interpreter lock. Only with the file journal (not with ``cluster``)."""
    log_level: str = "INFO"
    log_format: str = "text"
    """``text`` (for a terminal) or ``json`` (one JSON object per line, for a log collector)."""

    @property
    def cluster_servers(self) -> tuple[str, ...]:
        """The NATS servers of ``cluster``, or () for the embedded file journal."""
        return tuple(url.strip() for url in self.cluster.split(",") if url.strip())

    @property
    def secondary_storage_url(self) -> str | None:
        """The SQLAlchemy URL of the secondary storage, None when it is off."""
        storage = self.secondary_storage
        if storage == "none":
            return None
        if storage == "sqlite":
            return f"sqlite:///{(self.data_dir / 'secondary.db').absolute()}"
        if storage.startswith("postgresql://") or storage.startswith("postgres://"):
            return "postgresql+psycopg://" + storage.split("://", 1)[1]
        return storage

    def validate(self) -> None:
        for name in ("grpc_port", "metrics_port", "rest_port"):
            port = getattr(self, name)
            if not 0 <= port <= 65535:
                raise ConfigError(f"{name} must be a TCP port (0-65535), got {port}")
        if self.grpc_port == 0:
            raise ConfigError("grpc_port must not be 0: clients need to know where to connect")
        if self.log_format not in ("text", "json"):
            raise ConfigError(f"log_format must be 'text' or 'json', got {self.log_format!r}")
        if self.cluster_size < 1:
            raise ConfigError(f"cluster_size must be at least 1 (brokers expected), got {self.cluster_size}")
        storage = self.secondary_storage
        if storage not in ("sqlite", "none") and "://" not in storage:
            raise ConfigError(
                "secondary_storage must be 'sqlite', 'none' or a database URL such as "
                f"postgresql://user:password@host/db, got {storage!r}"
            )
        self._validate_auth()
        if self.history_ttl_days < 0:
            raise ConfigError(
                f"history_ttl_days must be 0 (keep forever) or more, got {self.history_ttl_days:g}"
            )
        if self.max_message_size < 1024:
            raise ConfigError(f"max_message_size must be at least 1024 bytes, got {self.max_message_size}")
        if self.cluster and not all(
            url.strip().startswith(("nats://", "tls://")) for url in self.cluster.split(",")
        ):
            raise ConfigError(
                f"cluster must be NATS server URLs such as nats://127.0.0.1:4222, got {self.cluster!r}"
            )
        if not self.compaction_hold_s > 0:
            raise ConfigError(f"compaction_hold_s must be positive, got {self.compaction_hold_s}")
        if not self.lease_ttl_s > 0:
            raise ConfigError(f"lease_ttl_s must be positive, got {self.lease_ttl_s}")
        if not 1 <= self.replication_factor <= 5:
            raise ConfigError(f"replication_factor must be between 1 and 5, got {self.replication_factor}")
        if self.partition_processes not in ("auto", "always"):
            raise ConfigError(
                f"partition_processes must be 'auto' or 'always', got {self.partition_processes!r}"
            )
        if not 1 <= self.partitions <= 64:
            raise ConfigError(f"partitions must be between 1 and 64, got {self.partitions}")
        if self.snapshot_every_records < 1:
            raise ConfigError(f"snapshot_every_records must be positive, got {self.snapshot_every_records}")
        if self.snapshot_period_s <= 0:
            raise ConfigError(f"snapshot_period_s must be positive, got {self.snapshot_period_s}")
        if self.processing not in ("event-loop", "thread"):
            raise ConfigError(f"processing must be 'event-loop' or 'thread', got {self.processing!r}")
        if self.long_polling_timeout_ms < 1 or self.request_timeout_ms < 1:
            raise ConfigError("long_polling_timeout_ms and request_timeout_ms must be positive")
        try:
            self.backpressure.validate()
            self.gateway.validate()
            self.flow_control.validate()
            self.disk.validate()
            self.documents.validate()
        except ValueError as error:
            raise ConfigError(str(error)) from None

    def _validate_auth(self) -> None:
        if self.auth not in AUTH_MODES:
            raise ConfigError(f"auth must be one of {', '.join(AUTH_MODES)}, got {self.auth!r}")
        if self.auth != "none" and self.secondary_storage == "none":
            raise ConfigError(
                f"auth = {self.auth!r} needs the secondary storage (users are read from it): set "
                "secondary_storage to 'sqlite' or a database URL, or auth to 'none'"
            )
        if self.auth != "oidc":
            return
        oidc = self.oidc
        if not oidc.issuer:
            raise ConfigError(
                "auth = 'oidc' needs oidc.issuer (env STROM_OIDC_ISSUER), the tokens' issuer URL"
            )
        for name in ("issuer", "jwks_url"):
            url = getattr(oidc, name)
            if url and not _web_url(url):
                raise ConfigError(
                    f"oidc.{name} must be an https URL (http only for localhost/127.0.0.1), got {url!r}"
                )
        if not oidc.username_claim:
            raise ConfigError("oidc.username_claim must name a claim, e.g. 'sub' or 'preferred_username'")
        if oidc.leeway_s < 0:
            raise ConfigError(f"oidc.leeway_s must be 0 or more seconds, got {oidc.leeway_s:g}")


def _web_url(url: str) -> bool:
    """https, or http to this machine (a test issuer, a sidecar)."""
    if url.startswith("https://"):
        return len(url) > len("https://")
    for local in ("http://localhost", "http://127.0.0.1", "http://[::1]"):
        if url.startswith(local) and url[len(local) : len(local) + 1] in ("", ":", "/"):
            return True
    return False


def load_config(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> BrokerConfig:
    """Defaults <- ``config_file`` <- ``STROM_*`` in ``environ`` <- ``overrides`` (CLI flags; None
    values are skipped)."""
    config = BrokerConfig()
    if config_file is not None:
        _apply(config, _read_file(config_file), f"config file {config_file}")
    env = dict(os.environ if environ is None else environ)
    for key in sorted(env):
        if (
            key.startswith(ENV_PREFIX)
            and key not in NOT_BROKER_SETTINGS
            and not key.startswith("STROM_TEST_")
        ):
            _apply_env(config, key, env[key])
    if overrides:
        _apply(config, {k: v for k, v in overrides.items() if v is not None}, "command line")
    config.validate()
    return config


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None
    suffix = path.suffix.lower()
    if suffix == ".toml":
        try:
            return tomllib.loads(text.decode())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"config file {path} is not valid TOML: {error}") from None
    if suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise ConfigError(
                f"config file {path} is YAML, which needs PyYAML (pip install pyyaml); or use TOML"
            ) from None
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            raise ConfigError(f"config file {path} is not valid YAML: {error}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"config file {path} must hold a mapping of settings at the top")
        return data
    raise ConfigError(f"config file {path}: expected a .toml, .yaml or .yml file")


def _apply(target: Any, values: Mapping[str, Any], source: str, path: str = "") -> None:
    hints = get_type_hints(type(target))
    names = {f.name for f in dataclasses.fields(target)}
    for raw_name, value in values.items():
        name = str(raw_name).replace("-", "_")
        setting = f"{path}{name}"
        if name not in names:
            raise ConfigError(f"{source}: unknown setting '{setting}'")
        if name == "exporters":
            target.exporters = _exporters(target.exporters, value, source)
            continue
        current = getattr(target, name)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{source}: '{setting}' must be a section of settings")
            _apply(current, value, source, f"{setting}.")
            continue
        setattr(target, name, _coerce(value, hints[name], setting, source))


def _exporters(current: dict[str, ExporterConfig], value: Any, source: str) -> dict[str, ExporterConfig]:
    """Exporters named in ``value`` are added, or their settings updated (later sources win)."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"{source}: 'exporters' must map exporter ids to their settings")
    exporters = dict(current)
    for exporter_id, settings in value.items():
        if not isinstance(settings, Mapping):
            raise ConfigError(f"{source}: 'exporters.{exporter_id}' must be a section of settings")
        rest = dict(settings)
        before = exporters.get(str(exporter_id), ExporterConfig())
        kind = str(rest.pop("type", before.type))
        exporters[str(exporter_id)] = ExporterConfig(type=kind, settings={**before.settings, **rest})
    return exporters


def _coerce(value: Any, kind: Any, setting: str, source: str) -> Any:
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in _TRUE + _FALSE:
                return value.lower() in _TRUE
            raise ValueError
        if kind is int:
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if kind is Path:
            return Path(str(value))
        if kind is str:
            return str(value)
    except (TypeError, ValueError):
        pass
    else:
        return value
    name = getattr(kind, "__name__", str(kind))
    raise ConfigError(f"{source}: '{setting}' must be {_article(name)}, got {value!r}")


def _article(kind: str) -> str:
    return {"int": "an integer", "float": "a number", "bool": "true or false"}.get(kind, f"a {kind}")


def _apply_env(config: BrokerConfig, key: str, value: str) -> None:
    """``STROM_A__B__C`` names a.b.c exactly; ``STROM_A_B_C`` is matched against known names."""
    body = key[len(ENV_PREFIX) :].lower()
    source = f"environment variable {key}"
    parts: list[str] | None = body.split("__") if "__" in body else _split_known(config, body.split("_"))
    if parts is None:
        raise ConfigError(f"{source}: no setting is named like that")
    nested: dict[str, Any] = {}
    cursor = nested
    for part in parts[:-1]:
        cursor = cursor.setdefault(part, {})
    # Exporter settings have no declared types: read numbers and booleans as such.
    cursor[parts[-1]] = _scalar(value) if parts[0] == "exporters" else value
    _apply(config, nested, source)


def _scalar(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _split_known(target: Any, words: list[str]) -> list[str] | None:
    """Split ``words`` into a path of setting names of ``target`` (longest names first)."""
    if not dataclasses.is_dataclass(target):
        return None
    names = {f.name for f in dataclasses.fields(target)}
    for end in range(len(words), 0, -1):
        name = "_".join(words[:end])
        if name not in names:
            continue
        if end == len(words):
            return [name]
        rest = _split_known(getattr(target, name), words[end:])
        if rest is not None:
            return [name, *rest]
    return None
