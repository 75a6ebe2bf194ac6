"""Configuration: one ``tidings.toml``, overridable by environment variables.

Lookup order for the file: the ``--config`` option, ``$TIDINGS_CONFIG``, then
``./tidings.toml``; without a file the built-in defaults apply. Any scalar
setting can be overridden by an environment variable named
``TIDINGS_<TABLE>__<KEY>`` (``TIDINGS_FETCH__MAX_BYTES=5000000``); the database
URL also by ``TIDINGS_DATABASE_URL``. ``tidings init`` writes the commented
default file shown by :data:`DEFAULT_TOML`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from tidings import __version__

ENV_PREFIX = "TIDINGS_"


class ConfigError(ValueError):
    """The configuration file or an override is not valid."""


@dataclass(slots=True)
class FetchConfig:
    user_agent: str = f"Tidings/{__version__} (+https://github.com/tidings-news/tidings; self-hosted news reader)"
    connect_timeout: float = 10.0  # seconds to open a connection
    timeout: float = 30.0  # seconds for a whole response, body included
    max_bytes: int = 10_000_000  # larger bodies are cut off and refused
    max_redirects: int = 5
    concurrency: int = 16  # requests in flight overall
    per_host_concurrency: int = 2  # requests in flight to one host
    per_host_delay: float = 1.0  # seconds between two requests to one host
    respect_robots: bool = True
    allow_loopback: bool = False  # allow 127.0.0.0/8 and ::1 (the demo and the tests do)
    allow_private: bool = False  # allow RFC 1918, link-local, CGNAT and metadata addresses
    allow_networks: list[str] = field(default_factory=list)  # CIDRs allowed even when the above are off
    backoff_base: float = 300.0  # seconds before the first retry of a failing source
    backoff_max: float = 86_400.0  # never wait longer than this between retries


@dataclass(slots=True)
class ScheduleConfig:
    interval_minutes: int = 30  # how often `tidings serve` runs `update`
    default_source_interval_minutes: int = 30  # how often one healthy source is fetched


@dataclass(slots=True)
class IngestConfig:
    fetch_pages: bool = True  # fetch each article's page for full text (else use the feed's content)
    max_entries_per_feed: int = 200
    extract_workers: int = 2  # processes extracting pages in parallel (0: in the main process)
    sitemap_max_age_days: int = 7  # sitemap URLs older than this (by lastmod) are skipped


@dataclass(slots=True)
class DedupConfig:
    threshold: float = 0.85  # Jaccard similarity above which two texts are copies
    num_perm: int = 128
    shingle_size: int = 5  # words per shingle


@dataclass(slots=True)
class Config:
    database_url: str = "sqlite:///tidings.db"
    sources_file: str | None = None  # an OPML or TOML list synced into the registry on ingest
    fetch: FetchConfig = field(default_factory=FetchConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    path: Path | None = None  # the file this came from, if any
    raw: dict[str, Any] = field(default_factory=dict)  # the whole parsed file, for later stages

    def resolve(self, relative: str) -> Path:
        """Resolve a path given in the config file relative to that file's folder."""
        p = Path(relative).expanduser()
        if p.is_absolute() or self.path is None:
            return p
        return self.path.parent / p

    def table(self, name: str) -> dict[str, Any]:
        """A top-level table of the file (``[summarize]``, ``[smtp]`` ...), empty if absent."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


def _coerce(value: str, target: Any, name: str) -> Any:
    if isinstance(target, list):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(target, bool):
        lowered = value.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name}: expected true or false, got {value!r}")
    if isinstance(target, int):
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"{name}: expected an integer, got {value!r}") from None
    if isinstance(target, float):
        try:
            return float(value)
        except ValueError:
            raise ConfigError(f"{name}: expected a number, got {value!r}") from None
    return value


def _fill(obj: Any, table: dict[str, Any], where: str) -> None:
    known = {f.name for f in fields(obj)}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"unknown setting {where}.{key} (known: {', '.join(sorted(known))})")
        current = getattr(obj, key)
        if isinstance(current, list):
            if not isinstance(value, list):
                raise ConfigError(f"{where}.{key}: expected a list, got {value!r}")
        elif isinstance(current, bool) and not isinstance(value, bool):
            raise ConfigError(f"{where}.{key}: expected true or false, got {value!r}")
        if isinstance(current, (int, float)) and not isinstance(current, bool):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ConfigError(f"{where}.{key}: expected a number, got {value!r}")
            value = type(current)(value)
        setattr(obj, key, value)


def _env_overrides(config: Config, environ: dict[str, str]) -> None:
    if url := environ.get("TIDINGS_DATABASE_URL"):
        config.database_url = url
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        table, _, key = name[len(ENV_PREFIX):].lower().partition("__")
        target = {"fetch": config.fetch, "schedule": config.schedule, "dedup": config.dedup,
                  "ingest": config.ingest}.get(table)
        if table == "database" and key == "url":
            config.database_url = value
        elif table == "sources" and key == "file":
            config.sources_file = value
        elif target is not None:
            if key not in {f.name for f in fields(target)}:
                raise ConfigError(f"{name}: unknown setting {table}.{key}")
            setattr(target, key, _coerce(value, getattr(target, key), name))


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    if explicit:
        path = Path(explicit)
        if not path.exists():
            raise ConfigError(f"config file not found: {path}")
        return path
    if env := os.environ.get("TIDINGS_CONFIG"):
        path = Path(env)
        if not path.exists():
            raise ConfigError(f"TIDINGS_CONFIG points to a missing file: {path}")
        return path
    local = Path("tidings.toml")
    return local if local.exists() else None


def load_config(path: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read the configuration; ``path=None`` searches as described in the module docstring."""
    environ = dict(os.environ if environ is None else environ)
    found = find_config_path(path)
    config = Config()
    if found is not None:
        try:
            raw = tomllib.loads(found.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{found}: {exc}") from None
        config.raw = raw
        config.path = found.resolve()
        db = raw.get("database", {})
        if "url" in db:
            config.database_url = str(db["url"])
        src = raw.get("sources", {})
        if "file" in src:
            config.sources_file = str(src["file"])
        _fill(config.fetch, raw.get("fetch", {}), "fetch")
        _fill(config.schedule, raw.get("schedule", {}), "schedule")
        _fill(config.dedup, raw.get("dedup", {}), "dedup")
        _fill(config.ingest, raw.get("ingest", {}), "ingest")
    _env_overrides(config, environ)
    if config.database_url.startswith("sqlite:///") and config.path is not None:
        # a relative SQLite path is relative to the config file, not to the working directory
        file_part = config.database_url[len("sqlite:///"):]
        if file_part and not file_part.startswith("/") and file_part != ":memory:":
            config.database_url = "sqlite:///" + str(config.resolve(file_part))
    return config


DEFAULT_TOML = """\
# Tidings configuration. Every setting shown here is the default; delete what you
# do not change. Any scalar can also be set from the environment as
# TIDINGS_<TABLE>__<KEY>, e.g. TIDINGS_FETCH__ALLOW_LOOPBACK=true.

[database]
# SQLite file (relative to this file) or a PostgreSQL URL such as
# "postgresql+psycopg://tidings:secret@localhost/tidings".
url = "sqlite:///tidings.db"

[sources]
# An OPML (or TOML) list of sources added to the registry on every ingest.
# `tidings sources add URL` adds one by hand. The list below ships with Tidings:
# about twenty AI-news feeds (labs' blogs, the tech press's AI sections, policy outlets).
file = "{default_sources}"

[fetch]
user_agent = "{user_agent}"
connect_timeout = 10.0       # seconds to open a connection
timeout = 30.0               # seconds for a whole response
max_bytes = 10000000         # refuse bodies larger than this
max_redirects = 5
concurrency = 16             # requests in flight overall
per_host_concurrency = 2     # requests in flight to one host
per_host_delay = 1.0         # seconds between two requests to one host
respect_robots = true
allow_loopback = false       # allow 127.0.0.0/8 and ::1
allow_private = false        # allow private, link-local and cloud-metadata addresses
allow_networks = []          # CIDRs allowed anyway, e.g. ["10.1.2.0/24"] for an intranet feed
backoff_base = 300.0         # first retry of a failing source after this many seconds, doubling
backoff_max = 86400.0

[ingest]
fetch_pages = true           # fetch each article page for its full text
max_entries_per_feed = 200
extract_workers = 2          # processes extracting article pages (0: none, extract in-process)
sitemap_max_age_days = 7     # skip sitemap URLs whose lastmod is older

[schedule]
interval_minutes = 30                  # how often `tidings serve` runs an update
default_source_interval_minutes = 30   # how often one healthy source is polled

[dedup]
threshold = 0.85   # Jaccard similarity (MinHash over word shingles) for syndicated copies
num_perm = 128
shingle_size = 5

# ---- stories -------------------------------------------------------------------------------
# The online clusterer (tidings/stories/cluster.py, ClusterConfig); defaults tuned on ECB+ train/dev.
# [cluster]
# embedder = "multilingual-e5-small"   # or "use-multilingual-v3"
# threshold = 0.45                     # join the best story at or above this score
# window_days = 3.0                    # only stories active this close in time are candidates

# Sections: one primary section per story, zero-shot from the descriptions, better with examples.
# Without [[sections]] tables the defaults apply: GenAI, Open-source AI, Closed-source AI,
# Policy & regulation, Robotics, Research (tidings/stories/default_sections.toml).
# [[sections]]
# name = "Open-source AI"
# description = "Open-weight models, open datasets and open-source AI tools and their releases."
# examples = ["Lab releases open-weight model under Apache licence"]

# Ranking (docs/ranking.md) and similar news.
# [rank]
# half_life_hours = 36.0
# [similar]
# count = 5

# ---- summaries -----------------------------------------------------------------------------
# [summarize]
# words = 120
# An optional LLM (any OpenAI-compatible endpoint: Ollama, vLLM, llama.cpp server); every sentence
# it writes is checked against the articles it cites before it is published.
# [summarize.llm]
# base_url = "http://127.0.0.1:11434/v1"
# model = "qwen2.5:7b-instruct"
# api_key_env = "OPENAI_API_KEY"       # the key is read from this variable, never stored here

# ---- newsletter and mail -------------------------------------------------------------------
# [newsletter]
# name = "Tidings Weekly"
# intro = "The week in AI, told once, with sources."
# base_url = "https://news.example.org"
# from_address = "Tidings <news@example.org>"
# per_section = 3
# sponsor = { name = "Acme", text = "Acme builds ...", url = "https://acme.example" }
# [smtp]
# host = "smtp.example.org"
# port = 587
# username = "news@example.org"
# password_env = "TIDINGS_SMTP_PASSWORD"
# starttls = true
# rate_per_minute = 60
# retries = 4                          # temporary failures (4xx, dropped connections) retried, backing off
# retry_seconds = 5.0

# ---- reliability (docs/reliability.md) -------------------------------------------------------
# Bounds on every text a model, regex or parser sees (tidings/text/bounds.py).
# [limits]
# title_chars = 300          # a title is cut to this
# text_chars = 40000         # the stages read an article's first 40,000 characters,
# text_words = 5000          # 5,000 words
# text_sentences = 400       # and 400 sentences
# stored_text_chars = 500000 # what is stored of a page's text
# lead_chars = 2000          # a feed entry's summary, a page's description
# word_chars = 64            # a longer run without white space is cut to this
# sentence_words = 150       # a longer run of words with no sentence end is broken
# Retention: keep articles' full text this many days after they were first seen (0: forever);
# titles, links, stories, summaries and citations stay. `tidings db prune` does it by hand.
# [retention]
# article_text_days = 0
"""


def default_toml() -> str:
    from tidings.sources.registry import DEFAULT_SOURCES_PATH

    return DEFAULT_TOML.replace("{default_sources}", str(DEFAULT_SOURCES_PATH)).replace(
        "{user_agent}", FetchConfig().user_agent)
