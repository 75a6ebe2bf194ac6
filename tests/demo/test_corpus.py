"""The bundled demo corpus loads, validates and has the shape the demo and the tests rely on."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timezone

import pytest
from datasketch import MinHash

from tidings.demo.corpus import jaccard, load_corpus, parse_article, shingles, validate_corpus


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_corpus_validates(corpus):
    assert validate_corpus(corpus) == []


def test_counts_and_languages(corpus):
    assert 10 <= len(corpus.outlets) <= 14
    assert 70 <= len(corpus.articles) <= 90
    assert 18 <= len(corpus.truth.events) <= 24
    languages = Counter(a.language for a in corpus.articles)
    assert set(languages) == {"en", "fr", "de", "es"}
    assert all(count >= 5 for count in languages.values())
    assert {o.language for o in corpus.outlets} == {"en", "fr", "de", "es"}


def test_outlets_have_their_fields(corpus):
    for outlet in corpus.outlets:
        assert outlet.name and outlet.slug and len(outlet.country) == 2
        assert 0.0 < outlet.authority <= 1.0
    formats = Counter(o.feed_format for o in corpus.outlets)
    assert formats["sitemap"] == 1 and formats["broken-rss2"] == 1
    assert {"rss2", "atom", "jsonfeed", "rss1"} <= set(formats)
    assert {o.full_content for o in corpus.outlets if o.has_feed} == {True, False}
    assert len([o for o in corpus.outlets if o.disallow]) == 1


def test_every_article_in_ground_truth_and_events_sized(corpus):
    event_of = corpus.truth.event_of()
    assert set(event_of) == {a.id for a in corpus.articles}
    by_id = {a.id: a for a in corpus.articles}
    multilingual = 0
    for event in corpus.truth.events:
        assert 2 <= len(event.articles) <= 8, event.id
        outlets = [by_id[a].outlet for a in event.articles]
        assert len(set(outlets)) == len(outlets), f"{event.id}: two articles from one outlet"
        if len({by_id[a].language for a in event.articles}) >= 2:
            multilingual += 1
    assert multilingual >= 8


def test_dates_in_november_2026_before_now(corpus):
    for article in corpus.articles:
        assert article.published.year == 2026 and article.published.month == 11
        assert article.published < corpus.now
        assert article.published.tzinfo is not None


def test_article_lengths(corpus):
    for article in corpus.articles:
        assert 120 <= article.word_count <= 400, article.id
        assert len(article.paragraphs) >= 4, article.id


def test_syndicated_copies_are_near_identical(corpus):
    by_id = {a.id: a for a in corpus.articles}
    assert len(corpus.truth.syndicated) >= 4
    for group in corpus.truth.syndicated:
        assert 2 <= len(group) <= 3
        assert len({by_id[a].outlet for a in group}) == len(group)
        assert len({by_id[a].title for a in group}) == len(group), "copies carry another headline"
        for x, y in itertools.combinations(group, 2):
            assert jaccard(shingles(by_id[x].text), shingles(by_id[y].text)) >= 0.85, (x, y)


def _minhash(text: str) -> MinHash:
    m = MinHash(num_perm=128, seed=1)
    for shingle in shingles(text):
        m.update(" ".join(shingle).encode("utf-8"))
    return m


def test_distinct_articles_stay_below_copy_threshold(corpus):
    """No two articles outside one syndication group look like copies, exactly or by MinHash."""
    group_of = corpus.truth.copy_group_of()
    sets = {a.id: shingles(a.text) for a in corpus.articles}
    hashes = {a.id: _minhash(a.text) for a in corpus.articles}
    for x, y in itertools.combinations(sets, 2):
        if x in group_of and group_of.get(x) == group_of.get(y):
            assert hashes[x].jaccard(hashes[y]) >= 0.75, (x, y)
            continue
        assert jaccard(sets[x], sets[y]) < 0.3, (x, y)
        assert hashes[x].jaccard(hashes[y]) < 0.5, (x, y)


def test_confusable_events_are_distinct_but_share_words(corpus):
    events = {e.id: e for e in corpus.truth.events}
    by_id = {a.id: a for a in corpus.articles}
    assert len(corpus.truth.confusable) >= 4

    def words(event_id: str) -> set[str]:
        return {w for a in events[event_id].articles if by_id[a].language == "en"
                for w in by_id[a].text.lower().split() if len(w) > 5}

    for first, second in corpus.truth.confusable:
        assert first != second and first in events and second in events
        assert len(words(first) & words(second)) >= 10, (first, second)


def test_feed_features_present(corpus):
    assert sum(1 for a in corpus.articles if a.tracking_query and "utm_" in a.tracking_query) == 1
    assert sum(1 for a in corpus.articles if a.alias_slug) == 1


def test_parse_article_rejects_bad_front_matter():
    with pytest.raises(ValueError):
        parse_article("no front matter here")
    with pytest.raises(ValueError, match="lacks"):
        parse_article('+++\nid = "x"\n+++\nbody')
    art = parse_article(
        '+++\nid = "x"\noutlet = "o"\ntitle = "T"\nauthor = "A"\npublished = 2026-11-02T10:00:00Z\n'
        'language = "en"\nslug = "s"\n+++\nFirst  para\nwraps.\n\nSecond.\n'
    )
    assert art.paragraphs == ("First para wraps.", "Second.")
    assert art.published == datetime(2026, 11, 2, 10, tzinfo=timezone.utc)
    assert art.summary == "First para wraps."


def test_shingles_and_jaccard():
    assert shingles("a b c d e f", 5) == {("a", "b", "c", "d", "e"), ("b", "c", "d", "e", "f")}
    similar = jaccard(shingles("one two three four five six"), shingles("one two three four five seven"))
    assert similar == pytest.approx(1 / 3)
