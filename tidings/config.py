"""Configuration: one ``tidings.toml``, every table typed and checked when it is loaded.

Lookup order for the file: the ``--config`` option, ``$TIDINGS_CONFIG``, then
``./tidings.toml``; without a file the built-in defaults apply. Any scalar
setting can be overridden by an environment variable named
``TIDINGS_<TABLE>__<KEY>`` (``TIDINGS_FETCH__MAX_BYTES=5000000``,
``TIDINGS_SUMMARIZE__LLM__MODEL=qwen``); the database URL also by
``TIDINGS_DATABASE_URL``.

Every table is a typed dataclass registered in :data:`TABLES` with one line,
``name -> Table("module:Class")``; the class lives beside the stage that uses it
and is imported only when its table is in the file (or in the environment) or
asked for. An unknown table, an unknown key, a wrong type or a value out of range
is one :class:`ConfigError` line naming the file, the table and the key.
``tidings init`` writes the defaults of the same classes (:mod:`tidings.config_init`).
"""

from __future__ import annotations

import importlib
import ipaddress
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings import __version__
from tidings.config_schema import SettingError, build_table, from_env, hints, is_scalar

ENV_PREFIX = "TIDINGS_"


class ConfigError(ValueError):
    """The configuration file or an override is not valid."""


@dataclass(frozen=True, slots=True)
class Table:
    """One table of tidings.toml: the dataclass that holds it and how `tidings init` shows it."""

    target: str  # "module:Class"
    shown: bool = False  # written with its values by `tidings init` (else as comments)
    many: bool = False  # an array of tables ([[sections]])
    example: str = ""  # commented TOML that `tidings init` adds after the table

    def load(self) -> type:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)


def _positive(obj: Any, *names: str, zero: bool = False) -> None:
    for name in names:
        value = getattr(obj, name)
        if value < 0 or (value == 0 and not zero):
            raise SettingError(name, f"expected a {'non-negative' if zero else 'positive'} number, got {value}")


