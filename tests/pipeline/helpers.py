"""Helpers for the pipeline tests: a config pointed at loopback servers."""

from __future__ import annotations

from pathlib import Path

from tidings.config import Config


def loopback_config(tmp_path: Path, opml_text: str | None = None, **fetch: object) -> Config:
    cfg = Config(database_url=f"sqlite:///{tmp_path / 'tidings.db'}")
    if opml_text is not None:
        (tmp_path / "sources.opml").write_text(opml_text, encoding="utf-8")
        cfg.sources_file = str(tmp_path / "sources.opml")
    cfg.fetch.allow_loopback = True
    cfg.fetch.per_host_delay = 0.0
    cfg.fetch.per_host_concurrency = 8
    cfg.fetch.timeout = 5.0
    cfg.fetch.connect_timeout = 2.0
    cfg.ingest.extract_workers = 0
    for key, value in fetch.items():
        setattr(cfg.fetch, key, value)
    return cfg


def write_toml(cfg: Config, path: Path) -> Path:
    """The same settings as a tidings.toml, for running the CLI in a subprocess."""
    path.write_text(
        f"""[database]
url = "{cfg.database_url}"
[sources]
file = "{cfg.sources_file}"
[fetch]
allow_loopback = true
per_host_delay = 0.0
per_host_concurrency = {cfg.fetch.per_host_concurrency}
concurrency = {cfg.fetch.concurrency}
timeout = {cfg.fetch.timeout}
[ingest]
extract_workers = {cfg.ingest.extract_workers}
""",
        encoding="utf-8",
    )
    return path
