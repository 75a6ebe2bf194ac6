"""A story's headline: one of its articles' titles, cleaned of the outlet's name, without clickbait, questions
or capitals, in the story's main language and covering its concepts; and whether a line of text is a title."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from tidings.records import Article
from tidings.summarize.redundancy import same_words
from tidings.summarize.sentence_words import concepts_of, stems

_CLICKBAIT = re.compile(
    r"(?i)\b(?:you won'?t believe|will blow your mind|here'?s (?:why|what|how)|this is (?:why|what|how)|"
    r"what happens next|things you|reasons why|everything you need to know|what we know|what you need to know|"
    r"you need to|must see|shocking|jaw-dropping|omg|wow|watch|video|photos|live|live updates|explained|"
    r"opinion|analysis|quiz|in pictures|the latest)\b"
)


_TITLE_SUFFIX = re.compile(r"\s+(?:[-–—|]|::)\s+[^-–—|]{2,40}$")


def clean_headline(title: str) -> str:
    """A headline without the outlet's name appended (" - Reuters", " | BBC News")."""
    title = " ".join(title.split())
    match = _TITLE_SUFFIX.search(title)
    if match and len(title[: match.start()].split()) >= 4:
        title = title[: match.start()]
    return title.strip()


def headline_penalty(title: str) -> float:
    """How unsuitable a headline is: questions, clickbait, ALL CAPS, too short or too long."""
    penalty = 0.0
    words = title.split()
    if title.rstrip().endswith("?") or title.startswith("¿"):
        penalty += 2.0
    if "!" in title:
        penalty += 1.0
    if _CLICKBAIT.search(title):
        penalty += 1.5
    if re.match(r"^\d+\s+(?:\w+\s+)?(?:things|ways|reasons|facts|signs|tips)\b", title, re.I):
        penalty += 1.5
    letters = [c for c in title if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.7 * len(letters):
        penalty += 2.0
    if len(words) < 4:
        penalty += 1.0
    if len(words) > 20:
        penalty += 0.5
    if title.endswith(("...", "…")):
        penalty += 0.5
    return penalty


def pick_headline(articles: Sequence[Article], langs: Sequence[str], main: str | None,
                  weights: dict[tuple[str, str], float]) -> str:
    best, best_score = "", -math.inf
    top = max(weights.values(), default=1.0) or 1.0
    for article, lang in zip(articles, langs, strict=True):
        if not article.title.strip():
            continue
        title = clean_headline(article.title)
        concepts = concepts_of(stems(title, lang))
        info = sum(weights.get(c, 0.0) for c in concepts) / top
        score = (0.0 if lang == main else -3.0) + min(info, 3.0) - headline_penalty(title)
        if score > best_score:
            best, best_score = title, score
    return best


def is_title(text: str, titles: Sequence[str]) -> bool:
    """``text`` is one of the story's headlines (pasted into an article's text), not a sentence of it."""
    return any(same_words(text, title) for title in titles if title)
