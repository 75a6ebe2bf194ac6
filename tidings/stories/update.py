"""The stories stage of ``tidings update``: from stored articles to filed, tagged, ranked stories.

Plan, compute, commit. The driver reads the articles no story holds yet (in publication
order, a chunk at a time), the executor computes their features (embedding, names, numbers:
the ``features`` stage, in parallel), and the driver places them one by one with the online
clusterer (loaded with the stories active in their time window), attaches syndicated copies
to their original's story (a copy that reappears weeks after its original is a reprint and joins
no story: see :func:`is_reprint`) and records merges (the old story keeps its row and redirects),
committing each chunk's placements in one short transaction so a crash leaves no half-placed
chunk and a killed run resumes after the last committed one. Then the stories that changed
are filed under a section by the mean of their articles' vectors (no embedding of their own;
the section prototypes adapt to them here, in order) and get their tags from the executor
(the ``tags`` stage); ranks and similar-story links follow.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased, selectinload

from tidings.config import Config
from tidings.engine.executors import Executor
from tidings.engine.stages import StageError
from tidings.store.convert import article_records
from tidings.store.db import Store
from tidings.store.models import Article, Source, Story
from tidings.stories.sections import SECTION_CONTEXT, SectionClassifier, load_sections, story_vector
from tidings.stories.stage import TagJob
from tidings.stories.story_ids import SeededIds, article_seed
from tidings.timeutil import as_utc, stage_seconds, utcnow

if TYPE_CHECKING:
    from tidings.engine.embedder import StageEmbedder
    from tidings.stories.cluster import ClusterConfig

BATCH = 16  # articles embedded per batch (a progress tick each)
PLACE_CHUNK = 1024  # articles placed and committed together
RANK_DAYS = 14  # stories whose latest article is older than this keep their last score

ProgressHook = Callable[[str, dict[str, Any]], None]


def recent_section_vectors(store: Store, exclude: AbstractSet[str] = frozenset(), dim: int = 0,
                           limit: int = SECTION_CONTEXT) -> np.ndarray:
    """The section vectors of the ``limit`` most recent live stories not in ``exclude``, one row each.

    Vectors of another width (written by another embedding model) are skipped."""
    rows: list[np.ndarray] = []
    with store.reading() as session:
        query = (select(Story.id, Story.section_vector)
                 .where(Story.merged_into.is_(None), Story.section_vector.is_not(None))
                 .order_by(Story.last_published.desc(), Story.id).execution_options(yield_per=500))
        for story_id, blob in session.execute(query):
            if story_id in exclude or blob is None:  # None: never (the query skips it)
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
    reprints: int = 0  # copies published more than window_days from their original: kept, in no story
    new_stories: int = 0
    joined: int = 0
    merges: int = 0
    splits: int = 0  # stories that turned out to hold two events and were split in two
    touched: int = 0  # stories whose articles changed
    ranked: int = 0
    failed: int = 0  # articles whose features could not be computed (left unplaced, retried next run)
    seconds: dict[str, float] = field(default_factory=stage_seconds)

    def as_dict(self) -> dict[str, Any]:
        return {"placed": self.placed, "copies": self.copies, "reprints": self.reprints,
                "new_stories": self.new_stories,
                "joined": self.joined, "merges": self.merges, "splits": self.splits, "touched": self.touched,
                "ranked": self.ranked, "failed": self.failed,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def is_reprint(published: datetime | None, original_published: datetime | None, window_days: float) -> bool:
    """Whether a copy published at ``published`` is a reprint of an original of ``original_published``:
    more than ``window_days`` apart (undated: never).

    The same text weeks later tells no new event. Either an outlet republished an old piece, or
    the scrape kept page furniture that other sites carry too ("Tweet with a location ...", a web
    archive's crawl notice: 21 of Multi-News' 322 pages). Attached to the original's story, such
    a copy mixed up to nine events in one story; placed as an article of its own, the copies of one
    notice from several outlets made a story of their own with four or six sources, ranked like
    news. So a reprint is kept, linked to its original (``copy_of_id``), and joins no story."""
    if published is None or original_published is None:
        return False
    return abs(as_utc(published) - as_utc(original_published)) > timedelta(days=window_days)


def cluster_config(config: Config) -> ClusterConfig:
    from tidings.stories.cluster import ClusterConfig

    return ClusterConfig.from_table(config.table("cluster"))


class StoriesUpdater:
    def __init__(self, config: Config, store: Store, progress: ProgressHook | None = None,
                 executor: Executor | None = None) -> None:
        self.config = config
        self.store = store
        self.progress = progress or (lambda _e, _i: None)
        self.report = StoriesReport()
        self.cluster_config = cluster_config(config)
        self._embedder: StageEmbedder | None = None
        self._executor = executor
        self._own_executor = executor is None

    @property
    def embedder(self) -> StageEmbedder:
        """The embedder for the driver's own few vectors (the sections' prototypes): it runs in the
        executor, so the driver never loads the model."""
        from tidings.engine.embedder import StageEmbedder

        if self._embedder is None:
            self._embedder = StageEmbedder(self.executor, self.cluster_config.embedder)
        return self._embedder

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            from tidings.engine.config import engine_config
            from tidings.engine.executors import open_executor

            self._executor = open_executor(engine_config(self.config), embedder=self.cluster_config.embedder,
                                           warm_stages=("features", "tags"))
        return self._executor

    # -- placing -------------------------------------------------------------------------------
    def _pending(self) -> list[int]:
        """Plan: the unplaced original articles, in publication order (undated last).

        Articles of the same time go in the order of their URLs, not of their ids: ids follow the
        order in which concurrent fetches finished, so the same articles would otherwise be met in
        another order (and may land in other stories) from one run to the next."""
        with self.store.reading() as session:
            originals = session.execute(select(Article.id, Article.published_at, Article.canonical_url)
                                        .where(Article.story_id.is_(None), Article.copy_of_id.is_(None)))
            rows: list[tuple[int, datetime | None, str]] = [(i, when, url) for i, when, url in originals]
        never = datetime.min.replace(tzinfo=timezone.utc)
        rows.sort(key=lambda r: (r[1] is None, as_utc(r[1]) or never, r[2], r[0]))
        return [article_id for article_id, _, _ in rows]

    def place_new_articles(self) -> set[str]:
        """Cluster every unplaced original article and attach unplaced copies; returns touched story ids.

        A chunk at a time, in publication order, each chunk committed on its own."""
        pending = self._pending()
        self.progress("embed", {"count": len(pending)})
        if pending:  # the executor's workers load their models with the first batch
            self.progress("loading", {"what": "models"})
        touched: set[str] = set()
        for i in range(0, len(pending), PLACE_CHUNK):
            touched |= self.place_chunk(pending[i:i + PLACE_CHUNK])
        touched |= self.attach_copies()
        return touched

    def place_chunk(self, article_ids: list[int]) -> set[str]:
        from tidings.stories.cluster import OnlineClusterer, StoryState
        from tidings.stories.editing import load_decisions

        started = time.perf_counter()
        with self.store.reading() as session:
            rows = list(session.scalars(select(Article).where(Article.id.in_(article_ids))
                                        .options(selectinload(Article.source))))
            by_id = {a.id: a for a in rows}
            records = article_records([by_id[i] for i in article_ids if i in by_id])
            seeds = {str(a.id): article_seed(a.canonical_url, a.version) for a in rows}
        features = []
        computed = self.executor.map("features", records, self.cluster_config, batch_size=BATCH,
                                     progress=lambda n: self.progress("embedded", {"count": n}))
        for record, f in zip(records, computed, strict=True):
            if isinstance(f, StageError):
                self.report.failed += 1
                self.progress("features_failed", {"article": record.id, "error": str(f)})
            else:
                features.append(f)
        self.report.seconds["embed"] += time.perf_counter() - started

        started = time.perf_counter()
        story_ids = SeededIds()  # the same articles make the same stories, with the same ids, every run
        clusterer = OnlineClusterer(self.cluster_config, new_id=story_ids)
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
                if new is not None:  # always (the query asks for merged stories)
                    clusterer.add_redirect(old, new)
            # an editor's decisions stand: moved articles never move again, separated stories never merge
            pinned, apart = load_decisions(session)
            for article_id in pinned:
                clusterer.pin(str(article_id))
            for a, b in apart:
                clusterer.keep_apart(a, b)
        known = set(clusterer.stories)
        self.progress("cluster", {"count": len(features)})
        assigned: dict[int, tuple[str, float]] = {}
        for f in features:
            story_ids.seed(seeds[f.id])
            placement = clusterer.place(f)
            assigned[int(f.id)] = (placement.story_id, placement.score)
            if placement.is_new:
                self.report.new_stories += 1
            else:
                self.report.joined += 1
            self.progress("placed", {})
        story_ids.seed("repair:" + (seeds[features[0].id] if features else ""))
        clusterer.repair()
        merges = clusterer.drain_merges()
        moved: dict[int, str] = {}  # article -> the story a split moved it to (the last move wins)
        for _, new, split_ids in clusterer.drain_splits():
            self.report.splits += 1
            moved.update((int(a), new) for a in split_ids)
        self.report.placed += len(features)
        self.report.merges += len(merges)
        self.report.seconds["cluster"] += time.perf_counter() - started

        started = time.perf_counter()
        touched: set[str] = set()
        now = utcnow()
        vectors = {int(f.id): f.vector for f in features}
        placed_in = {clusterer.resolve(s) for s, _ in assigned.values()}
        placed_in |= {clusterer.resolve(s) for s in moved.values()}
        placed_in |= {clusterer.resolve(new) for _, new in merges}
        with self.store.transaction() as session:
            for story_id, state in clusterer.stories.items():
                if story_id in known and story_id not in placed_in:
                    continue  # loaded, untouched
                row = session.get(Story, story_id)
                if row is None:
                    row = Story(id=story_id, created_at=now, title=state.title)
                    session.add(row)
                elif story_id not in known:  # a new story's id is already a stored story's: never overwrite it
                    raise RuntimeError(f"story id {story_id} is already taken by a stored story; nothing of "
                                       "this chunk was committed")
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
                old_row.updated_at = now  # what readers' caches watch for a change
                session.execute(update(Story).where(Story.merged_into == old).values(merged_into=survivor))
                session.execute(update(Article).where(Article.story_id == old).values(story_id=survivor))
                touched.discard(old)
                touched.add(survivor)
            for article_id, story_id in moved.items():
                if article_id not in assigned:  # placed in an earlier run: only its story changes
                    session.execute(update(Article).where(Article.id == article_id)
                                    .values(story_id=clusterer.resolve(story_id)))
            for article_id, (story_id, score) in assigned.items():
                article = session.get_one(Article, article_id)  # read for this chunk above
                article.story_id = clusterer.resolve(moved.get(article_id, story_id))
                article.story_score = score
                article.embedding = np.asarray(vectors[article_id], dtype="<f4").tobytes()
                article.embedding_model = self.embedder_name
                article.embedded_version = article.version
        self.report.seconds["commit"] += time.perf_counter() - started
        return touched

    @property
    def embedder_name(self) -> str:
        from tidings.stories.embed import resolve_name

        return resolve_name(self.cluster_config.embedder)

    def attach_copies(self) -> set[str]:
        """Syndicated copies join their original's story; reprints (:func:`is_reprint`) join none."""
        original = aliased(Article)
        with self.store.transaction() as session:
            rows = session.execute(
                select(Article.id, Article.published_at, original.published_at, original.story_id)
                .join(original, original.id == Article.copy_of_id)
                .where(Article.story_id.is_(None), Article.copy_of_id.is_not(None))).all()
            reprints = 0
            by_story: dict[str, list[int]] = {}
            for copy_id, published, original_published, story_id in rows:
                if is_reprint(published, original_published, self.cluster_config.window_days):
                    reprints += 1
                elif story_id is not None:
                    by_story.setdefault(story_id, []).append(copy_id)
            for story_id, copy_ids in by_story.items():  # one statement a story, not one a copy
                session.execute(update(Article).where(Article.id.in_(copy_ids)).values(story_id=story_id))
                self.report.copies += len(copy_ids)
            self.report.reprints = reprints
        return set(by_story)

    # -- aggregates, sections, tags ------------------------------------------------------------
    def refresh_stories(self, story_ids: set[str]) -> None:
        """Recompute counts, dates, languages and the provisional title of each story."""
        with self.store.transaction() as session:
            for story_id in story_ids:
                story = session.get(Story, story_id)
                if story is not None:
                    refresh_story(session, story)

    def file_and_tag(self, story_ids: set[str]) -> None:
        from tidings.stories.tags import STORY_TAGS, TagText

        if not story_ids:
            return
        started = time.perf_counter()
        sections = load_sections(self.config.raw if "sections" in self.config.raw else None)
        classifier = SectionClassifier(sections, self.embedder, text_kind=self.cluster_config.embed_kind)
        model = self.embedder_name
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
                    # the story's section vector is made of its articles' vectors, as placed
                    embedded = [np.frombuffer(a.embedding, dtype="<f4") for a in originals
                                if a.embedding is not None and a.embedding_model == model]
                    stories.append((story_id, language, embedded,
                                    [TagText(a.title or "", a.text or "", a.language) for a in originals]))
        if not stories:
            return
        self.progress("tags", {"count": len(stories)})
        # a story's section vector is the mean of its articles' vectors: no embedding of its own
        # (AG News, batches of 50 with context: the same accuracy, docs/evaluation.md)
        filed = [i for i, (_, _, vs, _) in enumerate(stories) if vs]
        vectors = np.zeros((len(filed), classifier.prototypes.shape[1]), dtype=np.float32)
        for row, i in enumerate(filed):
            vectors[row] = story_vector(np.vstack(stories[i][2]))
        # the prototypes adapt to this batch and to the recent stories' vectors (AG News: 0.834 -> 0.856
        # 8-shot in batches of 50 with context, docs/evaluation.md); they are not re-filed here
        context = recent_section_vectors(self.store, exclude={sid for sid, *_ in stories}, dim=vectors.shape[1])
        classified = classifier.classify_vectors(vectors, adapt=True, context=context)
        results = {i: (result, vector) for i, result, vector in zip(filed, classified, vectors, strict=True)}
        self.report.seconds["sections"] += time.perf_counter() - started
        started = time.perf_counter()
        # tags come from the story's main-language articles, so another language's function
        # words never become tags; names lead, keyphrases follow
        jobs = [TagJob(originals, language) for _, language, _, originals in stories]
        tags = {}

        def tick(n: int) -> None:
            for _ in range(n):
                self.progress("tagged", {})

        tagged = self.executor.map("tags", jobs, STORY_TAGS, batch_size=4, progress=tick)
        for (story_id, *_), story_tags_ in zip(stories, tagged, strict=True):
            if isinstance(story_tags_, StageError):
                self.progress("tags_failed", {"story": story_id, "error": str(story_tags_)})
            else:
                tags[story_id] = story_tags_
        self.report.seconds["tags"] += time.perf_counter() - started
        with self.store.transaction() as session:
            for i, (story_id, _, _, _) in enumerate(stories):
                story = session.get_one(Story, story_id)  # a story these articles are in
                if i in results:  # else no article of it has a vector yet: its section waits
                    result, vector = results[i]
                    story.section = result.section
                    story.section_vector = np.asarray(vector, dtype="<f4").tobytes()
                    story.section_scores = {k: round(float(v), 4) for k, v in result.scores.items()}
                if story_id in tags:
                    story.tags = tags[story_id]

    # -- rank and similar ----------------------------------------------------------------------
    def rank_and_link(self) -> None:
        from tidings.stories.rank import RankConfig, StorySignals, importance
        from tidings.stories.similar import SimilarConfig, similar_stories

        started = time.perf_counter()
        rank_config: RankConfig = self.config.settings("rank")  # checked when the config was loaded
        similar_config: SimilarConfig = self.config.settings("similar")
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
                if story_id is None:  # never (the query asks for these stories' articles)
                    continue
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
        try:
            touched = self.place_new_articles()
            self.refresh_stories(touched)
            self.file_and_tag(touched)
            self.rank_and_link()
        finally:
            if self._own_executor and self._executor is not None:
                self._executor.close()
        self.report.touched = len(touched)
        return self.report


