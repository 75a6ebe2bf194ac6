"""A story's languages: each article's (as tagged, else identified) and the main one (most outlets, then most
articles, then first seen), the language its headline and summary are written in."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from tidings.records import Article


def detect_language(text: str) -> str | None:
    """The best guess at ``text``'s language (no confidence floor), from the one shared identifier."""
    from tidings.text.language import detect_language as identify

    return identify(text, min_confidence=0.0)


def article_language(article: Article) -> str:
    if article.language:
        return article.language.split("-")[0].split("_")[0].lower()
    return detect_language(f"{article.title}. {article.text}") or "en"


def story_languages(articles: Sequence[Article], langs: Sequence[str] | None = None) -> tuple[str | None, list[str]]:
    """The story's main language (most outlets; then most articles; then first seen) and all its languages."""
    langs = list(langs) if langs is not None else [article_language(a) for a in articles]
    if not langs:
        return None, []
    outlets: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter(langs)
    first: dict[str, int] = {}
    for i, (article, lang) in enumerate(zip(articles, langs, strict=True)):
        outlets[lang].add(article.source or article.url and _host(article.url) or f"#{article.id}")
        first.setdefault(lang, i)
    ordered = sorted(counts, key=lambda lang: (-len(outlets[lang]), -counts[lang], first[lang]))
    return ordered[0], ordered


def _host(url: str) -> str:
    match = re.match(r"(?i)^[a-z]+://([^/]+)", url)
    host = match.group(1).lower() if match else url
    return host[4:] if host.startswith("www.") else host
