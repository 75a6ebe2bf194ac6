"""Logs an operator can read: one line per event, ``key=value`` pairs (logfmt) or JSON, on stderr.

Code logs events through :func:`event` with a short message and named fields::

    event(log, logging.WARNING, "fetch failed", source=3, url="https://...", kind="http", reason="HTTP 503")

which :class:`LogfmtFormatter` writes as one line::

    time=2026-12-03T12:00:00Z level=warning logger=tidings.pipeline msg="fetch failed" source=3 url=https://... ...

The level and the format come from the ``[log]`` table of tidings.toml (so also from
``TIDINGS_LOG__LEVEL`` / ``TIDINGS_LOG__FORMAT``); on the command line ``-v`` (info), ``-vv``
(debug) and ``--log-level`` outrank both. By default only warnings and errors are written.
Only the ``tidings`` loggers are configured: libraries keep their own settings.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any, TextIO

from tidings.config_schema import SettingError

LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("logfmt", "json")
ROOT = "tidings"
FOREIGN_LOGGERS = ("sqlalchemy.pool",)  # libraries' loggers that log tracebacks on their own
_FIELDS = "tidings_fields"  # the LogRecord attribute that carries an event's fields

if TYPE_CHECKING:
    import click


@dataclass(slots=True)
class LogConfig:
    """Logs: one line per event on stderr (fetch failures, each stage of a run, each mail batch)."""

    level: str = "warning"  # "debug", "info" (a line per stage of a run), "warning" or "error"
    format: str = "logfmt"  # "logfmt" (key=value) or "json" (one object per line)

    def __post_init__(self) -> None:
        self.level = self.level.lower()
        if self.level not in LEVELS:
            raise SettingError("level", f"expected one of {', '.join(LEVELS)}, got {self.level!r}")
        if self.format not in FORMATS:
            raise SettingError("format", f"expected one of {', '.join(FORMATS)}, got {self.format!r}")


def event(logger: logging.Logger, level: int, message: str, **fields: Any) -> None:
    """Log ``message`` with named fields (written as ``key=value`` after it)."""
    if logger.isEnabledFor(level):
        logger.log(level, message, extra={_FIELDS: fields})


def report_fields(report: Any) -> dict[str, Any]:
    """The counts of a stage's report dataclass: its int and float fields, and its ``errors`` (a
    count by kind) as their sum."""
    out: dict[str, Any] = {}
    if not is_dataclass(report):
        return out
    for f in fields(report):
        value = getattr(report, f.name)
        if isinstance(value, bool):
            continue
        if isinstance(value, float):
            out[f.name] = round(value, 3)
        elif isinstance(value, int):
            out[f.name] = value
        elif f.name == "errors" and isinstance(value, Mapping):
            out[f.name] = sum(value.values())
    return out


def _base(record: logging.LogRecord) -> dict[str, Any]:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
    out: dict[str, Any] = {"time": stamp, "level": record.levelname.lower(), "logger": record.name,
                           "msg": record.getMessage()}
    out.update(getattr(record, _FIELDS, None) or {})
    if record.exc_info:
        out["error"] = logging.Formatter().formatException(record.exc_info).splitlines()[-1]
    return out


def _logfmt_value(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value == value else "nan"
    text = str(value)
    if text and not any(c in text for c in ' "=\\') and text.isprintable():
        return text
    return json.dumps(text, ensure_ascii=False)


class LogfmtFormatter(logging.Formatter):
    """``key=value`` pairs on one line; values with spaces, quotes or ``=`` are quoted (JSON escapes)."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{key}={_logfmt_value(value)}" for key, value in _base(record).items())


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_base(record), ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is written (a test runner may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


_handler: logging.Handler | None = None


def configure(settings: LogConfig | None = None, *, level: str | None = None,
              stream: TextIO | None = None) -> logging.Logger:
    """Send the ``tidings`` loggers to ``stream`` (stderr) at ``level`` (else the settings' level),
    in the settings' format. Calling it again replaces the earlier handler."""
    global _handler
    settings = settings or LogConfig()
    chosen = (level or settings.level).lower()
    if chosen not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)}, got {chosen!r}")
    root = logging.getLogger(ROOT)
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    _handler.setFormatter(JsonFormatter() if settings.format == "json" else LogfmtFormatter())
    root.addHandler(_handler)
    root.setLevel(getattr(logging, chosen.upper()))
    root.propagate = False  # one line per event, whatever the root logger does
    # SQLAlchemy's pool logs a connection it could not reset (the database went away) with its whole
    # traceback through Python's last-resort handler; it becomes one line of ours, error included
    for name in FOREIGN_LOGGERS:
        foreign = logging.getLogger(name)
        for old in [h for h in foreign.handlers if getattr(h, "tidings_handler", False)]:
            foreign.removeHandler(old)
        marked = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
        marked.setFormatter(_handler.formatter)
        setattr(marked, "tidings_handler", True)  # noqa: B010 (how configure finds its own handler again)
        marked.setLevel(logging.WARNING)
        foreign.addHandler(marked)
        foreign.propagate = False
    return root


# -- the command line -----------------------------------------------------------------------------

def _cli_level(ctx: click.Context) -> str | None:
    chosen = ctx.meta.get("tidings.log_level")
    verbose = ctx.meta.get("tidings.verbose", 0)
    if chosen:
        return str(chosen)
    return {0: None, 1: "info"}.get(verbose, "debug")


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        ctx.meta[key] = value
        return value
    return callback


def log_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``-v``/``--verbose`` and ``--log-level`` for the ``tidings`` group; once the group has loaded
    the configuration (``ctx.obj["config"]``), logging is set up from its ``[log]`` table."""
    import click

    @click.option("-v", "--verbose", count=True, expose_value=False, callback=_remember("tidings.verbose"),
                  help="Log more: -v each stage of a run, -vv debug lines (default: warnings only).")
    @click.option("--log-level", type=click.Choice(LEVELS, case_sensitive=False), expose_value=False,
                  callback=_remember("tidings.log_level"), help="Log level (outranks [log] level and -v).")
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        finally:
            ctx = click.get_current_context()
            config = (ctx.obj or {}).get("config")
            try:
                settings = config.settings("log") if config is not None else None
            except Exception:  # a [log] mistake is reported by the command that reads the file
                settings = None
            configure(settings, level=_cli_level(ctx))

    return wrapper