def _fraction(obj: Any, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if not 0.0 <= value <= 1.0:
            raise SettingError(name, f"expected a number between 0 and 1, got {value}")


@dataclass(slots=True)
class DatabaseConfig:
    """Where the articles and stories are stored."""

    # SQLite file (relative to this file) or a PostgreSQL URL such as
    # "postgresql+psycopg://tidings:secret@localhost/tidings"
    url: str = "sqlite:///tidings.db"

    def __post_init__(self) -> None:
        if not self.url.startswith(("sqlite:", "postgresql:", "postgresql+")):
            raise SettingError("url", f"expected a sqlite:/// or postgresql:// URL, got {self.url!r}")


@dataclass(slots=True)
class SourcesConfig:
    """A list of sources kept in the registry."""

    # an OPML or TOML list (relative to this file) synced into the registry on every ingest
    file: str | None = None


@dataclass(slots=True)
class FetchConfig:
    """How pages and feeds are fetched."""

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
    allow_networks: list[str] = field(default_factory=list)  # CIDRs allowed anyway, e.g. ["10.1.2.0/24"]
    backoff_base: float = 300.0  # seconds before the first retry of a failing source, doubling
    backoff_max: float = 86_400.0  # never wait longer than this between retries

    def __post_init__(self) -> None:
        _positive(self, "connect_timeout", "timeout", "max_bytes", "concurrency", "per_host_concurrency",
                  "backoff_base", "backoff_max")
        _positive(self, "max_redirects", "per_host_delay", zero=True)
        for i, cidr in enumerate(self.allow_networks):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise SettingError(f"allow_networks[{i}]", f"not a network in CIDR form: {cidr!r}") from None


@dataclass(slots=True)
class ScheduleConfig:
    """How often `tidings serve` works."""

    interval_minutes: int = 30  # how often `tidings serve` runs `update`
    default_source_interval_minutes: int = 30  # how often one healthy source is fetched
    nice: int = 10  # CPU priority of `serve`'s update rounds, each its own process (0: the server's own)
    in_process: bool = False  # run `serve`'s rounds in a thread of the server instead of a process

    def __post_init__(self) -> None:
        _positive(self, "interval_minutes", "default_source_interval_minutes")
        _positive(self, "nice", zero=True)
        if self.nice > 19:
            raise SettingError("nice", f"expected at most 19, got {self.nice}")


@dataclass(slots=True)
class IngestConfig:
    """What an ingest reads."""

    fetch_pages: bool = True  # fetch each article's page for full text (else use the feed's content)
    max_entries_per_feed: int = 200
    extract_workers: int = 2  # processes extracting pages in parallel (0: in the main process)
    sitemap_max_age_days: int = 7  # sitemap URLs older than this (by lastmod) are skipped

    def __post_init__(self) -> None:
        _positive(self, "max_entries_per_feed", "sitemap_max_age_days")
        _positive(self, "extract_workers", zero=True)


@dataclass(slots=True)
class DedupConfig:
    """Syndicated copies (MinHash over word shingles)."""

    threshold: float = 0.85  # Jaccard similarity above which two texts are copies
    num_perm: int = 128
    shingle_size: int = 5  # words per shingle

    def __post_init__(self) -> None:
        _fraction(self, "threshold")
        _positive(self, "num_perm", "shingle_size")


SECTIONS_EXAMPLE = """\
# Sections: one primary section per story, zero-shot from the descriptions, better with examples.
# Without [[sections]] tables the defaults apply: GenAI, Open-source AI, Closed-source AI,
# Policy & regulation, Robotics, Research (tidings/stories/default_sections.toml). An example:
# [[sections]]
# name = "Open-source AI"
# description = "Open-weight models, open datasets and open-source AI tools and their releases."
# examples = ["Lab releases open-weight model under Apache licence"]"""

LLM_EXAMPLE = """\
# [summarize.llm] turns on an optional LLM (any OpenAI-compatible endpoint: Ollama, vLLM, llama.cpp
# server); every sentence it writes is checked against the articles it cites before it is published.
# An example: base_url = "http://127.0.0.1:11434/v1", model = "qwen2.5:7b-instruct",
# api_key_env = "OPENAI_API_KEY" (the key is read from this variable, never stored here)."""

# Every table of tidings.toml, in the order `tidings init` writes them. A stage registers its
# settings dataclass here with one line.
TABLES: dict[str, Table] = {
    "database": Table("tidings.config:DatabaseConfig", shown=True),
    "sources": Table("tidings.config:SourcesConfig", shown=True,
                     example='# file = "sources.opml"   # an example: a copy of tidings/sources/default_sources.opml'),
    "fetch": Table("tidings.config:FetchConfig", shown=True),
    "ingest": Table("tidings.config:IngestConfig", shown=True),
    "schedule": Table("tidings.config:ScheduleConfig", shown=True),
    "dedup": Table("tidings.config:DedupConfig", shown=True),
    "cluster": Table("tidings.stories.cluster:ClusterConfig"),
    "sections": Table("tidings.stories.sections:Section", many=True, example=SECTIONS_EXAMPLE),
    "rank": Table("tidings.stories.rank:RankConfig"),
    "similar": Table("tidings.stories.similar:SimilarConfig"),
    "summarize": Table("tidings.summarize.settings:SummarizeConfig", example=LLM_EXAMPLE),
    "site": Table("tidings.publish.web.settings:SiteSettings"),
    "newsletter": Table("tidings.publish.editions.settings:NewsletterSettings"),
    "smtp": Table("tidings.publish.mail.settings:SmtpSettings"),
    "readers": Table("tidings.publish.readers.settings:ReaderSettings"),
    "engine": Table("tidings.engine.config:EngineConfig"),
    "limits": Table("tidings.text.bounds:TextLimits"),
    "retention": Table("tidings.store.retention:RetentionConfig"),
    "log": Table("tidings.logs:LogConfig"),
}


@dataclass(slots=True)
class Config:
    database_url: str = "sqlite:///tidings.db"
    sources_file: str | None = None  # an OPML or TOML list synced into the registry on ingest
    fetch: FetchConfig = field(default_factory=FetchConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    path: Path | None = None  # the file this came from, if any
    raw: dict[str, Any] = field(default_factory=dict)  # the whole parsed file, overrides applied
    database_configured: bool = False  # the URL came from a file or the environment, not the default
    typed: dict[str, Any] = field(default_factory=dict)  # the built tables, by name

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

    def with_table(self, name: str, table: dict[str, Any]) -> Config:
        """A copy of this configuration whose table ``name`` is ``table`` (checked when it is read)."""
        from dataclasses import replace

        return replace(self, raw={**self.raw, name: table}, typed={})

    def settings(self, name: str) -> Any:
        """The typed settings of table ``name`` (its dataclass, or a list for ``[[sections]]``)."""
        if name in ("fetch", "schedule", "dedup", "ingest"):
            return getattr(self, name)  # these are fields, which code may set directly
        if name not in self.typed:
            self.typed[name] = _build(name, self.raw.get(name), str(self.path or "defaults"))
        return self.typed[name]


def _build(name: str, value: Any, where: str, env: dict[str, str] | None = None) -> Any:
    spec = TABLES.get(name)
    if spec is None:
        raise ConfigError(f"{where}: unknown table [{name}] (known: {', '.join(TABLES)})")
    cls = spec.load()
    label = f"[[{name}]]" if spec.many else f"[{name}]"
    try:
        if spec.many:
            if value is None:
                return None
            if not isinstance(value, list):
                raise SettingError("", f"expected [[{name}]] tables")
            items = []
            for i, item in enumerate(value, start=1):
                try:
                    items.append(build_table(cls, item))
                except SettingError as exc:
                    raise SettingError(f"#{i} {exc.key}".strip(), exc.message) from None
            return items
        return build_table(cls, value if value is not None else {})
    except SettingError as exc:
        top = exc.key.split(".")[0].split("[")[0]
        # a value set from the environment: name the variable (all of a sub-table's, if the error is the sub-table's)
        where = (env or {}).get(exc.key.split("[")[0], (env or {}).get(top, where))
        raise ConfigError(f"{where}: {label} {exc.key + ': ' if exc.key else ''}{exc.message}") from None


def _set_path(raw: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        raw = raw.setdefault(part, {})
    raw[path[-1]] = value


def _env_overrides(raw: dict[str, Any], environ: dict[str, str]) -> dict[str, dict[str, str]]:
    """Merge ``TIDINGS_<TABLE>__<KEY>[__<KEY>]`` variables into the parsed file; returns which
    variable set which key (table -> key -> variable)."""
    origin: dict[str, dict[str, str]] = {}
    for name, text in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = name[len(ENV_PREFIX):].lower().split("__")
        spec = TABLES.get(path[0])
        if spec is None or spec.many:
            raise ConfigError(f"{name}: unknown table [{path[0]}] (known: {', '.join(TABLES)})")
        cls = spec.load()
        for depth, key in enumerate(path[1:], start=1):
            known = hints(cls)
            if key not in known:
                raise ConfigError(f"{name}: unknown setting [{'.'.join(path[:depth])}] {key}"
                                  f" (known: {', '.join(sorted(known))})")
            tp = known[key]
            if depth < len(path) - 1:
                inner = next((a for a in getattr(tp, "__args__", (tp,)) if isinstance(a, type)
                              and hasattr(a, "__dataclass_fields__")), None) or _nested_table(cls, key)
                if inner is None:
                    raise ConfigError(f"{name}: [{'.'.join(path[:depth])}] {key} is not a table")
                cls = inner
                continue
            if not is_scalar(tp):
                raise ConfigError(f"{name}: [{'.'.join(path[:depth])}] {key} is not a scalar setting")
            try:
                _set_path(raw, path, from_env(text, tp, name))
            except SettingError as exc:
                raise ConfigError(exc.message) from None
            named = origin.setdefault(path[0], {})
            named[".".join(path[1:])] = name
            named[path[1]] = f"{named[path[1]]}, {name}" if path[1] in named and len(path) > 2 else name
    return origin


def _nested_table(cls: type, key: str) -> type | None:
    """A sub-table class a settings class names in ``NESTED`` (``[summarize.llm]``)."""
    nested = getattr(cls, "NESTED", {})
    target = nested.get(key)
    return Table(target).load() if target else None


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
    """Read and check the configuration; ``path=None`` searches as described in the module docstring."""
    environ = dict(os.environ if environ is None else environ)
    found = find_config_path(path)
    config = Config()
    raw: dict[str, Any] = {}
    where = "defaults"
    if found is not None:
        where = str(found)
        try:
            raw = tomllib.loads(found.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{found}: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{found}: cannot read: {exc.strerror}") from None
        config.path = found.resolve()
    from_environment = _env_overrides(raw, environ)
    config.raw = raw
    for name, value in raw.items():
        if name not in TABLES:
            raise ConfigError(f"{where}: unknown table [{name}] (known: {', '.join(TABLES)})")
        if not TABLES[name].many and not isinstance(value, dict):
            raise ConfigError(f"{where}: {name} must be a table ([{name}]), not a value")
        config.typed[name] = _build(name, value, where, from_environment.get(name))
    for name in ("fetch", "schedule", "dedup", "ingest"):
        setattr(config, name, config.typed.get(name) or _build(name, None, where))
    config.database_url = config.settings("database").url
    config.database_configured = "url" in raw.get("database", {})
    config.sources_file = config.settings("sources").file
    if url := environ.get("TIDINGS_DATABASE_URL"):
        config.database_url, config.database_configured = url, True
    if config.database_url.startswith("sqlite:///") and config.path is not None:
        # a relative SQLite path is relative to the config file, not to the working directory
        file_part = config.database_url[len("sqlite:///"):]
        if file_part and not file_part.startswith("/") and file_part != ":memory:":
            config.database_url = "sqlite:///" + str(config.resolve(file_part))
    if config.sources_file and not config.resolve(config.sources_file).is_file():
        raise ConfigError(f"{where}: [sources] file: no such file {str(config.resolve(config.sources_file))!r}")
    return config


def default_toml() -> str:
    """The commented file `tidings init` writes (:mod:`tidings.config_init`)."""
    from tidings.config_init import default_toml as render

    return render()
