"""``tidings summarize``: cited extractive summaries of stories, as JSON Lines.

Reads one story a line, ``{"id": ..., "articles": [article, ...]}`` (articles as
for ``tidings cluster``: ``id``, ``title``, ``text``, optional ``published``,
``language``, ``url``, ``source``), and writes one summary a line:
``{"id", "headline", "lead", "sentences": [{"text", "cites": [ids]}], "language",
"languages"}``. A bad line is answered with its error and the run goes on.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from tidings.jsonl import LineError, Record, run_lines


def summarize_record(record: Record, words: int = 120, embedder: Any = None,
                     summarizer: Callable[[list[Any]], Any] | None = None) -> Record:
    """Summarize one story record; raises :class:`LineError` for a malformed one.

    ``summarizer`` (a :class:`~tidings.summarize.refresh.Summarizer`) is what the command passes: the
    configured method, as ``tidings update`` runs it. Without one, the extractive summarizer at ``words``."""
    from tidings.records import Article

    raw_articles = record.get("articles")
    if not isinstance(raw_articles, list) or not raw_articles:
        raise LineError("a story needs a non-empty 'articles' list")
    articles = []
    for n, raw in enumerate(raw_articles, start=1):
        if not isinstance(raw, dict):
            raise LineError(f"article {n} is not a JSON object")
        try:
            articles.append(Article.from_json(raw))
        except ValueError as exc:
            raise LineError(f"article {n}: {exc}") from None
    if summarizer is None:
        from tidings.summarize.extractive import summarize_articles

        summary = summarize_articles(articles, words=words, embedder=embedder)
    else:
        summary = summarizer(articles)
    return {
        "id": record.get("id"),
        "headline": summary.headline,
        "lead": summary.lead,
        "sentences": [{"text": s.text, "cites": s.cites} for s in summary.sentences],
        "language": summary.language,
        "languages": summary.languages,
        "method": summary.method,
    }


@click.command("summarize")
@click.option("--words", type=click.IntRange(20, 1000), default=None,
              help="About this many words a reader sees, lead included (default: [summarize] words, else 120).")
@click.option("--embedder", "embedder_name", default=None,
              help="Sentence embedder for citations across languages (default: the clustering one).")
@click.option("--story", "story_ids", multiple=True,
              help="Instead of reading stdin, summarize this stored story again (repeatable) and keep the version.")
@click.pass_context
def summarize_command(ctx: click.Context, words: int | None, embedder_name: str | None,
                      story_ids: tuple[str, ...]) -> None:
    """Summarize stories read as JSON Lines on stdin; one cited summary a line on stdout.

    The configured method, as `tidings update` runs it: [summarize] words and [summarize.llm] (an LLM's
    sentences checked by the guard). With --story ID, summarize stored stories again (a new version;
    earlier ones are kept).

    \b
    Input, one story a line: {"id", "articles": [article, ...]}
      (an article as for `tidings cluster`: {"id", "title", "text", "published"?, "language"?, ...})
    Output: {"id", "headline", "lead", "sentences": [{"text", "cites": [article ids]}],
      "language", "languages"}

    \b
    Example:
      $ tidings summarize --words 40 < stories.jsonl
      {"id": "story-1", "headline": "Halvard Compute breaks ground on Aragon data centre", "lead": "",
       "sentences": [{"text": "Work began on Monday in Aragon on Halvard Compute's data centre campus,
       which could draw 1.2 gigawatts.", "cites": ["2", "1"]}], "language": "en", "languages": ["en"]}
    """
    from tidings.cli import get_config
    from tidings.summarize.refresh import Summarizer

    if story_ids:
        _summarize_stored(ctx, list(story_ids), words)
        return
    try:
        summarizer = Summarizer(get_config(ctx), words=words, embedder_name=embedder_name)
    except ValueError as exc:
        raise click.ClickException(f"bad [summarize] settings: {exc}") from None
    failures = run_lines(lambda record: summarize_record(record, summarizer=summarizer))
    if failures:
        click.echo(f"{failures} line(s) failed", err=True)
        sys.exit(1)


def _summarize_stored(ctx: click.Context, story_ids: list[str], words: int | None) -> None:
    from tidings.cli import get_config
    from tidings.cli.common import open_store_or_fail
    from tidings.store.models import Story
    from tidings.summarize.refresh import refresh_summaries

    config = get_config(ctx)
    store = open_store_or_fail(config)
    with store.reading() as session:
        missing = [i for i in story_ids if session.get(Story, i) is None]
    if missing:
        raise click.ClickException(f"no story {', '.join(missing)}")
    report = refresh_summaries(config, store, story_ids=story_ids, force=True, words=words)
    click.echo(f"{report.summarized} summary version(s) written, {report.failed} failed")
    if report.failed:
        sys.exit(1)
