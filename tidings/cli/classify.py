"""The ``tidings classify`` and ``tidings tags`` stage commands (JSON Lines).

Both read, one per line, either an article ``{"id", "title", "text", "language"?, ...}``
or a story ``{"id", "articles": [article, ...]}`` (a story is read as all its
articles' titles and texts together), and answer in input order:

* ``tidings classify [--sections FILE.toml] [--examples/--no-examples]`` writes
  ``{"id", "section", "scores"}``. Sections come from ``--sections``, else the
  ``[[sections]]`` tables of tidings.toml, else the shipped defaults. As in
  ``tidings update``, each article is embedded as the clusterer embeds it (title
  and lead), a story's vector is the mean of its articles', and the sections
  adapt to each batch and to up to 2,000 earlier lines (``--no-adapt``: each line
  on its own).
* ``tidings tags [--top N]`` writes ``{"id", "tags": [{"name", "key", "kind",
  "score"}, ...]}``, best first.

A line that cannot be read is answered with ``{"id"?, "line", "error"}`` and the
run goes on; the exit status is 1 if any line failed.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

import click

from tidings.jsonl import LineError, Record, run_batches, run_lines


def _articles(record: Record) -> list[Any]:
    """The articles of one input line (one article, or a story's list of them)."""
    from tidings.records import Article

    items = record.get("articles")
    if items is None:
        items = [record]
    elif not isinstance(items, list) or not items:
        raise LineError("'articles' must be a non-empty list of article objects")
    out = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise LineError(f"article #{number} is not a JSON object")
        data = dict(item)
        if "articles" in record:
            data.setdefault("id", f"{record.get('id', '')}#{number}")
        try:
            out.append(Article.from_json(data))
        except ValueError as exc:
            raise LineError(str(exc)) from None
    if "id" not in record:
        raise LineError("record has no 'id'")
    return out


def article_texts(articles: list[Any], lead_words: int) -> list[str]:
    """What is embedded for each article of a line: its title and lead, as the clusterer
    embeds it (a story's vector is the mean of these, as in ``tidings update``)."""
    from tidings.stories.cluster import title_and_lead

    return [title_and_lead(a.title, a.text, lead_words) for a in articles]


@click.command("classify")
@click.option("--sections", "sections_path", type=click.Path(dir_okay=False), default=None,
              help="TOML file of [[sections]] tables (default: tidings.toml's, else the shipped set).")
@click.option("--examples/--no-examples", default=True, show_default=True,
              help="Use the sections' example headlines (else the descriptions alone).")
@click.option("--embedder", default=None, help="Embedding model (default: the product's).")
@click.option("--batch-size", type=int, default=64, show_default=True, help="Texts embedded at once.")
@click.option("--adapt/--no-adapt", default=True, show_default=True,
              help="Adapt the sections to the texts read so far, as `tidings update` does.")
@click.pass_context
def classify_command(ctx: click.Context, sections_path: str | None, examples: bool, embedder: str | None,
                     batch_size: int, adapt: bool) -> None:
    """File articles or stories (JSON Lines on stdin) under one section each, with scores.

    \b
    Input, one a line: an article {"id", "title", "text", "language"?}
      or a story {"id", "articles": [article, ...]}
    Output: {"id", "section", "scores": {section: share, ...}}

    \b
    Example:
      $ echo '{"id": "1", "title": "Robot arm learns to fold laundry", "text": "Researchers in Zurich taught a robot arm to fold shirts from 40 demonstrations."}' | tidings classify
      {"id": "1", "section": "Robotics", "scores": {...}}
    """
    import numpy as np

    from tidings.cli import get_config
    from tidings.stories.embed import get_embedder
    from tidings.stories.sections import (
        SECTION_CONTEXT,
        SectionClassifier,
        SectionsError,
        load_sections,
        story_vector,
    )
    from tidings.stories.update import cluster_config

    try:
        config = get_config(ctx)
        clustering = cluster_config(config)
        sections = load_sections(sections_path if sections_path else config.raw)
        classifier = SectionClassifier(sections, get_embedder(embedder or clustering.embedder),
                                       use_examples=examples, text_kind=clustering.embed_kind)
    except (SectionsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None

    seen: list[Any] = []  # earlier lines' vectors, the context the sections adapt to

    def handle(records: list[Record]) -> list[Record | Exception]:
        texts: list[list[str] | Exception] = []
        for record in records:
            try:
                texts.append(article_texts(_articles(record), clustering.lead_words))
            except LineError as exc:
                texts.append(exc)
        good = [t for t in texts if not isinstance(t, Exception)]
        flat = [text for story in good for text in story]
        embedded = classifier.embed(flat) if flat else np.empty((0, 0), dtype=np.float32)
        rows, start = [], 0
        for story in good:  # a story's vector: the mean of its articles' (story_vector), as update files it
            rows.append(story_vector(embedded[start:start + len(story)]))
            start += len(story)
        vectors = np.vstack(rows) if rows else np.empty((0, 0), dtype=np.float32)
        results = iter(classifier.classify_vectors(vectors, adapt=adapt, context=np.asarray(seen) if seen else None))
        if adapt:
            seen.extend(vectors)
            del seen[:-SECTION_CONTEXT]  # the most recent lines only, as update reads the most recent stories
        out: list[Record | Exception] = []
        for record, text in zip(records, texts, strict=True):
            if isinstance(text, Exception):
                out.append(text)
                continue
            result = next(results)
            out.append({"id": record["id"], "section": result.section, "scores": result.scores})
        return out

    failures = run_batches(handle, batch_size=max(1, batch_size))
    sys.exit(1 if failures else 0)


@click.command("tags")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Tags per line (default: the 8 a story page shows).")
def tags_command(top: int | None) -> None:
    """Tag articles or stories (JSON Lines on stdin): names first, then keyphrases, as a story page shows them.

    The same function as `tidings update` (tidings.stories.tags.story_tags_for): a story's main-language
    articles, each its title and lead paragraphs.

    \b
    Input, one a line: an article {"id", "title", "text", "language"?}
      or a story {"id", "articles": [article, ...]}
    Output: {"id", "tags": [{"name", "key", "kind", "score"}, ...]}

    \b
    Example:
      $ echo '{"id": "1", "title": "Halvard Compute breaks ground on Aragon data centre", "text": "Halvard Compute began building a 1.2-gigawatt data centre campus in Aragon, Spain, on Monday."}' | tidings tags --top 2
      {"id": "1", "tags": [{"name": "Aragon", "key": "aragon", "kind": "entity", "score": 2.5804}, {"name": "Halvard Compute", "key": "halvard compute", "kind": "entity", "score": 2.2347}]}
    """
    from tidings.stories.tags import STORY_TAGS, story_tags_for

    def handle(record: Record) -> Record:
        articles = _articles(record)
        try:
            tags = story_tags_for(articles, top=top or STORY_TAGS)
        except (LineError, ValueError):
            raise
        except Exception as exc:  # one odd story must not stop the stage
            raise LineError(f"tagging failed: {type(exc).__name__}: {exc}") from exc
        return {"id": record["id"], "tags": [asdict(t) for t in tags]}

    failures = run_lines(handle)
    sys.exit(1 if failures else 0)
