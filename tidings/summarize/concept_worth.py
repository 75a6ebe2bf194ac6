"""What each concept of a story is worth to its summary: in a story of two or more articles the learned
model's worth (:mod:`~tidings.summarize.concept_weights`, from where and how widely the articles mention it),
or the counted one (``concept_model="counts"``); in a one-article story, how often it comes back. Also the
feature rows and concepts that ``benchmarks/duc.py --fit`` fits the model on."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache

from tidings.records import Article
from tidings.summarize.concept_weights import (
    COEFFICIENTS,
    INTERCEPT,
    Mention,
    concept_features,
    learned_weights,
    share_bar,
)
from tidings.summarize.extractive_config import DEFAULT_CONFIG, ExtractiveConfig
from tidings.summarize.sentence_space import Sentence, analyse, sentence_concepts, title_concepts
from tidings.summarize.sentence_words import stem_word, stems, stopwords
from tidings.summarize.story_language import article_language, story_languages
from tidings.text import WORD


def _capitals(text: str, language: str) -> frozenset[str]:
    """Stems of the capitalised words of a sentence, its first word not counted."""
    lang = (language or "en")[:2]
    found = [m.group(0) for m in WORD.finditer(text)][1:]
    return frozenset(stem_word(w.lower().replace("’", "'"), lang) for w in found if w[:1].isupper())


@lru_cache(maxsize=32)
def _stemmed_stopwords(language: str) -> frozenset[str]:
    """A language's stop words as stems (built once per language, not once per story)."""
    return frozenset(stem_word(w, language[:2]) for w in stopwords(language))


def concept_rows(main_sentences: Sequence[Sentence], n_articles: int,
                 titles: dict[int, frozenset[tuple[str, str]]]) -> dict[tuple[str, str], list[float]]:
    """The learned model's feature rows (``concept_weights.FEATURES``) for a story's main-language sentences."""
    originals = [s for s in main_sentences if s.original is None]
    lang = originals[0].language if originals else "en"
    mentions = [Mention(article=s.article, index=s.index, concepts=s.concepts, capitals=_capitals(s.text, lang))
                for s in originals]
    return concept_features(mentions, n_articles, titles, _stemmed_stopwords(lang))


def story_concept_rows(articles: Sequence[Article], config: ExtractiveConfig = DEFAULT_CONFIG
                       ) -> tuple[str | None, int, dict[tuple[str, str], list[float]]]:
    """A story's main language, its number of articles in that language and the learned model's feature rows of
    its concepts (for fitting the model)."""
    articles = list(articles)
    langs = [article_language(a) for a in articles]
    main, _ = story_languages(articles, langs)
    sentences, _ = analyse(articles, langs, main, config)
    main_sentences = [s for s in sentences if s.language == main]
    n_main = len({s.article for s in main_sentences})
    return main, n_main, concept_rows(main_sentences, n_main, title_concepts(articles, langs, main, config))


def text_concepts(text: str, language: str | None,
                  config: ExtractiveConfig = DEFAULT_CONFIG) -> frozenset[tuple[str, str]]:
    """The concepts of any text (a reference summary, when fitting the model), as sentences' concepts are made."""
    lang = (language or "en")[:2]
    return sentence_concepts(text, stems(text, lang), lang, config)


def concept_worth(main_sentences: Sequence[Sentence], n_articles: int, config: ExtractiveConfig,
                  titles: dict[int, frozenset[tuple[str, str]]] | None = None) -> dict[tuple[str, str], float]:
    if n_articles > 1 and config.concept_model == "learned":
        coefficients = config.learned_coefficients or (INTERCEPT, *COEFFICIENTS)
        weights = learned_weights(concept_rows(main_sentences, n_articles, titles or {}), n_articles,
                                  min_df=config.learned_min_df, min_df_fraction=config.learned_df_fraction,
                                  scale=config.learned_scale,
                                  floor=config.learned_floor, power=config.learned_power,
                                  intercept=coefficients[0], coefficients=coefficients[1:])
        if config.learned_unigram != 1.0:
            weights = {c: (w * config.learned_unigram if c[1] == "" else w) for c, w in weights.items()}
        return weights
    if n_articles <= 1:
        # one article: a concept's worth is how often it comes back in the text
        counts: Counter[tuple[str, str]] = Counter()
        for s in main_sentences:
            if s.original is None:
                counts.update(s.concepts)
        return {c: float(k) for c, k in counts.items()}
    df: Counter[tuple[str, str]] = Counter()
    early: Counter[tuple[str, str]] = Counter()
    per_article: dict[int, set[tuple[str, str]]] = defaultdict(set)
    per_article_early: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for s in main_sentences:
        per_article[s.article].update(s.concepts)
        if s.index < 3:
            per_article_early[s.article].update(s.concepts)
    for concepts in per_article.values():
        df.update(concepts)
    for concepts in per_article_early.values():
        early.update(concepts)
    threshold = share_bar(df, n_articles, config.min_df, config.min_df_fraction)
    kept = {c: float(k) + config.lead_concept_boost * early[c] for c, k in df.items() if k >= threshold}
    if config.unigram_weight:
        kept = {c: (w * config.unigram_weight if c[1] == "" else w) for c, w in kept.items()}
    return kept
