"""Configuration: the commented default round-trips, env overrides apply, bad values are clear errors."""

import pytest
from click.testing import CliRunner

from tidings.cli import cli
from tidings.config import Config, ConfigError, FetchConfig, load_config


def test_init_writes_a_file_that_loads_to_the_defaults(tmp_path):
    target = tmp_path / "tidings.toml"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    config = load_config(target, environ={})
    assert config.fetch == FetchConfig() and config.ingest == Config().ingest
    assert config.database_url == f"sqlite:///{tmp_path / 'tidings.db'}"  # relative to the file
    assert config.sources_file.endswith("default_sources.opml")
    again = CliRunner().invoke(cli, ["init", str(target)])
    assert again.exit_code != 0 and "--force" in again.output


def test_environment_overrides(tmp_path):
    target = tmp_path / "tidings.toml"
    target.write_text('[fetch]\nmax_bytes = 100\n')
    config = load_config(target, environ={"TIDINGS_FETCH__MAX_BYTES": "5000", "TIDINGS_FETCH__ALLOW_LOOPBACK": "yes",
                                          "TIDINGS_FETCH__ALLOW_NETWORKS": "10.0.0.0/8, 192.168.1.0/24",
                                          "TIDINGS_DATABASE_URL": "postgresql://u@h/db"})
    assert config.fetch.max_bytes == 5000 and config.fetch.allow_loopback is True
    assert config.fetch.allow_networks == ["10.0.0.0/8", "192.168.1.0/24"]
    assert config.database_url == "postgresql://u@h/db"


@pytest.mark.parametrize("text, message", [
    ("[fetch]\nmax_byte = 1\n", "unknown setting fetch.max_byte"),
    ("[fetch]\ntimeout = 'soon'\n", "expected a number"),
    ("[fetch]\nrespect_robots = 1\n", "expected true or false"),
    ("[fetch\n", "tidings.toml"),
])
def test_bad_config_is_a_clear_error(tmp_path, text, message):
    target = tmp_path / "tidings.toml"
    target.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(target, environ={})
    result = CliRunner().invoke(cli, ["--config", str(target), "doctor"])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_bad_env_value_is_a_clear_error():
    with pytest.raises(ConfigError, match="TIDINGS_INGEST__EXTRACT_WORKERS"):
        load_config(None, environ={"TIDINGS_INGEST__EXTRACT_WORKERS": "many"})
