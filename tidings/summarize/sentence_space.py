"""A story's sentences as the extractive summarizer reads them: each article's text split, cleaned
(:mod:`~tidings.summarize.cleanup`), stemmed and turned into concepts, an English sentence also in its
compressed version, and every sentence given a row in its language's TF-IDF space; then when two of them say
one thing (:func:`redundant`). Pure functions over the articles: choosing among the sentences is
:mod:`~tidings.summarize.selection`'s job."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tidings.records import Article
from tidings.summarize.cleanup import compress_sentence, reject_reason, strip_sentence, word_count
from tidings.summarize.extractive_config import ExtractiveConfig
from tidings.summarize.headline import clean_headline, is_title
from tidings.summarize.redundancy import retells, same_fact, same_numbers
from tidings.summarize.sentence_words import concepts_of, loose_concepts_of, stems, unigram_concepts_of
from tidings.text.sentences import split_sentences

_QUOTE = re.compile(r"[\"“”«»„]|``|''")


@dataclass(slots=True)
class Sentence:
    """One sentence of a story as the summarizer reads it (or the compressed version of one)."""

    article: int  # index into the story's articles
    index: int  # position among that article's sentences (headlines pasted into the text not counted)
    text: str
    words: int
    language: str
    stems: list[str]
    row: int = -1  # this sentence's row in its language's TF-IDF space
    concepts: frozenset[tuple[str, str]] = frozenset()
    candidate: bool = False
    salience: float = 0.0
    number: int = -1  # its number among the sentences the splitter found in the article's text
    original: str | None = None  # for a compressed version, the sentence as the article has it


@dataclass(slots=True)
class Space:
    """TF-IDF rows (unit length, sparse) of every sentence of one language."""

    matrix: Any  # scipy.sparse.csr_matrix, one row per sentence in ``members`` order
    members: list[Sentence]

    def row(self, r: int) -> tuple[Any, Any]:
        """Row ``r``'s column indices and values (views into ``matrix``, nothing copied)."""
        start, end = self.matrix.indptr[r], self.matrix.indptr[r + 1]
        return self.matrix.indices[start:end], self.matrix.data[start:end]


def analyse(articles: Sequence[Article], langs: Sequence[str], main: str | None,
            config: ExtractiveConfig) -> tuple[list[Sentence], dict[str, Space]]:
    """Every sentence of the story's articles (candidates: main-language ones that pass cleanup, and their
    compressed versions), and one TF-IDF space per language."""
    sentences: list[Sentence] = []
    titles = [clean_headline(article.title) for article in articles if article.title.strip()]
    for a, (article, lang) in enumerate(zip(articles, langs, strict=True)):
        index = 0
        for number, raw in enumerate(split_sentences(article.text, lang)):
            text = strip_sentence(raw)
            if not text or is_title(text, titles):
                continue  # a headline pasted into the text is a title, not a sentence of it
            st = stems(text, lang)
            s = Sentence(article=a, index=index, text=text, words=word_count(text), language=lang, stems=st,
                          number=number)
            index += 1
            s.candidate = lang == main and reject_reason(text, config.min_words, config.max_words) is None
            if s.candidate and not config.quotes and _QUOTE.search(text):
                s.candidate = False
            s.concepts = sentence_concepts(text, st, lang, config)
            sentences.append(s)
            short = compress_sentence(text, lang, config.compress) if config.compress and lang == main else text
            if short != text:
                # the shorter version competes with the sentence it came from; at most one of them is chosen
                v = Sentence(article=a, index=s.index, text=short, words=word_count(short), language=lang,
                              stems=stems(short, lang), number=number, original=text)
                v.candidate = reject_reason(short, config.min_words, config.max_words) is None and (
                    config.quotes or not _QUOTE.search(short))
                v.concepts = sentence_concepts(short, v.stems, lang, config)
                sentences.append(v)
    spaces: dict[str, Space] = {}
    by_lang: dict[str, list[Sentence]] = defaultdict(list)
    for s in sentences:
        by_lang[s.language].append(s)
    for lang, group in by_lang.items():
        spaces[lang] = _space(group)
    return sentences, spaces


def sentence_concepts(text: str, stemmed: list[str], lang: str, config: ExtractiveConfig) -> frozenset[tuple[str, str]]:
    found = concepts_of(stemmed) if config.concepts == "content" else loose_concepts_of(text, lang)
    return found | unigram_concepts_of(stemmed) if config.unigram_weight else found


def full_words(s: Sentence) -> int:
    return word_count(s.original) if s.original is not None else s.words


def twins(a: Sentence, b: Sentence) -> bool:
    """``a`` and ``b`` are one sentence of one article (a sentence and its compressed version)."""
    return a.article == b.article and a.number == b.number


def _space(group: list[Sentence]) -> Space:
    import numpy as np
    from scipy.sparse import csr_matrix

    df: Counter[str] = Counter()
    per_article: dict[int, set[str]] = defaultdict(set)
    for s in group:
        per_article[s.article].update(t for t in s.stems if t)
    for terms in per_article.values():
        df.update(terms)
    n = len(per_article) + 1
    vocab = {t: j for j, t in enumerate(df)}
    idf = np.array([math.log(n / df[t]) + 1.0 for t in vocab], dtype=np.float64)
    rows, cols, vals = [], [], []
    for r, s in enumerate(group):
        s.row = r
        for t, c in Counter(t for t in s.stems if t).items():
            rows.append(r)
            cols.append(vocab[t])
            vals.append((1.0 + math.log(c)) * idf[vocab[t]])
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(group), max(1, len(vocab))), dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = csr_matrix(matrix.multiply(1.0 / norms[:, None]))
    return Space(matrix=matrix, members=group)


def title_concepts(articles: Sequence[Article], langs: Sequence[str], main: str | None,
                   config: ExtractiveConfig) -> dict[int, frozenset[tuple[str, str]]]:
    """The concepts of each main-language article's headline, by article index."""
    out: dict[int, frozenset[tuple[str, str]]] = {}
    for a, (article, lang) in enumerate(zip(articles, langs, strict=True)):
        if lang == main and article.title.strip():
            title = clean_headline(article.title)
            out[a] = sentence_concepts(title, stems(title, lang), lang, config)
    return out


def cosine(space: Space, a: Sentence, b: Sentence) -> float:
    """The cosine of two sentences' rows: the products of their shared columns, in column order,
    summed as scipy sums ``matrix[a].multiply(matrix[b])`` (the same float, without building two
    sparse matrices a pair)."""
    import numpy as np

    cols_a, vals_a = space.row(a.row)
    cols_b, vals_b = space.row(b.row)
    _, ia, ib = np.intersect1d(cols_a, cols_b, assume_unique=True, return_indices=True)
    return float(np.sum(vals_a[ia] * vals_b[ib]))


def redundant(space: Space, a: Sentence, b: Sentence, config: ExtractiveConfig,
              similarity: float | None = None) -> bool:
    """``b`` would repeat ``a``: one sentence in two versions, close TF-IDF vectors (``similarity`` when it is
    already known), one fact restated, most of one's words said again (:func:`retells`) or three of its
    numbers given again (:func:`same_numbers`)."""
    similarity = cosine(space, a, b) if similarity is None else similarity
    return (twins(a, b) or similarity > config.redundancy_threshold
            or same_fact(a.text, b.text, a.language, config.fact_overlap)
            or retells(a.stems, b.stems, config.retell_words, config.retell_share)
            or same_numbers(a.text, b.text, a.language, config.retell_numbers))
