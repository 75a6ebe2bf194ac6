"""``tidings extract`` end to end through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tidings.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


def test_extract_file_with_url(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["extract", str(FIXTURES / "article.html"), "--url", "https://gazette.example.com/news/2026/03/sea-wall-vote"],
        env={"TIDINGS_CONFIG": ""},
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["title"] == "Harbour town votes to rebuild its sea wall"
    assert data["published"] == "2026-03-14T09:20:00+00:00"
    assert data["canonical_url"] == "https://www.gazette.example.com/news/2026/03/sea-wall-vote"
    assert data["text_source"] == "page"
    assert "nineteen to four" in data["text"]


def test_extract_file_default_url_is_file_uri() -> None:
    result = CliRunner().invoke(cli, ["extract", str(FIXTURES / "article.html")], env={"TIDINGS_CONFIG": ""})
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["url"] == (FIXTURES / "article.html").resolve().as_uri()
    # a cross-scheme canonical is not same-site with a file:// address
    assert data["canonical_url"].startswith("file://")


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "nope.html")], env={"TIDINGS_CONFIG": ""})
    assert result.exit_code == 1
    assert "no such file" in result.output
    assert "Traceback" not in result.output


def test_page_without_article_is_a_clear_error() -> None:
    result = CliRunner().invoke(cli, ["extract", str(FIXTURES / "no_article.html")], env={"TIDINGS_CONFIG": ""})
    assert result.exit_code == 1
    assert "no article text" in result.output
    assert "Traceback" not in result.output


def test_extract_url_through_the_fetcher() -> None:
    from tests.loopback import LoopbackServer, Reply

    html = (FIXTURES / "article.html").read_bytes()
    env = {"TIDINGS_CONFIG": "", "TIDINGS_FETCH__ALLOW_LOOPBACK": "true", "TIDINGS_FETCH__PER_HOST_DELAY": "0"}
    with LoopbackServer() as server:
        server.route("/news/sea-wall", Reply(200, html))
        server.route("/old", Reply(301, b"", headers={"Location": "/news/sea-wall"}))
        result = CliRunner().invoke(cli, ["extract", server.url("/old")], env=env)
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["url"] == server.url("/news/sea-wall")  # the address after the redirect
        assert "nineteen to four" in data["text"]
        # the loopback host is not the page's site, so its rel=canonical is not trusted
        assert data["canonical_url"] == server.url("/news/sea-wall")

        missing = CliRunner().invoke(cli, ["extract", server.url("/missing")], env=env)
        assert missing.exit_code == 1
        assert "could not fetch" in missing.output
        assert "Traceback" not in missing.output


def test_extract_url_refused_by_the_address_guard() -> None:
    # loopback is refused by default: a clear error, not a traceback
    result = CliRunner().invoke(cli, ["extract", "http://127.0.0.1:9/x"], env={"TIDINGS_CONFIG": ""})
    assert result.exit_code == 1
    assert "could not fetch" in result.output
    assert "Traceback" not in result.output
