"""Writing a story's summary with a model, kept honest by the guard.

:func:`summarize_with_llm` asks the model for JSON (sentences, each with the numbers of the articles
that support it; :mod:`.prompts`), reads the answer (:mod:`.answers`: reasoning, markdown debris and
"As an AI" phrasing stripped, an answer cut short salvaged), runs the faithfulness guard on every
sentence against the articles it cites, and replaces a rejected sentence by the closest unused
extractive sentence. Any failure of the model (HTTP error, timeout, unreadable answer) falls back to
the extractive summary. What happened is set on the summary as fields (``StorySummary.llm``, an
:class:`.review.LLMReview`) and told in words in ``StorySummary.notes``. Optionally a model also acts
as an extra judge (:mod:`.judge`) that may reject sentences the guard accepted; it never overrules a
rejection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tidings.records import Article
from tidings.summarize.guard import build_index, check_sentence, content_stems
from tidings.summarize.llm.answers import AI_PHRASE, clean_sentence, parse_answer
from tidings.summarize.llm.clients import ChatClient, make_client
from tidings.summarize.llm.config import LLMError, llm_config
from tidings.summarize.llm.judge import llm_judge
from tidings.summarize.llm.prompts import article_text, build_messages
from tidings.summarize.llm.review import Fault, LLMReview, Rejected, guard_fault
from tidings.summarize.types import CitedSentence, StorySummary

MIN_SENTENCE_WORDS = 4  # a summary sentence says something: "...", "Valencia." or "Yes." do not
MIN_CONTENT_WORDS = 2  # distinct content words (stems) in a sentence, or in a headline


def too_thin(text: str, min_words: int = MIN_SENTENCE_WORDS) -> bool:
    """True when ``text`` has too little in it to publish: fewer than ``min_words`` words or fewer
    than :data:`MIN_CONTENT_WORDS` distinct content words. The guard finds nothing wrong in a
    sentence that claims nothing ("..." passes every check), so this is tested first."""
    words = re.findall(r"\w+", text)
    return len(words) < min_words or len(set(content_stems(text))) < MIN_CONTENT_WORDS


def _fallback(extractive: StorySummary, reason: str, model: str = "llm") -> StorySummary:
    extractive.notes.append(f"llm failed ({reason}); extractive summary used")
    extractive.llm = LLMReview(model, failure=reason)
    return extractive


def _closest_unused(text: str, pool: list[CitedSentence], used: set[str]) -> CitedSentence | None:
    want = set(content_stems(text))
    best, best_overlap = None, -1.0
    for cand in pool:
        if cand.text in used:
            continue
        overlap = len(want & set(content_stems(cand.text))) / (len(want) or 1)
        if overlap > best_overlap:
            best, best_overlap = cand, overlap
    return best


def summarize_with_llm(
    articles: Sequence[Article],
    client: ChatClient,
    words: int = 120,
    *,
    embedder: Any = None,
    extractive: StorySummary | None = None,
    judge: ChatClient | None = None,
) -> StorySummary:
    """A cited summary written by ``client``'s model and checked sentence by sentence.

    With ``judge`` (a chat client, possibly the same one), a sentence the guard
    accepts is also put to :func:`llm_judge`, which can reject it; a judge that
    fails leaves the guard's verdict standing, with a note.

    Rejected sentences are replaced by the closest unused sentence of the
    extractive summary (``extractive``, computed with
    :func:`~tidings.summarize.extractive.summarize_articles` when not given).
    ``method`` is ``"llm"`` when every sentence is the model's, ``"mixed"`` when
    some were replaced, ``"extractive"`` when the model failed or none passed.
    """
    articles = list(articles)
    if not articles:
        raise ValueError("a story needs at least one article")
    if extractive is None:
        from tidings.summarize.extractive import summarize_articles

        extractive = summarize_articles(articles, words=words, embedder=embedder)
    model = getattr(client, "name", "llm")
    try:
        raw = client.complete(build_messages(articles, words))
    except LLMError as exc:
        return _fallback(extractive, str(exc), model)
    except Exception as exc:  # a backend's own error must never stop the summary
        return _fallback(extractive, f"{exc.__class__.__name__}: {exc}", model)
    draft = parse_answer(raw)
    if not draft.sentences:
        return _fallback(extractive, "no sentences in the answer", model)
    review = LLMReview(model)
    notes = [f"llm {model} wrote the draft"]
    if draft.cleaned:
        notes.append("removed from the answer: " + ", ".join(draft.cleaned))
    indexes = {}
    all_index = build_index([article_text(a) for a in articles], embedder)
    pool = list(extractive.sentences)
    used: set[str] = set()
    out: list[CitedSentence] = []
    total = 0
    for number, item in enumerate(draft.sentences, start=1):
        text = clean_sentence(item.text)
        if not text:
            continue
        review.proposed += 1
        if total >= words:
            review.unchecked += 1
            continue
        reason, fault = None, Fault.OTHER
        if AI_PHRASE.search(text):
            reason, fault = "assistant phrasing", Fault.ASSISTANT
        elif too_thin(text):
            reason, fault = "too short to say anything", Fault.TOO_SHORT
        cited = sorted({n for n in item.articles if 1 <= n <= len(articles)})
        if reason is None and not cited:
            reason, fault = "cites no article", Fault.NO_CITATION
        if reason is None:
            key = tuple(cited)
            if key not in indexes:
                indexes[key] = build_index([article_text(articles[n - 1]) for n in cited], embedder)
            verdict = check_sentence(text, indexes[key], embedder=embedder)
            if verdict.supported and judge is not None:
                ok, why = llm_judge(judge, text, [article_text(articles[n - 1]) for n in cited])
                if ok is False:
                    verdict.supported, verdict.reason = False, f"llm judge: {why or 'unsupported'}"
                    fault = Fault.JUDGE
                elif ok is None:
                    notes.append(f"llm judge gave no verdict on sentence {number} ({why}); guard verdict kept")
            if verdict.supported:
                out.append(CitedSentence(text=text, cites=[articles[n - 1].id for n in cited], score=verdict.score))
                used.add(text)
                review.kept += 1
                total += len(text.split())
                continue
            reason = verdict.reason or "unsupported"
            if fault is not Fault.JUDGE:
                fault = guard_fault(reason)
        rejected = Rejected(number, fault, reason, text)
        review.rejected.append(rejected)
        replacement = _closest_unused(text, pool, used | {text})  # never put back what was just rejected
        if replacement is not None and total + len(replacement.text.split()) <= words + 10:
            out.append(replacement)
            used.add(replacement.text)
            rejected.replaced, rejected.replaced_by = True, replacement.source_article
            total += len(replacement.text.split())
            notes.append(f"llm sentence {number} rejected ({reason}); replaced by extractive sentence "
                         f"from article {replacement.source_article}: {text[:80]!r}")
        else:
            notes.append(f"llm sentence {number} rejected ({reason}); dropped: {text[:80]!r}")
    notes.append(f"llm proposed {review.proposed} sentences: {review.kept} kept by the guard, "
                 f"{len(review.rejected)} rejected, {review.unchecked} not checked (summary already full)")
    if review.kept == 0:
        extractive.llm = review
        extractive.notes.extend(notes)
        extractive.notes.append("no llm sentence passed the guard; extractive summary used")
        return extractive
    headline = extractive.headline
    if draft.headline:
        h = clean_sentence(draft.headline)
        verdict = check_sentence(h, all_index, embedder=embedder, threshold=0.0)
        if too_thin(h, min_words=2):
            notes.append(f"llm headline rejected (too short to say anything: {h[:40]!r}); extractive headline used")
        elif verdict.supported:
            headline, review.headline_kept = h, True
        else:
            notes.append(f"llm headline rejected ({verdict.reason}); extractive headline used")
    # the model's first checked sentence is the lead; the summary does not repeat it
    lead = out[0].text
    first = out[0].source_article
    notes.append("lead written by the llm" if first is None else f"lead taken from article {first} (extractive)")
    out = out[1:] or out
    return StorySummary(
        headline=headline,
        lead=lead,
        sentences=out,
        language=extractive.language,
        languages=list(extractive.languages),
        method="mixed" if any(r.replaced for r in review.rejected) else "llm",
        notes=notes,
        llm=review,
    )


def summarize_configured(
    articles: Sequence[Article], config: Any, words: int = 120, *, embedder: Any = None
) -> StorySummary:
    """The summary the configuration asks for: LLM-written (guarded) when ``[summarize.llm]``
    is set, extractive otherwise. A client that cannot be built falls back with a note."""
    from tidings.summarize.extractive import summarize_articles

    extractive = summarize_articles(list(articles), words=words, embedder=embedder)
    try:
        settings = llm_config(config)
    except ValueError as exc:
        return _fallback(extractive, f"bad [summarize.llm] settings: {exc}")
    if settings is None:
        return extractive
    try:
        client = make_client(settings)
    except LLMError as exc:
        return _fallback(extractive, str(exc), settings.model or settings.model_path or "llm")
    try:
        return summarize_with_llm(articles, client, words, embedder=embedder, extractive=extractive)
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()
