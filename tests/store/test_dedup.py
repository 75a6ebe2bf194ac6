"""Dedup at ingest on a real database: one canonical URL is one article, edits keep
history, exact and near-duplicate copies are linked while each outlet keeps its row."""

import random

from sqlalchemy import func, select

from tidings.config import DedupConfig
from tidings.dedup.fingerprint import fingerprint, jaccard, shingles, words
from tidings.dedup.record import record_article
from tidings.records import ExtractedArticle
from tidings.store.models import Article, ArticleVersion, Source

WIRE = (
    "Lumen Labs released Aurora-7B on Tuesday, an open-weight language model that the Paris company says "
    "matches closed systems twice its size on reasoning benchmarks. The weights are published under an "
    "Apache 2.0 licence, and the company said a larger model would follow in the spring. Chief executive "
    "Mara Ilves told reporters that European developers should not have to send their data abroad to use "
    "capable models. Researchers who tested early versions said the model ran on a single consumer graphics "
    "card. The release comes a week after regulators in Brussels published draft guidance on general-purpose "
    "models, which open-source developers had criticised as vague."
)


def _source(session, url):
    s = Source(url=url, name=url, kind="feed", authority=0.5, consecutive_errors=0, active=True)
    session.add(s)
    session.flush()
    return s.id


def _item(url, text, title="Lumen Labs releases Aurora-7B"):
    return ExtractedArticle(url=url, canonical_url=url, title=title, text=text, language="en")


def test_fingerprint_near_copy_scores_above_threshold_and_different_text_below():
    edited = WIRE.replace("on Tuesday", "on Tuesday morning") + " Read more at our partner site."
    other = ("Regulators in Madrid fined a delivery company for using an opaque algorithm to assign shifts, "
             "the first such penalty under the new platform-work law, officials said on Monday. ") * 2
    a, b, c = (set(shingles(words(t), 5)) for t in (WIRE, edited, other))
    assert jaccard(a, b) >= 0.85 > jaccard(a, c)
    fa, fb, fc = (fingerprint(t) for t in (WIRE, edited, other))
    assert set(fa.bands) & set(fb.bands)
    assert not set(fa.bands) & set(fc.bands)


def test_record_new_update_unchanged_and_history(store):
    cfg = DedupConfig()
    with store.transaction() as s:
        sid = _source(s, "https://a.example/feed")
        r1 = record_article(s, _item("https://a.example/1", WIRE), source_id=sid, guid="g1", dedup=cfg)
    assert r1.status == "new" and r1.copy_kind is None
    with store.transaction() as s:
        r2 = record_article(s, _item("https://a.example/1", WIRE), source_id=sid, guid="g1", dedup=cfg)
    assert r2.status == "unchanged" and r2.article_id == r1.article_id
    with store.transaction() as s:
        r3 = record_article(s, _item("https://a.example/1", WIRE + " Update: the company corrected a figure.",
                                     title="Lumen Labs releases Aurora-7B (updated)"), source_id=sid, guid="g1",
                            dedup=cfg)
    assert r3.status == "updated" and r3.article_id == r1.article_id
    with store.reading() as s:
        art = s.get(Article, r1.article_id)
        assert art.version == 2 and art.title.endswith("(updated)")
        old = s.scalars(select(ArticleVersion).where(ArticleVersion.article_id == art.id)).all()
        assert [(v.version, v.title) for v in old] == [(1, "Lumen Labs releases Aurora-7B")]
        assert s.scalar(select(func.count(Article.id))) == 1


def test_feed_teaser_never_replaces_page_text(store):
    cfg = DedupConfig()
    with store.transaction() as s:
        sid = _source(s, "https://a.example/feed")
        r1 = record_article(s, _item("https://a.example/1", WIRE), source_id=sid, guid=None, dedup=cfg)
    teaser = ExtractedArticle(url="https://a.example/1", canonical_url="https://a.example/1", title="t",
                              text="Short teaser.", text_source="feed")
    with store.transaction() as s:
        r2 = record_article(s, teaser, source_id=sid, guid=None, dedup=cfg)
    assert r2.status == "unchanged"
    with store.reading() as s:
        assert s.get(Article, r1.article_id).text == WIRE


def test_exact_and_near_copies_link_to_the_original_and_keep_attribution(store):
    cfg = DedupConfig()
    rng = random.Random(3)
    with store.transaction() as s:
        a, b, c, d = (_source(s, f"https://{n}.example/feed") for n in "abcd")
        orig = record_article(s, _item("https://a.example/wire", WIRE), source_id=a, guid=None, dedup=cfg)
        exact = record_article(s, _item("https://b.example/copy", WIRE, title="Another headline"),
                               source_id=b, guid=None, dedup=cfg)
        near_text = WIRE.replace("told reporters", "told journalists") + " Photo: Lumen Labs."
        near = record_article(s, _item("https://c.example/syndicated", near_text), source_id=c, guid=None,
                              dedup=cfg)
        words_ = WIRE.split()
        rng.shuffle(words_)
        unrelated = record_article(s, _item("https://d.example/other", " ".join(words_)), source_id=d, guid=None,
                                   dedup=cfg)
    assert (exact.copy_kind, exact.copy_of_id) == ("exact", orig.article_id)
    assert (near.copy_kind, near.copy_of_id) == ("near", orig.article_id)
    assert unrelated.copy_kind is None
    with store.reading() as s:
        rows = {x.canonical_url: x for x in s.scalars(select(Article))}
        assert len(rows) == 4  # every outlet keeps its own article row
        assert rows["https://c.example/syndicated"].source.url == "https://c.example/feed"
        assert rows["https://c.example/syndicated"].copy_similarity >= 0.85


def test_short_texts_are_never_called_copies(store):
    cfg = DedupConfig()
    with store.transaction() as s:
        sid = _source(s, "https://a.example/feed")
        r1 = record_article(s, _item("https://a.example/1", "Read the full story on our site."), source_id=sid,
                            guid=None, dedup=cfg)
        r2 = record_article(s, _item("https://a.example/2", "Read the full story on our site."), source_id=sid,
                            guid=None, dedup=cfg)
    assert r1.copy_kind is None and r2.copy_kind is None
