"""``tidings check``: run the faithfulness guard over JSON Lines.

Each input line is ``{"id", "sources": [article objects or plain strings],
"summary": "..." or ["sentence", ...]}``; each output line is ``{"id",
"supported", "score", "sentences": [{"text", "supported", "score", "reason"}]}``.
A line that cannot be checked is answered with ``{"id", "line", "error"}``
(see :mod:`tidings.jsonl`) and the run goes on; the exit status is 1 if any line
failed.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from tidings.jsonl import LineError, Record, run_lines


def source_text(source: Any) -> str:
    """The text of one source: a plain string, or an article object's title and text."""
    if isinstance(source, str):
        return source
    if isinstance(source, dict):
        title = source.get("title") or ""
        text = source.get("text") or ""
        if not isinstance(title, str) or not isinstance(text, str):
            raise LineError("an article's 'title' and 'text' must be strings")
        if not title and not text:
            raise LineError("an article has neither 'title' nor 'text'")
        return f"{title}\n\n{text}" if title else text
    raise LineError(f"a source must be a string or an article object, not {type(source).__name__}")


def check_record(record: Record, embedder: Any = None, threshold: float | None = None) -> Record:
    """Check one input record; raises :class:`LineError` for a malformed one."""
    from tidings.summarize.guard import DEFAULT_THRESHOLD, check_summary

    sources = record.get("sources")
    if not isinstance(sources, list) or not sources:
        raise LineError("'sources' must be a non-empty list")
    summary = record.get("summary")
    if isinstance(summary, list):
        if not all(isinstance(s, str) for s in summary):
            raise LineError("'summary' must be a string or a list of strings")
    elif not isinstance(summary, str):
        raise LineError("'summary' must be a string or a list of strings")
    from tidings.text.bounds import bound_lead, bound_text

    texts = [bound_text(source_text(s)) or "" for s in sources]
    summary = bound_text(summary) if isinstance(summary, str) else [bound_lead(s) or "" for s in summary]
    verdict = check_summary(summary, texts, embedder=embedder,
                            threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
    return {
        "id": record.get("id"),
        "supported": verdict.supported,
        "score": round(verdict.score, 4),
        "sentences": [
            {"text": s.text, "supported": s.supported, "score": round(s.score, 4), "reason": s.reason}
            for s in verdict.sentences
        ],
    }


@click.command("check")
@click.option("--embed/--no-embed", default=False, show_default=True,
              help="Also align sentences by embedding (loads the default embedder) so paraphrases pass.")
@click.option("--threshold", type=float, default=None,
              help="Support a sentence needs (default: the guard's DEFAULT_THRESHOLD).")
def check_command(embed: bool, threshold: float | None) -> None:
    """Check summaries against their sources (JSON Lines on stdin, verdicts on stdout)."""
    embedder = None
    if embed:
        from tidings.stories.embed import get_embedder

        embedder = get_embedder()
    failures = run_lines(lambda r: check_record(r, embedder, threshold), stdin=sys.stdin, stdout=sys.stdout)
    if failures:
        click.echo(f"{failures} line(s) failed", err=True)
        sys.exit(1)
