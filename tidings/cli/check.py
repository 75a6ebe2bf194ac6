"""``tidings check``: run the faithfulness guard over JSON Lines.

Each input line is ``{"id", "sources": [article objects or plain strings],
"summary": "..." or ["sentence", ...]}``; ``articles`` may stand for ``sources``, and the
summary may be what ``tidings summarize`` writes (its line, or its ``sentences``), so a
story line merged with its summary line is checked as it is. Each output line is ``{"id",
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


SUMMARY_FORMS = ("'summary' must be a string, a list of sentences (strings or {\"text\"} objects), or a "
                 "summary as `tidings summarize` writes it ({\"sentences\": [...]})")


def summary_sentences(summary: Any) -> str | list[str]:
    """The sentences to check, from any form a summary comes in: a string, a list of strings, the
    ``sentences`` of ``tidings summarize`` (``[{"text", "cites"}]``) or its whole output line."""
    if isinstance(summary, dict):
        summary = summary.get("sentences")
    if isinstance(summary, str):
        return summary
    if isinstance(summary, list):
        out = []
        for sentence in summary:
            if isinstance(sentence, dict):
                sentence = sentence.get("text")
            if not isinstance(sentence, str):
                raise LineError(SUMMARY_FORMS)
            out.append(sentence)
        return out
    raise LineError(SUMMARY_FORMS if summary is not None else "no 'summary' (nor 'sentences') to check")


def check_record(record: Record, embedder: Any = None, threshold: float | None = None) -> Record:
    """Check one input record; raises :class:`LineError` for a malformed one.

    At most ``[limits] summary_sentences`` sentences are checked (the guard compares each with
    every source sentence); any further sentence is answered unsupported, with the reason."""
    from tidings.summarize.guard import DEFAULT_THRESHOLD, check_summary, split_sentences
    from tidings.text.bounds import bound_lead, bound_text, limits

    sources = record.get("sources", record.get("articles"))
    if not isinstance(sources, list) or not sources:
        raise LineError("'sources' (or 'articles') must be a non-empty list")
    summary = summary_sentences(record.get("summary", record if "sentences" in record else None))
    texts = [bound_text(source_text(s)) or "" for s in sources]
    if isinstance(summary, str):
        sentences = split_sentences(bound_text(summary) or "")
    else:
        sentences = [b for b in (bound_lead(s) or "" for s in summary) if b.strip()]
    cap = limits().summary_sentences
    verdict = check_summary(sentences[:cap], texts, embedder=embedder,
                            threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
    answered = [{"text": s.text, "supported": s.supported, "score": round(s.score, 4), "reason": s.reason}
                for s in verdict.sentences]
    unchecked = f"not checked: a summary is checked up to its first {cap} sentences ([limits] summary_sentences)"
    answered += [{"text": s, "supported": False, "score": 0.0, "reason": unchecked} for s in sentences[cap:]]
    checked = min(cap, len(sentences))
    return {
        "id": record.get("id"),
        "supported": verdict.supported and len(sentences) <= cap,
        "score": round(verdict.score * checked / len(sentences), 4) if sentences else round(verdict.score, 4),
        "sentences": answered,
    }


@click.command("check")
@click.option("--embed/--no-embed", default=False, show_default=True,
              help="Also align sentences by embedding (loads the default embedder) so paraphrases pass.")
@click.option("--threshold", type=float, default=None,
              help="Support a sentence needs (default: the guard's DEFAULT_THRESHOLD).")
def check_command(embed: bool, threshold: float | None) -> None:
    """Check summaries against their sources (JSON Lines on stdin, verdicts on stdout).

    \b
    Input, one a line: {"id", "sources": [article or string, ...], "summary"}
      "articles" may stand for "sources"; the summary is a string, a list of sentences,
      or what `tidings summarize` writes, so a story line merged with its summary checks as is.
    Output: {"id", "supported", "score", "sentences": [{"text", "supported", "score", "reason"}]}

    \b
    Example:
      $ echo '{"id": "x", "sources": ["Halvard began building in Aragon on Monday."], "summary": "Halvard began building in Aragon."}' | tidings check
      {"id": "x", "supported": true, "score": 1.0, "sentences": [{"text": "Halvard began building in Aragon.", "supported": true, "score": 1.0, "reason": null}]}
    and after `tidings summarize`, story and summary together:
      $ jq -c -s '.[0] + .[1]' story.jsonl summary.jsonl | tidings check
    """
    embedder = None
    if embed:
        from tidings.stories.embed import get_embedder

        embedder = get_embedder()
    failures = run_lines(lambda r: check_record(r, embedder, threshold), stdin=sys.stdin, stdout=sys.stdout)
    if failures:
        click.echo(f"{failures} line(s) failed", err=True)
        sys.exit(1)
