"""Broker configuration: defaults <- config file <- STROM_* environment <- command-line flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from strom.broker.config import BrokerConfig, ConfigError, ExporterConfig, load_config


def test_defaults() -> None:
    config = load_config(environ={})

    assert config == BrokerConfig()
    assert (config.host, config.grpc_port, config.metrics_port) == ("127.0.0.1", 26500, 9600)
    assert config.data_dir == Path("data")
    assert config.backpressure.algorithm == "aimd"


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    path = tmp_path / "strom.toml"
    path.write_text(
        'data_dir = "/srv/strom"\ngrpc_port = 1111\nmetrics_port = 2222\n'
        '[backpressure]\nalgorithm = "vegas"\n[backpressure.vegas]\nalpha = 2\n'
        '[exporters.history]\ntype = "json-lines"\npath = "/tmp/h.jsonl"\n'
    )
    environ = {"STROM_GRPC_PORT": "3333", "STROM_BACKPRESSURE__VEGAS__BETA": "9", "OTHER": "x"}

    config = load_config(path, environ, {"metrics_port": 4444, "host": None})

    assert config.data_dir == Path("/srv/strom")
    assert (config.grpc_port, config.metrics_port) == (3333, 4444)
    assert config.backpressure.algorithm == "vegas"
    assert (config.backpressure.vegas.alpha, config.backpressure.vegas.beta) == (2, 9)
    assert config.exporters == {"history": ExporterConfig("json-lines", {"path": "/tmp/h.jsonl"})}


def test_environment_names_with_single_underscores_are_matched_to_settings() -> None:
    config = load_config(
        environ={
            "STROM_DATA_DIR": "/x",
            "STROM_BACKPRESSURE_ALGORITHM": "fixed",
            "STROM_BACKPRESSURE_FIXED_LIMIT": "50",
            "STROM_BACKPRESSURE_ENABLED": "false",
            "STROM_SNAPSHOT_PERIOD_S": "60.5",
        }
    )

    assert config.data_dir == Path("/x")
    assert (config.backpressure.algorithm, config.backpressure.fixed.limit) == ("fixed", 50)
    assert config.backpressure.enabled is False
    assert config.snapshot_period_s == 60.5


def test_exporter_settings_from_the_environment_keep_numbers_and_booleans() -> None:
    config = load_config(
        environ={
            "STROM_EXPORTERS__OUT__PATH": "/tmp/out.jsonl",
            "STROM_EXPORTERS__OUT__FLUSH_EVERY": "10",
            "STROM_EXPORTERS__OUT__FSYNC": "true",
        }
    )

    assert config.exporters["out"].settings == {"path": "/tmp/out.jsonl", "flush_every": 10, "fsync": True}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"STROM_GRPC_PORT": "http"}, "environment variable STROM_GRPC_PORT: 'grpc_port' must be an integer"),
        ({"STROM_GRPC_PORT": "70000"}, "grpc_port must be a TCP port"),
        ({"STROM_NO_SUCH_THING": "1"}, "STROM_NO_SUCH_THING: no setting is named like that"),
        (
            {"STROM_BACKPRESSURE_ALGORITHM": "magic"},
            "backpressure.algorithm must be one of aimd, vegas, fixed",
        ),
        ({"STROM_GROUP_COMMIT": "maybe"}, "'group_commit' must be true or false"),
    ],
)
def test_bad_values_name_the_setting_and_where_it_came_from(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(environ=environ)


def test_bad_config_files_are_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("grpc_port = [")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[backpressure]\nspeed = 3\n")
    ini = tmp_path / "strom.ini"
    ini.write_text("")

    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(broken, environ={})
    with pytest.raises(ConfigError, match=r"unknown setting 'backpressure\.speed'"):
        load_config(unknown, environ={})
    with pytest.raises(ConfigError, match=r"expected a \.toml, \.yaml or \.yml file"):
        load_config(ini, environ={})
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "missing.toml", environ={})


def test_secondary_storage_is_sqlite_in_the_data_directory_by_default(tmp_path: Path) -> None:
    config = load_config(environ={}, overrides={"data_dir": tmp_path})

    assert config.secondary_storage_url == f"sqlite:///{tmp_path.absolute() / 'secondary.db'}"


def test_secondary_storage_takes_a_postgresql_url_or_none() -> None:
    postgres = load_config(environ={"STROM_SECONDARY_STORAGE": "postgresql://strom:pw@db:5432/strom"})
    off = load_config(environ={}, overrides={"secondary_storage": "none"})

    assert postgres.secondary_storage_url == "postgresql+psycopg://strom:pw@db:5432/strom"
    assert off.secondary_storage_url is None


def test_a_secondary_storage_that_is_no_url_is_refused_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="secondary_storage must be 'sqlite', 'none' or a database URL"):
        load_config(environ={"STROM_SECONDARY_STORAGE": "mysql"})


def test_client_settings_in_the_environment_do_not_break_the_broker() -> None:
    config = load_config(
        environ={
            "STROM_ADDRESS": "10.0.0.1:26500",
            "STROM_REST_ADDRESS": "http://10.0.0.1:8080/v2",
            "STROM_CI": "1",
            "STROM_TEST_POSTGRES_URL": "postgresql+psycopg://u@h/db",
        }
    )

    assert config.grpc_port == 26500


def test_authorizations_are_on_by_default_and_off_by_environment_or_flag() -> None:
    assert load_config(environ={}).authorizations is True
    assert load_config(environ={"STROM_AUTHORIZATIONS": "false"}).authorizations is False
    assert load_config(environ={}, overrides={"authorizations": False}).authorizations is False
