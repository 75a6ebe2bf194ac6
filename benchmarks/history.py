"""A store with a long history: ``seed_history`` bulk-inserts N older articles (two a story,
from 40 outlets, with vectors, near-duplicate band keys, section vectors and summaries marked
done) dated before the newsstand a benchmark is about to ingest, so the update runs against a
store of that size. The history lies outside the clusterer's window (as it does for a store
that has run for months at a steady rate): it is what a long-running store adds to each
update, nothing more.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np

PER_DAY = 1000  # articles a day: 100,000 stored articles are about a quarter of a year


def seed_history(store, articles: int, before: datetime, seed: int = 3) -> None:  # store: tidings.store.db.Store
    from tidings.dedup.fingerprint import lsh_params
    from tidings.store.models import Article, ArticleBand, Source, Story

    rng = random.Random(seed)
    vectors = np.random.default_rng(seed)
    bands, _ = lsh_params(0.85, 128)
    words = ("market rates court ruling launch satellite election vote model open source chip factory storm "
             "flood energy grid policy trade tariff health vaccine research robot startup funding").split()
    with store.transaction() as s:
        s.execute(Source.__table__.insert(), [
            {"id": 90_000 + i, "url": f"https://history{i}.example/feed", "homepage": f"https://history{i}.example/",
             "name": f"History outlet {i}", "language": "en", "authority": 0.5, "active": False}
            for i in range(40)])
    batch = 5_000
    for start in range(0, articles, batch):
        stories, rows, band_rows = [], [], []
        for n in range(start, min(articles, start + batch)):
            when = before - timedelta(days=n / PER_DAY, minutes=rng.randint(0, 600))
            story_id = f"hist{n // 2:012d}"
            title = " ".join(rng.choice(words) for _ in range(8)).capitalize()
            if n % 2 == 0:
                stories.append({"id": story_id, "title": title, "section": "World", "article_count": 2,
                                "outlet_count": 2, "languages": ["en"], "language": "en", "first_published": when,
                                "last_published": when, "created_at": when, "updated_at": when, "state": {},
                                "needs_summary": False,
                                "section_vector": _unit(vectors, 384).tobytes()})
            article_id = 1_000_000 + n
            rows.append({"id": article_id, "canonical_url": f"https://history{n % 40}.example/{n}",
                         "url": f"https://history{n % 40}.example/{n}", "source_id": 90_000 + n % 40,
                         "title": title, "text": (title + ". ") * 30, "language": "en",
                         "content_hash": f"history-{n}", "published_at": when, "first_seen_at": when,
                         "updated_at": when, "story_id": story_id, "embedding": _unit(vectors, 384).tobytes(),
                         "embedding_model": "multilingual-e5-small", "embedded_version": 1})
            band_rows += [{"article_id": article_id, "band": b, "key": rng.getrandbits(62)} for b in range(bands)]
        with store.transaction() as s:
            s.execute(Story.__table__.insert(), stories)
            s.execute(Article.__table__.insert(), rows)
            s.execute(ArticleBand.__table__.insert(), band_rows)


def _unit(rng: np.random.Generator, dim: int) -> np.ndarray:
    v = rng.standard_normal(dim).astype("<f4")
    return v / np.linalg.norm(v)
