"""The ``tidings cluster`` and ``tidings similarity`` stage commands (JSON Lines).

``tidings cluster`` reads articles ``{"id", "title", "text", "published"?,
"language"?, "url"?, "source"?}`` and writes ``{"id", "story", "score", "new"}``
for each, in input order, as the online clusterer places them one by one (story
ids are ``s1``, ``s2`` ... in order of creation; ``score`` is the join score, or
for a new story the best score it did not reach). Lines already written are never
rewritten; when later evidence changes a story, a notice follows the article line
that caused it (and, after the last input line, the final repair pass's notices):

* ``{"merged": "s4", "into": "s2"}``: story s4 is one event with s2; every article
  reported in s4 now belongs to s2 (s4's id redirects to s2 from now on);
* ``{"split": "s2", "into": "s7", "articles": ["a", "b"]}``: story s2 held two
  events; articles a and b now form story s7, the others stay in s2.

Applying the notices in order gives each article's final story, exactly as
``tidings update`` stores it (``benchmarks/ecbplus.py`` reads the command this way).

``tidings similarity`` reads ``{"id", "a": article, "b": article}`` and writes
``{"id", "score", "same_story"}`` with the clusterer's own decision rule.

Settings come from the ``[cluster]`` table of tidings.toml; ``--embedder`` and
``--threshold`` override it.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

import click

from tidings.jsonl import Followed, LineError, Record, run_batches


def notices(clusterer: Any) -> list[Record]:
    """The merges and splits since the last call, as the lines ``tidings cluster`` writes:
    ``{"merged": OLD, "into": NEW}`` (OLD's articles now belong to NEW) and
    ``{"split": OLD, "into": NEW, "articles": [ids]}`` (those articles left OLD for NEW)."""
    lines: list[Record] = [{"merged": old, "into": new} for old, new in clusterer.drain_merges()]
    lines += [{"split": old, "into": new, "articles": list(ids)} for old, new, ids in clusterer.drain_splits()]
    return lines


def _config(ctx: click.Context, embedder: str | None, threshold: float | None):
    from tidings.cli import get_config
    from tidings.stories.cluster import ClusterConfig

    try:
        config = ClusterConfig.from_table(get_config(ctx).table("cluster"))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if embedder:
        config.embedder = embedder
    if threshold is not None:
        config.threshold = threshold
    return config


def _article(data: Any, what: str = "article"):
    from tidings.records import Article

    if not isinstance(data, dict):
        raise LineError(f"{what} must be a JSON object")
    try:
        return Article.from_json(data)
    except ValueError as exc:
        raise LineError(f"{what}: {exc}") from None


_embedder_option = click.option("--embedder", default=None, help="Embedding model (default: the tuned one).")
_threshold_option = click.option("--threshold", type=float, default=None, help="Join score threshold in [0, 1].")
_batch_option = click.option("--batch-size", type=int, default=64, show_default=True, help="Articles embedded at once.")


@click.command("cluster")
@_embedder_option
@_threshold_option
@_batch_option
@click.pass_context
def cluster_command(ctx: click.Context, embedder: str | None, threshold: float | None, batch_size: int) -> None:
    """Place articles (JSON Lines on stdin) into stories, one by one in input order.

    \b
    Input, one article a line:
      {"id", "title", "text", "published"?, "language"?, "url"?, "source"?}
    Output, one line an article: {"id", "story"} (stories s1, s2 ... in order of creation)

    \b
    Example (two reports of one event, then another event):
      $ tidings cluster < articles.jsonl
      {"id": "1", "story": "s1"}
      {"id": "2", "story": "s1"}
      {"id": "3", "story": "s2"}
    where articles.jsonl holds lines such as
      {"id": "1", "title": "Halvard Compute breaks ground on Aragon data centre",
       "text": "Halvard Compute began building a 1.2-gigawatt data centre campus in Aragon..."}
    """
    from tidings.stories.cluster import OnlineClusterer, features_for
    from tidings.stories.embed import get_embedder

    config = _config(ctx, embedder, threshold)
    model = get_embedder(config.embedder)
    counter = itertools.count(1)
    clusterer = OnlineClusterer(config, new_id=lambda: f"s{next(counter)}")

    def handle(records: list[Record]) -> list[Record | Exception | Followed]:
        parsed: list[Any] = []
        for record in records:
            try:
                parsed.append(_article(record))
            except LineError as exc:
                parsed.append(exc)
        good = [a for a in parsed if not isinstance(a, Exception)]
        feats = iter(features_for(good, model, config))
        out: list[Record | Exception | Followed] = []
        for item in parsed:
            if isinstance(item, Exception):
                out.append(item)
                continue
            placement = clusterer.place(next(feats))
            answer = {"id": item.id, "story": placement.story_id, "score": round(placement.score, 4),
                      "new": placement.is_new}
            out.append(Followed([answer, *notices(clusterer)]))
        return out

    def finish() -> list[Record]:
        clusterer.repair()
        return notices(clusterer)

    failures = run_batches(handle, batch_size=max(1, batch_size), finish=finish)
    sys.exit(1 if failures else 0)


@click.command("similarity")
@_embedder_option
@_threshold_option
@click.pass_context
def similarity_command(ctx: click.Context, embedder: str | None, threshold: float | None) -> None:
    """Score pairs of articles (JSON Lines on stdin) with the clustering rule.

    \b
    Input, one pair a line: {"id", "a": article, "b": article}
      (an article as for `tidings cluster`: {"id", "title", "text", ...})
    Output: {"id", "score", "same_story"}

    \b
    Example:
      $ tidings similarity < pairs.jsonl
      {"id": "p1", "score": 0.8078, "same_story": true}
    """
    from tidings.stories.cluster import features_for, pair_similarity
    from tidings.stories.embed import get_embedder

    config = _config(ctx, embedder, threshold)
    model = get_embedder(config.embedder)

    def handle(records: list[Record]) -> list[Record | Exception]:
        pairs: list[Any] = []
        for record in records:
            try:
                pairs.append((_article(record.get("a"), "a"), _article(record.get("b"), "b")))
            except LineError as exc:
                pairs.append(exc)
        good = [p for p in pairs if not isinstance(p, Exception)]
        feats = features_for([a for pair in good for a in pair], model, config)
        out: list[Record | Exception] = []
        k = 0
        for record, pair in zip(records, pairs, strict=True):
            if isinstance(pair, Exception):
                out.append(pair)
                continue
            score, same = pair_similarity(feats[k], feats[k + 1], config)
            k += 2
            out.append({"id": record.get("id"), "score": round(score, 4), "same_story": same})
        return out

    failures = run_batches(handle, batch_size=32)
    sys.exit(1 if failures else 0)
