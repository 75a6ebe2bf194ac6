"""The README's first day, command by command, on a fresh folder (issue 17's walkthrough).

The README's commands run in order in an empty folder, with no --config: `init`, `sources
import` (the demo newsstand's OPML, by URL, instead of the shipped list of internet feeds:
the tests run offline), `sources add` of a homepage, `sources list`, `update`, `doctor`,
`users add`, `edition new --since 7d` and `edition list`. The demo newsstand is served on
loopback; the environment allows loopback and the demo's fixed dates, as the README says any
setting can be overridden. Each command's output is checked as a user would read it.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from tidings.cli import cli
from tidings.demo.server import serve_site
from tidings.demo.site import build_demo_site

pytestmark = pytest.mark.slow

ENV = {
    "TIDINGS_CONFIG": "", "TIDINGS_DATABASE_URL": "",
    "TIDINGS_FETCH__ALLOW_LOOPBACK": "true", "TIDINGS_FETCH__PER_HOST_DELAY": "0",
    "TIDINGS_INGEST__EXTRACT_WORKERS": "0", "TIDINGS_INGEST__SITEMAP_MAX_AGE_DAYS": "36500",
}


def test_the_readme_walkthrough_on_a_fresh_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def tidings(*args: str, input: str | None = None, ok: bool = True) -> str:
        result = runner.invoke(cli, list(args), env=ENV, input=input, terminal_width=100)
        assert "Traceback" not in result.output, result.output
        assert (result.exit_code == 0) == ok, (args, result.output)
        return result.output

    # before init, a command says where to start instead of making ./tidings.db
    assert "run `tidings init`" in tidings("sources", "list", ok=False)
    assert list(tmp_path.iterdir()) == []

    assert tidings("init") == "wrote tidings.toml\n"
    assert "[sources]\n" in (tmp_path / "tidings.toml").read_text()

    with serve_site(build_demo_site("http://127.0.0.1:0")) as server:
        outlets = len(server.site.outlets)
        out = tidings("sources", "import", server.opml_url)
        assert f"imported {outlets} of {outlets} sources: {outlets} added" in out
        discovered = re.findall(r"discovered (.+): sitemap at (\S+)", out)
        assert len(discovered) == 1 and ":" not in discovered[0][0]  # named after the site, not its host
        assert "skipped" not in out

        homepage = next(o for o in json.loads(tidings("sources", "list", "--json")) if o["homepage"])["homepage"]
        assert re.match(r"(unchanged|updated) source \d+: ", tidings("sources", "add", homepage))
        listing = tidings("sources", "list")
        assert listing.count("never fetched") == outlets

        out = tidings("update")
        assert "new articles" in out and "stories" in out and "summaries written" in out
        errors = re.search(r"(\d+) errors: (\d+) of whole sources", out)
        assert errors and int(errors.group(2)) >= 1, out  # the demo's broken feed
        first = out.split(errors.group(0), 1)[1].splitlines()[1]
        assert "malformed" in first
        assert "`tidings doctor`" in out

    out = tidings("doctor")
    assert re.search(r"#\d+ Prairie Signal: \d+ errors? in a row|#\d+ Prairie Signal: healthy", out), out
    assert all(len(line) <= 100 for line in out.splitlines())
    assert "never fetched" not in tidings("sources", "list")

    assert "editor@example.org" in tidings("users", "add", "editor@example.org", "--password-stdin",
                                          input="a long enough passphrase\n")
    assert "editor@example.org" in tidings("users", "list")

    out = tidings("edition", "new", "--since", "7d")
    drafted = re.match(r"drafted edition (\d+) with (\d+) stories published from \S+ \S+ to \S+ \S+ \(the newest story\)",
                       out)
    assert drafted and int(drafted.group(2)) > 0, out
    assert "TheGen.AI News" in out or "News]" in out
    listed = tidings("edition", "list")
    assert len(listed.splitlines()) == 1 and "draft" in listed

    # nothing to draft leaves nothing behind
    assert "nothing drafted" in tidings("edition", "new", "--since", "2099-01-01", ok=False)
    assert len(tidings("edition", "list").splitlines()) == 1
    assert "database: " in tidings("db", "current")
