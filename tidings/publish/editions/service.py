"""Editions over the database: draft from the top stories, edit a draft, publish (freeze) it.

Every function takes a :class:`~tidings.store.db.Store` (or a session) and does its own
transaction; a published edition refuses every change (:class:`EditionLocked`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tidings.publish.editions.content import EditionContent, assemble
from tidings.publish.editions.settings import NewsletterSettings
from tidings.store.db import Store
from tidings.store.models import Story
from tidings.store.newsletter_models import DRAFT, PUBLISHED, Edition, EditionItem
from tidings.timeutil import utcnow


class EditionError(ValueError):
    """No such edition or item, or a change that makes no sense."""


class NothingToDraft(EditionError):
    """No story qualifies for a new edition."""


def newest_story_time(store: Store) -> datetime | None:
    """When the newest story's latest article was published: "the last 7 days" of a desk."""
    with store.reading() as session:
        return session.scalar(select(func.max(Story.last_published)).where(Story.merged_into.is_(None)))


class EditionLocked(EditionError):
    """The edition is published: it can no longer change."""


@dataclass(frozen=True, slots=True)
class EditionRow:
    id: int
    title: str
    status: str
    slug: str | None
    created_at: datetime
    published_at: datetime | None
    scheduled_at: datetime | None
    send_status: str | None
    stories: int


def previously_published_story_ids(session: Session, before: Edition | None = None) -> set[str]:
    """Stories that appeared (not dropped) in a published edition other than ``before``."""
    query = (select(EditionItem.story_id).join(Edition, Edition.id == EditionItem.edition_id)
             .where(Edition.status == PUBLISHED, EditionItem.dropped.is_(False)))
    if before is not None:
        query = query.where(Edition.id != before.id)
        if before.published_at is not None:
            query = query.where(Edition.published_at < before.published_at)
    return set(session.scalars(query))


def pick_stories(session: Session, since: datetime, per_section: int, exclude: set[str],
                 language: str | None = None) -> list[Story]:
    """The top stories (by score) of each section, published since ``since``, with a summary
    (written in ``language``, when one is given)."""
    when = func.coalesce(Story.last_published, Story.created_at)
    query = select(Story).where(Story.merged_into.is_(None), Story.summary_id.is_not(None), when >= since)
    if language:  # a story of unknown language is not left out
        query = query.where(or_(Story.language == language, Story.language.is_(None)))
    candidates = session.scalars(query.order_by(Story.score.desc(), Story.id)).all()
    counts: dict[str | None, int] = {}
    picked = []
    for story in candidates:
        if story.id in exclude or counts.get(story.section, 0) >= per_section:
            continue
        counts[story.section] = counts.get(story.section, 0) + 1
        picked.append(story)
    return picked


def new_draft(store: Store, settings: NewsletterSettings, since: datetime, per_section: int | None = None,
              *, now: datetime | None = None) -> int:
    """Draft an edition from the top stories per section not already in a published edition;
    the best-scored one leads. Returns the new edition's id."""
    now = now or utcnow()
    with store.transaction() as session:
        exclude = previously_published_story_ids(session)
        stories = pick_stories(session, since, per_section or settings.per_section, exclude, settings.language)
        if not stories:  # an empty draft left behind helps no one
            language = f" in {settings.language!r}" if settings.language else ""
            raise NothingToDraft(f"no summarized story{language} since {since:%Y-%m-%d %H:%M} that a published "
                                 "edition has not carried; nothing drafted (try a longer --since)")
        edition = Edition(title=f"{settings.name}: {now.date().isoformat()}", intro=settings.intro, since=since,
                          status=DRAFT, created_at=now, updated_at=now)
        positions: dict[str | None, int] = {}
        for n, story in enumerate(stories):
            positions[story.section] = positions.get(story.section, -1) + 1
            edition.items.append(EditionItem(story_id=story.id, section=story.section,
                                             position=positions[story.section], is_lead=n == 0))
        session.add(edition)
        session.flush()
        return edition.id


def list_editions(store: Store) -> list[EditionRow]:
    with store.reading() as session:
        editions = session.scalars(select(Edition).order_by(Edition.id.desc())).all()
        return [EditionRow(e.id, e.title, e.status, e.slug, e.created_at, e.published_at, e.scheduled_at,
                           e.send_status, sum(1 for i in e.items if not i.dropped)) for e in editions]


def _draft(session: Session, edition_id: int) -> Edition:
    edition = session.get(Edition, edition_id)
    if edition is None:
        raise EditionError(f"no edition {edition_id}")
    if edition.status != DRAFT:
        raise EditionLocked(f"edition {edition_id} is published and cannot change")
    return edition


def _item(edition: Edition, item_id: int) -> EditionItem:
    for item in edition.items:
        if item.id == item_id:
            return item
    raise EditionError(f"edition {edition.id} has no item {item_id}")


def move_item(store: Store, edition_id: int, item_id: int, delta: int) -> None:
    """Move a story up (``delta < 0``) or down within its section."""
    with store.transaction() as session:
        edition = _draft(session, edition_id)
        item = _item(edition, item_id)
        peers = sorted((i for i in edition.items if i.section == item.section and not i.is_lead),
                       key=lambda i: (i.position, i.id))
        if item not in peers:
            return
        index = peers.index(item)
        target = max(0, min(len(peers) - 1, index + delta))
        peers.insert(target, peers.pop(index))
        for n, peer in enumerate(peers):
            peer.position = n
        edition.updated_at = utcnow()


