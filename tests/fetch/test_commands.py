"""``tidings fetch`` end to end through click, against the loopback server."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.fetch.conftest import HOST
from tests.loopback import Reply
from tidings.cli import cli

ENV = {
    "TIDINGS_FETCH__ALLOW_NETWORKS": f"{HOST}/32",
    "TIDINGS_FETCH__PER_HOST_DELAY": "0",
    "TIDINGS_FETCH__TIMEOUT": "2",
    "TIDINGS_CONFIG": "",
}


def invoke(args: list[str], stdin: str | None = None):
    return CliRunner().invoke(cli, ["fetch", *args], input=stdin, env=ENV, catch_exceptions=False)


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_fetch_urls_prints_json_lines(server):
    server.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /secret\nSitemap: http://x.example/s.xml\n",
                                      content_type="text/plain"))
    server.route("/page", Reply(body="Grüße", headers={"ETag": '"e1"'}))
    result = invoke([server.url("/page"), server.url("/secret"), "--text"])
    assert result.exit_code == 1  # one of the two failed
    ok, refused = lines(result.output)
    assert ok["status"] == 200 and ok["text"] == "Grüße" and ok["etag"] == '"e1"' and ok["bytes"] == 7
    assert refused["kind"] == "robots" and "error" in refused


def test_fetch_robots_view(server):
    server.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /secret\nSitemap: http://x.example/s.xml\n",
                                      content_type="text/plain"))
    result = invoke(["--robots", server.url("/secret/a")])
    (record,) = lines(result.output)
    assert record["allowed"] is False and record["sitemaps"] == ["http://x.example/s.xml"]


def test_fetch_stdin_lines_with_conditional_get(server):
    server.route("/feed", lambda req: Reply(304, b"", content_type=None) if req.headers.get("if-none-match") == '"v"'
                 else Reply(body="<rss/>", headers={"ETag": '"v"'}))
    stdin = "\n".join([
        json.dumps({"id": "a", "url": server.url("/feed")}),
        json.dumps({"id": "b", "url": server.url("/feed"), "etag": '"v"'}),
        json.dumps({"id": "c", "url": server.url("/missing")}),
        json.dumps({"id": "d"}),
    ])
    result = invoke([], stdin=stdin)
    assert result.exit_code == 1
    a, b, c, d = lines(result.output)
    assert (a["id"], a["status"]) == ("a", 200)
    assert (b["id"], b["status"]) == ("b", 304)
    assert c["id"] == "c" and "404" in c["error"]
    assert d["id"] == "d" and "url" in d["error"]


def test_fetch_body(server):
    server.route("/raw", Reply(body=b"\x00\x01binary", content_type="application/octet-stream"))
    result = CliRunner().invoke(cli, ["fetch", "--body", server.url("/raw")], env=ENV, catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout_bytes == b"\x00\x01binary"
