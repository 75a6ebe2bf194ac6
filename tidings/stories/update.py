"""The stories stage of ``tidings update``: from stored articles to filed, tagged, ranked stories.

Reads the articles no story holds yet, embeds them in batches, places them one
by one with the online clusterer (loaded with the stories active in their time
window), attaches syndicated copies to their original's story, records merges
(the old story keeps its row and redirects), then files, tags, ranks and links
the stories that changed. The NLP steps are the pure functions of this package;
this module only moves data between them and the database, one transaction for
the placements so a crash leaves no half-placed batch.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select, update

from tidings.config import Config
from tidings.records import Article as ArticleRecord
from tidings.store.db import Store
from tidings.store.models import Article, Source, Story
from tidings.stories.sections import SECTION_CONTEXT, SectionClassifier, load_sections, section_text
from tidings.timeutil import utcnow

BATCH = 64
RANK_DAYS = 14  # stories whose latest article is older than this keep their last score
LEAD_CHARS = 600

ProgressHook = Callable[[str, dict[str, Any]], None]


def recent_section_vectors(store: Store, exclude: set[str] = frozenset(), dim: int = 0,
                           limit: int = SECTION_CONTEXT) -> np.ndarray:
    """The section vectors of the ``limit`` most recent live stories not in ``exclude``, one row each.

    Vectors of another width (written by another embedding model) are skipped."""
    rows: list[np.ndarray] = []
    with store.reading() as session:
        query = (select(Story.id, Story.section_vector)
                 .where(Story.merged_into.is_(None), Story.section_vector.is_not(None))
                 .order_by(Story.last_published.desc(), Story.id).execution_options(yield_per=500))
        for story_id, blob in session.execute(query):
            if story_id in exclude:
                continue
            vector = np.frombuffer(blob, dtype="<f4")
            if dim and vector.shape[0] != dim:
                continue
            rows.append(vector)
            if len(rows) >= limit:
                break
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, dim), dtype=np.float32)


@dataclass
class StoriesReport:
    placed: int = 0  # original articles placed by the clusterer
    copies: int = 0  # syndicated copies attached to their original's story
    new_stories: int = 0
    joined: int = 0
    merges: int = 0
    touched: int = 0  # stories whose articles changed
    ranked: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: Counter())

    def as_dict(self) -> dict[str, Any]:
        return {"placed": self.placed, "copies": self.copies, "new_stories": self.new_stories,
                "joined": self.joined, "merges": self.merges, "touched": self.touched, "ranked": self.ranked,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def _record(article: Article) -> ArticleRecord:
    return ArticleRecord(id=str(article.id), title=article.title or "", text=article.text or "",
                         published=article.published_at or article.first_seen_at, language=article.language,
                         url=article.canonical_url, source=article.source.name if article.source else None)


def cluster_config(config: Config):
    from tidings.stories.cluster import ClusterConfig

    return ClusterConfig.from_table(config.table("cluster"))


class StoriesUpdater:
    def __init__(self, config: Config, store: Store, progress: ProgressHook | None = None) -> None:
        self.config = config
        self.store = store
        self.progress = progress or (lambda _e, _i: None)
        self.report = StoriesReport()
        self.cluster_config = cluster_config(config)
        self._embedder = None

    @property
    def embedder(self):
        from tidings.stories.embed import get_embedder

        if self._embedder is None:
            self._embedder = get_embedder(self.cluster_config.embedder)
        return self._embedder

    # -- placing -------------------------------------------------------------------------------
    def place_new_articles(self) -> set[str]:
        """Cluster every unplaced original article and attach unplaced copies; returns touched story ids."""
        from tidings.stories.cluster import OnlineClusterer, StoryState, features_for

        started = time.perf_counter()
        with self.store.reading() as session:
            pending = list(session.scalars(
                select(Article).where(Article.story_id.is_(None), Article.copy_of_id.is_(None))
                .order_by(Article.published_at.is_(None), Article.published_at, Article.id)))
            records = [_record(a) for a in pending]
        self.progress("embed", {"count": len(records)})
        features = []
        for i in range(0, len(records), BATCH):
            features.extend(features_for(records[i:i + BATCH], self.embedder, self.cluster_config))
            self.progress("embedded", {"count": len(records[i:i + BATCH])})
        self.report.seconds["embed"] += time.perf_counter() - started

        started = time.perf_counter()
        clusterer = OnlineClusterer(self.cluster_config)
        dated = [f.published for f in features if f.published is not None]
        with self.store.reading() as session:
            query = select(Story).where(Story.merged_into.is_(None))
            if dated:
                low = min(dated) - timedelta(days=self.cluster_config.window_days + 1)
                query = query.where(or_(Story.last_published >= low, Story.last_published.is_(None)))
            for story in session.scalars(query):
                if story.state:
                    clusterer.add_story(StoryState.from_dict(story.state))
            for old, new in session.execute(select(Story.id, Story.merged_into).where(Story.merged_into.is_not(None))):
                clusterer.add_redirect(old, new)
        known = set(clusterer.stories)
        assigned: dict[int, tuple[str, float]] = {}
        for f in features:
            placement = clusterer.place(f)
            assigned[int(f.id)] = (placement.story_id, placement.score)
            if placement.is_new:
                self.report.new_stories += 1
            else:
                self.report.joined += 1
            self.progress("placed", {})
        merges = clusterer.drain_merges()
        self.report.placed = len(features)
        self.report.merges = len(merges)
        self.report.seconds["cluster"] += time.perf_counter() - started

        touched: set[str] = set()
        now = utcnow()
        vectors = {int(f.id): f.vector for f in features}
        placed_in = {clusterer.resolve(s) for s, _ in assigned.values()}
        with self.store.transaction() as session:
            for story_id, state in clusterer.stories.items():
                if story_id in known and story_id not in placed_in:
                    continue  # loaded, untouched
                row = session.get(Story, story_id)
                if row is None:
                    row = Story(id=story_id, created_at=now, title=state.title)
                    session.add(row)
                row.state = state.to_dict()
                row.updated_at = now
                touched.add(story_id)
            session.flush()
            for old, new in merges:
                survivor = clusterer.resolve(new)
                old_row = session.get(Story, old)
                if old_row is None:  # born and merged within this batch
                    old_row = Story(id=old, created_at=now, title="", state={})
                    session.add(old_row)
                    session.flush()
                old_row.merged_into = survivor
                old_row.state = {}
                session.execute(update(Story).where(Story.merged_into == old).values(merged_into=survivor))
                session.execute(update(Article).where(Article.story_id == old).values(story_id=survivor))
                touched.discard(old)
                touched.add(survivor)
            for article_id, (story_id, score) in assigned.items():
                article = session.get(Article, article_id)
                article.story_id = clusterer.resolve(story_id)
                article.story_score = score
                article.embedding = np.asarray(vectors[article_id], dtype="<f4").tobytes()
                article.embedding_model = self.embedder.name
                article.embedded_version = article.version
            session.flush()
            # syndicated copies join their original's story
            copies = list(session.scalars(select(Article).where(Article.story_id.is_(None),
                                                                Article.copy_of_id.is_not(None))))
            for copy in copies:
                original = session.get(Article, copy.copy_of_id)
                if original is not None and original.story_id is not None:
                    copy.story_id = original.story_id
                    touched.add(original.story_id)
                    self.report.copies += 1
        return touched

    # -- aggregates, sections, tags ------------------------------------------------------------
    def refresh_stories(self, story_ids: set[str]) -> None:
        """Recompute counts, dates, languages and the provisional title of each story."""
        with self.store.transaction() as session:
            for story_id in story_ids:
                story = session.get(Story, story_id)
                if story is None:
                    continue
                articles = list(session.scalars(select(Article).where(Article.story_id == story_id)))
                if not articles:
                    continue
                outlets = {a.source_id for a in articles if a.source_id is not None}
                dates = [a.published_at or a.first_seen_at for a in articles]
                langs = Counter(a.language for a in articles if a.language)
                before = (story.article_count, story.outlet_count)
                story.article_count = len(articles)
                story.outlet_count = len(outlets)
                story.first_published, story.last_published = min(dates), max(dates)
                story.languages = [lang for lang, _ in langs.most_common()]
                story.language = story.languages[0] if story.languages else None
                story.title = _best_title(articles)
                if (story.article_count, story.outlet_count) != before:
                    story.needs_summary = True

    def file_and_tag(self, story_ids: set[str]) -> None:
        from tidings.stories.tags import TagText, story_tags_for

        if not story_ids:
            return
        started = time.perf_counter()
        sections = load_sections(self.config.raw if "sections" in self.config.raw else None)
        classifier = SectionClassifier(sections, self.embedder)
        with self.store.reading() as session:
            stories = []
            for story_id in sorted(story_ids):
                articles = list(session.scalars(
                    select(Article).where(Article.story_id == story_id)
                    .order_by(Article.copy_of_id.is_not(None), Article.published_at, Article.id)))
                originals = [a for a in articles if a.copy_of_id is None] or articles
                if originals:
                    main = Counter(a.language for a in originals if a.language).most_common(1)
                    language = main[0][0] if main else None
                    stories.append((story_id, language, [
                        (a.title or "", (a.text or "")[:LEAD_CHARS]) for a in originals
                    ][:4], [TagText(a.title or "", a.text or "", a.language) for a in originals]))
        if not stories:
            return
        texts = [section_text(parts[0][0], "\n".join(t for _, t in parts)) for _, _, parts, _ in stories]
        vectors = classifier.embed(texts)
        # the prototypes adapt to this batch and to the recent stories' vectors (AG News: 0.834 -> 0.856
        # 8-shot in batches of 50 with context, docs/evaluation.md); they are not re-filed here
        context = recent_section_vectors(self.store, exclude={sid for sid, *_ in stories}, dim=vectors.shape[1])
        results = classifier.classify_vectors(vectors, adapt=True, context=context)
        self.report.seconds["sections"] += time.perf_counter() - started
        started = time.perf_counter()
        tags = {}
        for story_id, language, _, originals in stories:
            # the one path for tags (tidings tags runs it too): main-language articles, names first
            tags[story_id] = [{"name": t.name, "key": t.key, "kind": t.kind, "score": t.score}
                              for t in story_tags_for(originals, language)]
            self.progress("tagged", {})
        self.report.seconds["tags"] += time.perf_counter() - started
        with self.store.transaction() as session:
            for (story_id, _, _, _), result, vector in zip(stories, results, vectors):
                story = session.get(Story, story_id)
                story.section = result.section
                story.section_vector = np.asarray(vector, dtype="<f4").tobytes()
                story.section_scores = {k: round(float(v), 4) for k, v in result.scores.items()}
                story.tags = tags[story_id]

    # -- rank and similar ----------------------------------------------------------------------
    def rank_and_link(self) -> None:
        from tidings.stories.rank import RankConfig, StorySignals, importance
        from tidings.stories.similar import SimilarConfig, similar_stories

        started = time.perf_counter()
        rank_config = RankConfig(**self.config.table("rank"))
        similar_config = SimilarConfig(**self.config.table("similar"))
        with self.store.transaction() as session:
            latest = session.scalar(select(func.max(Story.last_published)).where(Story.merged_into.is_(None)))
            if latest is None:
                return
            # rank against the newest article (never the future): a replayed or old corpus still ranks sensibly
            now = min(utcnow(), latest)
            horizon = now - timedelta(days=RANK_DAYS)
            stories = list(session.scalars(select(Story).where(Story.merged_into.is_(None),
                                                               Story.last_published >= horizon)))
            rows = session.execute(
                select(Article.story_id, Article.source_id, Article.published_at, Article.first_seen_at,
                       Source.authority)
                .join(Source, Source.id == Article.source_id, isouter=True)
                .where(Article.story_id.in_([s.id for s in stories])))
            per_story: dict[str, StorySignals] = {s.id: StorySignals(0, {}, []) for s in stories}
            for story_id, source_id, published, seen, authority in rows:
                sig = per_story[story_id]
                sig.article_count += 1
                if source_id is not None:
                    sig.outlet_authorities[source_id] = authority if authority is not None else 0.5
                sig.published.append(published or seen)
            for story in stories:
                story.score, story.rank_signals = importance(per_story[story.id], now, rank_config)
            self.report.ranked = len(stories)
            self.report.seconds["rank"] += time.perf_counter() - started

            started = time.perf_counter()
            from tidings.stories.cluster import StoryState

            with_state = [s for s in stories if s.state]
            if len(with_state) > 1:
                ids = [s.id for s in with_state]
                matrix = np.stack([StoryState.from_dict(s.state).unit() for s in with_state])
                for i, story in enumerate(with_state):
                    mask = np.arange(len(ids)) != i
                    picks = similar_stories(matrix[i], [x for j, x in enumerate(ids) if j != i], matrix[mask],
                                            similar_config)
                    story.similar = [story_id for story_id, _ in picks]
            self.report.seconds["similar"] += time.perf_counter() - started

    def run(self) -> StoriesReport:
        touched = self.place_new_articles()
        self.refresh_stories(touched)
        self.file_and_tag(touched)
        self.rank_and_link()
        self.report.touched = len(touched)
        return self.report


def _best_title(articles: list[Article]) -> str:
    """The clearest source headline: from an original (not a copy), not a question, not shouting,
    from the most authoritative outlet, earliest first. Summaries may replace it later."""
    def badness(a: Article) -> tuple:
        title = (a.title or "").strip()
        return (
            not title,
            a.copy_of_id is not None,
            title.endswith("?"),
            sum(c.isupper() for c in title) > 0.6 * max(1, sum(c.isalpha() for c in title)),
            -(a.source.authority if a.source else 0.5),
            a.published_at or a.first_seen_at,
        )
    return (min(articles, key=badness).title or "").strip()


def update_stories(config: Config, store: Store, progress: ProgressHook | None = None) -> StoriesReport:
    return StoriesUpdater(config, store, progress).run()