def set_flag(store: Store, edition_id: int, item_id: int, flag: str, value: bool) -> None:
    """Pin (keep at the top of its section), drop (leave out) or make the lead."""
    if flag not in {"pinned", "dropped", "is_lead"}:
        raise EditionError(f"unknown flag {flag}")
    with store.transaction() as session:
        edition = _draft(session, edition_id)
        item = _item(edition, item_id)
        if flag == "is_lead" and value:
            for other in edition.items:
                other.is_lead = False
            item.dropped = False
        setattr(item, flag, value)
        edition.updated_at = utcnow()


def edit_item(store: Store, edition_id: int, item_id: int, headline: str | None, body: str | None) -> None:
    """Replace a story's headline and/or text; empty values go back to the summary's."""
    with store.transaction() as session:
        edition = _draft(session, edition_id)
        item = _item(edition, item_id)
        item.headline = (headline or "").strip() or None
        item.body = (body or "").strip() or None
        edition.updated_at = utcnow()


def edit_edition(store: Store, edition_id: int, *, title: str | None = None, intro: str | None = None,
                 scheduled_at: datetime | None = None) -> None:
    with store.transaction() as session:
        edition = _draft(session, edition_id)
        if title is not None and title.strip():
            edition.title = title.strip()
        if intro is not None:
            edition.intro = intro.strip()
        if scheduled_at is not None:
            edition.scheduled_at = scheduled_at
        edition.updated_at = utcnow()


def preview(store: Store, settings: NewsletterSettings, edition_id: int) -> EditionContent:
    """The content of any edition: a draft assembled now, a published one from its snapshot."""
    with store.reading() as session:
        edition = session.get(Edition, edition_id)
        if edition is None:
            raise EditionError(f"no edition {edition_id}")
        if edition.status == PUBLISHED:
            return EditionContent.from_dict(edition.content)
        return assemble(session, edition, settings)


def _slug(session: Session, edition: Edition, when: datetime) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", when.date().isoformat().lower()).strip("-")
    taken = set(session.scalars(select(Edition.slug).where(Edition.slug.like(f"{base}%"))))
    return base if base not in taken else f"{base}-{edition.id}"


def publish(store: Store, settings: NewsletterSettings, edition_id: int, *, now: datetime | None = None) -> str:
    """Freeze a draft: snapshot its content, render HTML, Markdown and text, give it a permalink.

    Returns the slug. Publishing twice is an error (the first rendering stands)."""
    from tidings.publish.editions.render import render_html, render_markdown, render_text

    now = now or utcnow()
    with store.transaction() as session:
        edition = _draft(session, edition_id)
        edition.slug = _slug(session, edition, now)
        content = assemble(session, edition, settings, when=now)
        if not content.stories:
            raise EditionError(f"edition {edition_id} has no stories to publish")
        content.slug = edition.slug
        edition.content = content.to_dict()
        edition.html = render_html(content)
        edition.markdown = render_markdown(content)
        edition.text = render_text(content)
        edition.status = PUBLISHED
        edition.published_at = now
        edition.updated_at = now
        return edition.slug


def _detached(session: Session, editions: list[Edition]) -> list[Edition]:
    """Editions with their columns loaded, cut loose from the session (whose end would expire them)."""
    for edition in editions:
        session.expunge(edition)
    return editions


def get_edition(store: Store, edition_id: int) -> Edition | None:
    """An edition's columns (not its items), usable after the session is gone."""
    with store.reading() as session:
        edition = session.get(Edition, edition_id)
        return _detached(session, [edition])[0] if edition is not None else None


def published_by_slug(store: Store, slug: str) -> Edition | None:
    with store.reading() as session:
        found = session.scalars(select(Edition).where(Edition.slug == slug, Edition.status == PUBLISHED)).first()
        return _detached(session, [found])[0] if found is not None else None


def published_editions(store: Store, limit: int = 100) -> list[Edition]:
    with store.reading() as session:
        return _detached(session, list(session.scalars(select(Edition).where(Edition.status == PUBLISHED)
                                                       .order_by(Edition.published_at.desc()).limit(limit))))


@dataclass(frozen=True, slots=True)
class ItemView:
    """A row of the editor's list of a draft's stories."""

    id: int
    story_id: str
    section: str | None
    section_title: str
    headline: str
    headline_override: str | None
    body_override: str | None
    pinned: bool
    dropped: bool
    is_lead: bool

    @property
    def actions(self) -> list[tuple[str, str]]:
        if self.dropped:
            return [("restore", "Restore")]
        out = [] if self.is_lead else [("up", "Move up"), ("down", "Move down"), ("lead", "Make top story")]
        out.append(("unpin", "Unpin") if self.pinned else ("pin", "Pin"))
        return out + [("drop", "Drop")]


def draft_items(store: Store, settings: NewsletterSettings, edition_id: int) -> list[ItemView]:
    """A draft's items in edition order (lead, then by section), dropped ones last."""
    from tidings.publish.editions.content import ordered_items
    from tidings.store.models import Summary

    with store.reading() as session:
        edition = session.get(Edition, edition_id)
        if edition is None:
            raise EditionError(f"no edition {edition_id}")
        lead, groups = ordered_items(edition, settings)
        order = ([lead] if lead else []) + [i for _, items in groups for i in items]
        order += sorted((i for i in edition.items if i.dropped), key=lambda i: i.id)
        stories = {s.id: s for s in session.scalars(select(Story).where(Story.id.in_([i.story_id for i in order])))}
        out = []
        for item in order:
            story = stories.get(item.story_id)
            summary = session.get(Summary, story.summary_id) if story and story.summary_id else None
            headline = item.headline or (summary.headline if summary else (story.title if story else item.story_id))
            out.append(ItemView(item.id, item.story_id, item.section, settings.section_title(item.section), headline,
                                item.headline, item.body, item.pinned, item.dropped, item.is_lead))
        return out
