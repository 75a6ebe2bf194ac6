"""``tidings fetch``: fetch URLs the way ingest does (guard, robots.txt, limits)
and print what came back, for checking a source by hand.

``tidings fetch URL...`` prints one JSON object per URL; with no URL it reads
JSON Lines (``{"url": ..., "etag": ..., "last_modified": ...}``) on stdin and
answers each line in order, through one fetcher so per-host politeness holds
across lines. ``--body`` writes the (decoded) body of one URL to stdout and
``--robots`` shows what the origin's robots.txt says about each URL.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import click

from tidings.cli import get_config


def summary(result: Any, with_text: bool) -> dict[str, Any]:
    """The JSON view of a :class:`tidings.records.FetchResult`."""
    out: dict[str, Any] = {
        "url": result.url,
        "final_url": result.final_url,
        "status": result.status,
        "content_type": result.content_type or None,
        "encoding": result.encoding,
        "etag": result.etag,
        "last_modified": result.last_modified,
        "bytes": len(result.body),
        "elapsed": round(result.elapsed, 3),
    }
    if with_text:
        out["text"] = result.text
    return out


def robots_summary(rules: Any, url: str, user_agent: str) -> dict[str, Any]:
    return {
        "url": url,
        "origin": rules.origin,
        "robots_status": rules.status,
        "allowed": rules.allows(url, user_agent),
        "reason": rules.reason or None,
        "crawl_delay": rules.crawl_delay,
        "sitemaps": rules.sitemaps,
    }


@click.command("fetch")
@click.argument("urls", nargs=-1, metavar="[URL]...")
@click.option("--etag", default=None, help="Send If-None-Match (a 304 answer is reported, not an error).")
@click.option("--last-modified", default=None, help="Send If-Modified-Since.")
@click.option("--accept", default=None, help="The Accept header (default */*).")
@click.option("--no-robots", is_flag=True, help="Do not consult robots.txt (for a URL you were given directly).")
@click.option("--text", "with_text", is_flag=True, help="Include the decoded text in the JSON.")
@click.option("--body", "raw_body", is_flag=True, help="Write the body of the one URL to stdout instead of JSON.")
@click.option("--robots", "show_robots", is_flag=True, help="Show the robots.txt verdict and Sitemap: lines instead.")
@click.pass_context
def fetch_command(ctx: click.Context, urls: tuple[str, ...], etag: str | None, last_modified: str | None,
                  accept: str | None, no_robots: bool, with_text: bool, raw_body: bool, show_robots: bool) -> None:
    """Fetch URLs through Tidings' guarded fetcher and print the results as JSON Lines.

    \b
    Input (with no URL argument), one a line: {"url", "etag"?, "last_modified"?}
    Output: {"url", "final_url", "status", "content_type", "encoding", "etag", "last_modified",
      "bytes", "elapsed"}, or {"url", "error", "kind", "status"} when it fails

    \b
    Example:
      $ tidings fetch http://127.0.0.1:9/
      {"url": "http://127.0.0.1:9/", "error": "blocked: address 127.0.0.1 is loopback; not allowed by
       fetch settings (http://127.0.0.1:9/)", "kind": "blocked", "status": null}
    """
    from tidings.fetch.client import Fetcher
    from tidings.fetch.errors import FetchError
    from tidings.jsonl import LineError, run_lines, write_record

    config = get_config(ctx).fetch
    if raw_body and len(urls) != 1:
        raise click.UsageError("--body needs exactly one URL")

    with asyncio.Runner() as runner:
        fetcher = Fetcher(config)
        runner.run(fetcher.__aenter__())
        try:
            def one(url: str, tag: str | None, stamp: str | None) -> dict[str, Any]:
                if show_robots:
                    rules = runner.run(fetcher.robots_rules(url))
                    return robots_summary(rules, url, config.user_agent)
                result = runner.run(fetcher.get(url, etag=tag, last_modified=stamp, accept=accept,
                                                check_robots=not no_robots))
                return summary(result, with_text)

            if raw_body:
                try:
                    result = runner.run(fetcher.get(urls[0], etag=etag, last_modified=last_modified, accept=accept,
                                                    check_robots=not no_robots))
                except FetchError as exc:
                    raise click.ClickException(str(exc)) from None
                sys.stdout.buffer.write(result.body)
                sys.stdout.flush()
                return

            if urls:
                failures = 0
                for url in urls:
                    try:
                        record = one(url, etag, last_modified)
                    except FetchError as exc:
                        failures += 1
                        record = {"url": url, "error": str(exc), "kind": exc.kind, "status": exc.status}
                        if exc.retry_after is not None:
                            record["retry_after"] = exc.retry_after
                    write_record(sys.stdout, record)
                sys.stdout.flush()
                ctx.exit(1 if failures else 0)

            def handle(record: dict[str, Any]) -> dict[str, Any]:
                url = record.get("url")
                if not isinstance(url, str) or not url:
                    raise LineError("each line needs a 'url'")
                try:
                    out = one(url, record.get("etag"), record.get("last_modified"))
                except FetchError as exc:
                    raise LineError(str(exc)) from None
                return {"id": record["id"], **out} if "id" in record else out

            ctx.exit(1 if run_lines(handle) else 0)
        finally:
            runner.run(fetcher.__aexit__(None, None, None))
