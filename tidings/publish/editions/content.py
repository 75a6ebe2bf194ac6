"""What an edition says, as plain dataclasses: assembled from the database for a draft, frozen
into ``Edition.content`` (JSON) at publish time, and rendered from there.

A story block holds its headline, its paragraphs of sentences (each with the numbers of the
sources it cites, numbered per story) and the numbered source list."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tidings.publish.editions.settings import NewsletterSettings
from tidings.store.models import Article, Source, Story, Summary
from tidings.store.newsletter_models import Edition, EditionItem

SENTENCES_PER_PARAGRAPH = 3
MAX_UNCITED_SOURCES = 5


@dataclass(slots=True)
class SourceLink:
    number: int
    title: str
    outlet: str
    url: str


@dataclass(slots=True)
class Sentence:
    text: str
    cites: list[int] = field(default_factory=list)  # SourceLink numbers


@dataclass(slots=True)
class StoryBlock:
    story_id: str
    section: str | None
    headline: str
    paragraphs: list[list[Sentence]]
    sources: list[SourceLink]
    item_id: int | None = None
    pinned: bool = False
    edited: bool = False


@dataclass(slots=True)
class SectionBlock:
    key: str | None
    title: str
    stories: list[StoryBlock]


@dataclass(slots=True)
class EditionContent:
    name: str
    title: str
    date: str  # ISO date of publication (or of the draft)
    intro: str
    lead: StoryBlock | None
    sections: list[SectionBlock]
    sponsor: dict[str, str] | None
    about: str
    base_url: str
    slug: str | None = None

    @property
    def stories(self) -> list[StoryBlock]:
        return ([self.lead] if self.lead else []) + [s for sec in self.sections for s in sec.stories]

    @property
    def story_ids(self) -> list[str]:
        return [s.story_id for s in self.stories]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EditionContent:
        def block(d: dict[str, Any]) -> StoryBlock:
            return StoryBlock(
                story_id=d["story_id"], section=d.get("section"), headline=d["headline"],
                paragraphs=[[Sentence(s["text"], list(s.get("cites", []))) for s in p] for p in d["paragraphs"]],
                sources=[SourceLink(**s) for s in d["sources"]], item_id=d.get("item_id"),
                pinned=bool(d.get("pinned")), edited=bool(d.get("edited")),
            )

        return cls(
            name=data["name"], title=data["title"], date=data["date"], intro=data["intro"],
            lead=block(data["lead"]) if data.get("lead") else None,
            sections=[SectionBlock(s.get("key"), s["title"], [block(b) for b in s["stories"]])
                      for s in data["sections"]],
            sponsor=data.get("sponsor"), about=data.get("about", ""), base_url=data.get("base_url", ""),
            slug=data.get("slug"),
        )

    def only_sections(self, wanted: list[str]) -> EditionContent:
        """The same edition with only the sections a subscriber chose (the lead always stays)."""
        if not wanted:
            return self
        keep = [s for s in self.sections if s.key in wanted]
        return EditionContent(self.name, self.title, self.date, self.intro, self.lead, keep, self.sponsor,
                              self.about, self.base_url, self.slug)


def split_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def story_block(session: Session, story: Story, item: EditionItem | None = None) -> StoryBlock:
    """A story as the newsletter tells it: the summary's cited sentences, or the editor's text."""
    summary = session.get(Summary, story.summary_id) if story.summary_id else None
    headline = (item.headline if item and item.headline else None) or (summary.headline if summary else story.title)
    numbers: dict[int, int] = {}
    raw: list[tuple[str, list[int]]] = []
    if summary is not None:
        lead = summary.lead.strip()
        raw.append((lead, []))
        for sentence in summary.sentences:
            text = str(sentence.get("text", "")).strip()
            cites = [int(c) for c in sentence.get("cites", [])]
            if text == lead:
                raw[0] = (lead, cites)
            elif text:
                raw.append((text, cites))
        raw = [r for r in raw if r[0]]
    for _, cites in raw:
        for c in cites:
            numbers.setdefault(c, len(numbers) + 1)
    articles = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(list(numbers))))}
    if not numbers:  # nothing cited: list the story's own (non-copy) articles
        own = session.scalars(select(Article).where(Article.story_id == story.id, Article.copy_of_id.is_(None))
                              .order_by(Article.published_at).limit(MAX_UNCITED_SOURCES)).all()
        for a in own:
            numbers[a.id] = len(numbers) + 1
            articles[a.id] = a
    outlets = {s.id: s.name for s in session.scalars(
        select(Source).where(Source.id.in_({a.source_id for a in articles.values() if a.source_id})))}
    sources = [SourceLink(n, (articles[aid].title or articles[aid].canonical_url).strip(),
                          articles[aid].site_name or outlets.get(articles[aid].source_id or -1, ""),
                          articles[aid].canonical_url)
               for aid, n in numbers.items() if aid in articles]
    known = {aid for aid in numbers if aid in articles}
    edited = bool(item and (item.headline or item.body))
    if item is not None and item.body:
        paragraphs = [[Sentence(p)] for p in split_paragraphs(item.body)]
    else:
        sentences = [Sentence(text, sorted({numbers[c] for c in cites if c in known})) for text, cites in raw]
        paragraphs = [sentences[:1]] if sentences else []
        rest = sentences[1:]
        paragraphs += [rest[i:i + SENTENCES_PER_PARAGRAPH] for i in range(0, len(rest), SENTENCES_PER_PARAGRAPH)]
    return StoryBlock(story.id, story.section, headline.strip(), paragraphs, sources,
                      item.id if item else None, bool(item and item.pinned), edited)


Grouped = list[tuple[str | None, list[EditionItem]]]


def ordered_items(edition: Edition, settings: NewsletterSettings) -> tuple[EditionItem | None, Grouped]:
    """The lead item, then the kept items grouped by section in the configured order
    (pinned first within a section, then by position)."""
    kept = [i for i in edition.items if not i.dropped]
    lead = next((i for i in kept if i.is_lead), None)
    groups: dict[str | None, list[EditionItem]] = {}
    for item in kept:
        if item is not lead:
            groups.setdefault(item.section, []).append(item)
    order = {key: n for n, key in enumerate(settings.section_order)}
    keys = sorted(groups, key=lambda k: (order.get(k or "", len(order)), k or "~"))
    return lead, [(k, sorted(groups[k], key=lambda i: (not i.pinned, i.position, i.id or 0))) for k in keys]


def assemble(session: Session, edition: Edition, settings: NewsletterSettings, *,
             when: datetime | None = None) -> EditionContent:
    """The content of an edition as it stands now (drafts change as the editor works)."""
    lead_item, groups = ordered_items(edition, settings)
    stories = {s.id: s for s in session.scalars(select(Story).where(
        Story.id.in_([i.story_id for i in edition.items])))}

    def block(item: EditionItem) -> StoryBlock | None:
        story = stories.get(item.story_id)
        return story_block(session, story, item) if story is not None else None

    sections = []
    for key, items in groups:
        blocks = [b for b in (block(i) for i in items) if b is not None]
        if blocks:
            sections.append(SectionBlock(key, settings.section_title(key), blocks))
    sponsor = None
    if settings.sponsor is not None:
        sponsor = {"name": settings.sponsor.name, "text": settings.sponsor.text, "url": settings.sponsor.url}
    day = (when or edition.published_at or edition.created_at).date().isoformat()
    return EditionContent(
        name=settings.name, title=edition.title or f"{settings.name}: {day}", date=day, intro=edition.intro,
        lead=block(lead_item) if lead_item else None, sections=sections, sponsor=sponsor,
        about=settings.about, base_url=settings.base_url, slug=edition.slug,
    )