def refresh_story(session: Session, story: Story) -> None:
    """Recompute one story's counts, dates, languages and provisional title from its articles, in the
    caller's transaction (also used by an editor's move, :mod:`tidings.stories.editing`)."""
    articles = list(session.scalars(select(Article).where(Article.story_id == story.id)))
    if not articles:
        return
    outlets = {a.source_id for a in articles if a.source_id is not None}
    dates = [a.published_at or a.first_seen_at for a in articles]
    langs = Counter(a.language for a in articles if a.language)
    before = (story.article_count, story.outlet_count)
    story.article_count = len(articles)
    story.outlet_count = len(outlets)
    story.first_published, story.last_published = min(dates), max(dates)
    story.languages = [lang for lang, _ in langs.most_common()]
    if story.summary_id is None:  # else the summary's language, kept with its headline
        story.language = story.languages[0] if story.languages else None
        story.title = _best_title(articles)
    if (story.article_count, story.outlet_count) != before:
        story.needs_summary = True


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


def update_stories(config: Config, store: Store, progress: ProgressHook | None = None,
                   executor: Executor | None = None) -> StoriesReport:
    """The stories stage; ``executor`` (:mod:`tidings.engine.executors`): default, the ``[engine]`` one."""
    return StoriesUpdater(config, store, progress, executor).run()
