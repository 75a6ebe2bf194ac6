"""Logs an operator can read (issue 16, item 5): one key=value line per fetch failure with the
source id, url and reason; one per stage of a run with counts and seconds; one per mail batch;
quiet (warnings only) unless the config, the environment or -v asks for more."""

from __future__ import annotations

import io
import json
import logging
import os
import shlex
import subprocess
import sys

import pytest

from tests.loopback import LoopbackServer, Reply
from tests.pipeline.helpers import loopback_config, write_toml
from tidings.config import ConfigError, load_config
from tidings.logs import LogConfig, configure, event
from tidings.sources.opml import write_opml
from tidings.sources.spec import SourceSpec
from tidings.store.db import Store
from tidings.store.models import Source


def logfmt(line: str) -> dict[str, str]:
    """One logfmt line back into its fields (values quoted with JSON escapes when they need it)."""
    out, rest = {}, line.strip()
    while rest:
        key, _, rest = rest.partition("=")
        if rest.startswith('"'):
            value, end = json.JSONDecoder().raw_decode(rest)
            rest = rest[end:].lstrip()
        else:
            value, _, rest = rest.partition(" ")
        out[key] = value
    return out


def test_an_event_is_one_logfmt_line_or_one_json_object():
    stream = io.StringIO()
    log = logging.getLogger("tidings.test_logs")
    configure(LogConfig(level="info"), stream=stream)
    event(log, logging.WARNING, "source failed", source=7, url="http://x/feed", reason='HTTP 503 "busy" = down',
          seconds=0.25, ok=False, status=None)
    line = stream.getvalue()
    assert line.count("\n") == 1
    fields = logfmt(line)
    assert fields["level"] == "warning" and fields["logger"] == "tidings.test_logs"
    assert fields["msg"] == "source failed" and fields["source"] == "7" and fields["url"] == "http://x/feed"
    assert fields["reason"] == 'HTTP 503 "busy" = down' and fields["seconds"] == "0.25" and fields["ok"] == "false"
    stream = io.StringIO()
    configure(LogConfig(level="info", format="json"), stream=stream)
    event(log, logging.INFO, "stage done", stage="ingest", new=3)
    assert json.loads(stream.getvalue()) | {"time": None} == {"time": None, "level": "info", "logger": "tidings.test_logs",
                                                             "msg": "stage done", "stage": "ingest", "new": 3}
    stream = io.StringIO()
    configure(LogConfig(), stream=stream)  # the default: warnings only
    event(log, logging.INFO, "stage done", stage="ingest")
    assert stream.getvalue() == ""
    configure(LogConfig())



def test_a_pool_reset_failure_is_one_line_not_a_traceback():
    """SQLAlchemy's pool logs a connection it cannot reset (the database went away) with exc_info;
    it reaches stderr as one of our lines, the error's last line included, never a traceback."""
    stream = io.StringIO()
    configure(LogConfig(), stream=stream)
    try:
        raise ConnectionError("terminating connection due to administrator command")
    except ConnectionError:
        logging.getLogger("sqlalchemy.pool.impl.QueuePool").exception("Exception during reset or similar")
    out = stream.getvalue()
    assert out.count("\n") == 1 and "Traceback" not in out
    fields = logfmt(out)
    assert fields["level"] == "error" and fields["logger"] == "sqlalchemy.pool.impl.QueuePool"
    assert fields["error"] == "ConnectionError: terminating connection due to administrator command"
    configure(LogConfig(), stream=io.StringIO())  # called again: still one handler, not two
    assert sum(getattr(h, "tidings_handler", False) for h in logging.getLogger("sqlalchemy.pool").handlers) == 1
    configure(LogConfig())

def test_the_log_table_is_checked_and_can_be_set_from_the_environment():
    assert load_config(None, environ={"TIDINGS_LOG__LEVEL": "INFO", "TIDINGS_LOG__FORMAT": "json"}).settings("log") \
        == LogConfig(level="info", format="json")
    with pytest.raises(ConfigError, match=r"TIDINGS_LOG__LEVEL: \[log\] level: expected one of debug, info"):
        load_config(None, environ={"TIDINGS_LOG__LEVEL": "loud"})


ITEM = ("<item><title>Solar farm opens in Aragon</title><link>{url}</link><guid>a1</guid>"
        "<pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>")
PAGE = ("<html lang='en'><head><title>Solar farm opens in Aragon</title></head><body><article><h1>Solar farm</h1>"
        + "<p>Officials said a solar farm opened in Aragon on Tuesday, the regional government reported.</p>" * 6
        + "</article></body></html>")


def _ingest(tmp_path, srv, *args, env=None):
    sources = [SourceSpec(url=srv.url("/good.xml"), name="Good"), SourceSpec(url=srv.url("/gone.xml"), name="Gone")]
    cfg = loopback_config(tmp_path, write_opml(sources))
    toml = write_toml(cfg, tmp_path / "tidings.toml")
    command = [sys.executable, "-m", "tidings", "--config", str(toml), *args, "ingest"]
    run = subprocess.run(command, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, shlex.join(command) + "\n" + run.stderr
    with Store(cfg.database_url).reading() as session:
        ids = {s.url: s.id for s in session.query(Source)}
    return run.stderr, ids


@pytest.fixture
def newsstand():
    with LoopbackServer() as srv:
        srv.route("/good.xml", Reply(200, f"<rss version='2.0'><channel><title>Good</title><link>http://x/</link>"
                                          f"{ITEM.format(url=srv.url('/a1'))}</channel></rss>",
                                     content_type="application/rss+xml"))
        srv.route("/gone.xml", Reply(404, "no such feed"))
        srv.route("/a1", Reply(200, PAGE))
        yield srv


def _lines(stderr: str) -> list[dict[str, str]]:
    return [logfmt(line) for line in stderr.splitlines() if line.startswith("time=")]


def test_an_ingest_logs_one_line_per_failed_source_and_is_otherwise_quiet(tmp_path, newsstand):
    stderr, ids = _ingest(tmp_path, newsstand)
    lines = _lines(stderr)
    assert [line["msg"] for line in lines] == ["source failed"], stderr  # warnings only by default
    [failed] = lines
    gone = newsstand.url("/gone.xml")
    assert failed["level"] == "warning" and failed["url"] == gone and failed["source"] == str(ids[gone])
    assert failed["kind"] == "http" and failed["status"] == "404" and "404" in failed["reason"]


def test_verbose_adds_a_line_per_stage_with_counts_and_seconds(tmp_path, newsstand):
    stderr, _ = _ingest(tmp_path, newsstand, "-v")
    stages = [line for line in _lines(stderr) if line["msg"] == "stage done"]
    assert len(stages) == 1, stderr
    [stage] = stages
    assert stage["level"] == "info" and stage["stage"] == "ingest" and stage["status"] == "done"
    assert stage["sources"] == "2" and stage["failed"] == "1" and stage["new"] == "1" and stage["errors"] == "1"
    assert float(stage["seconds"]) > 0


def test_the_environment_sets_level_and_format(tmp_path, newsstand):
    stderr, _ = _ingest(tmp_path, newsstand, env={"TIDINGS_LOG__LEVEL": "info", "TIDINGS_LOG__FORMAT": "json"})
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert {line["msg"] for line in lines} == {"source failed", "stage done"}, stderr
    (tmp_path / "again").mkdir()
    stderr, _ = _ingest(tmp_path / "again", newsstand, "--log-level", "error")
    assert _lines(stderr) == [], stderr
