"""A seeded synthetic newsstand for the ingest throughput benchmark.

``build_synthetic_site(base_url, n_feeds, n_articles, seed)`` generates outlets
with one RSS 2.0 or Atom feed each and article pages of several hundred words,
written from a small vocabulary by sentence templates. About 5% of the articles
are syndicated near-copies of an earlier one, usually at another outlet: another
headline, one changed figure and an added credit line (Jaccard about 0.95 on
5-word shingles). The same arguments always give the same site, and the ground
truth (``site.truth``) lists each original with its copies.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone

from tidings.demo.corpus import CorpusArticle, Event, GroundTruth, Outlet
from tidings.demo.site import DemoSite, assemble_site

NEAR_DUPLICATE_SHARE = 0.05

_COMPANIES = [
    "Arbor Systems", "Beacon Analytics", "Cobalt Reasoning", "Delta Forge", "Ember Compute", "Fjord AI",
    "Granite Labs", "Helix Robotics", "Iris Semiconductor", "Juniper Cloud", "Keel Data", "Lattice Works",
    "Mosaic Intelligence", "Nimbus Foundry", "Orbit Vision", "Pylon Networks", "Quartz Logic", "Ridge Models",
    "Sable Devices", "Tundra Research",
]
_PEOPLE = [
    "Ada Marchetti", "Bram Okafor", "Chen Wu", "Dana Kowalski", "Elif Aydin", "Felix Navarro", "Greta Lindqvist",
    "Hamid Rahimi", "Ines Carvalho", "Jonas Weber", "Kaori Sato", "Luca Romano", "Maya Patel", "Nils Berg",
    "Olga Petrova", "Priya Raman", "Quentin Roux", "Rosa Jimenez", "Samir Haddad", "Tess O'Neill",
]
_ROLES = ["chief executive", "head of research", "an analyst at a consultancy", "a policy adviser",
          "the chief technology officer", "a professor of computer science", "an investor", "a union representative"]
_THINGS = [
    "language model", "inference chip", "data centre", "robot arm", "training cluster", "speech system",
    "vision model", "coding assistant", "search product", "safety benchmark", "cloud contract", "research lab",
    "open-weight release", "licensing deal", "energy contract", "supercomputer", "translation service",
]
_VERBS = ["announced", "unveiled", "delayed", "expanded", "cancelled", "tested", "priced", "licensed",
          "opened", "paused", "acquired", "benchmarked", "shipped", "audited", "scaled back"]
_PLACES = ["Lisbon", "Rotterdam", "Austin", "Osaka", "Nairobi", "Montreal", "Warsaw", "Seoul", "Lyon",
           "Bilbao", "Leipzig", "Cork", "Turin", "Bangalore", "Santiago"]
_ADJ = ["modest", "ambitious", "costly", "long-awaited", "controversial", "surprising", "cautious", "rapid",
        "incremental", "closely watched", "delayed", "unexpected"]
_UNITS = ["million dollars", "megawatts", "billion parameters", "percent", "engineers", "customers", "GPUs",
          "million euros", "petaflops", "data centres"]
_TEMPLATES = [
    "{company} {verb} a {adj} {thing} in {place} on {weekday}, according to people familiar with the plan.",
    "The company said the {thing} would reach {n} {unit} by the end of next year.",
    "\"We think the {thing} market is still early,\" said {person}, {role}, in an interview.",
    "{person}, {role}, said the figures were {adj} but warned that costs could rise.",
    "Rivals including {company2} have {verb} similar projects over the past {n2} months.",
    "Analysts expect the {thing} to cost roughly {n} {unit}, a figure the company did not confirm.",
    "Regulators in {place} are reviewing whether the {thing} complies with local rules.",
    "The announcement follows a {adj} quarter in which revenue grew {n2} percent.",
    "{company2} declined to comment on the {thing}, citing a quiet period before its results.",
    "Customers in {place} will be the first to use the {thing}, with a wider rollout planned for {month}.",
    "Critics argue that the {thing} concentrates power in a handful of firms, {person} said.",
    "Shares of {company} rose {n2} percent in early trading after the news.",
    "The {thing} relies on {n} {unit} supplied by {company2} under a multi-year agreement.",
    "Engineers spent {n2} months preparing the {thing}, according to an internal memo seen by reporters.",
    "It is the {ordinal} {thing} {company} has {verb} this year.",
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_MONTHS = ["January", "February", "March", "April", "May", "June"]
_ORDINALS = ["second", "third", "fourth", "fifth"]


def _sentence(rng: random.Random, company: str, thing: str) -> str:
    template = rng.choice(_TEMPLATES)
    return template.format(
        company=company,
        company2=rng.choice([c for c in _COMPANIES if c != company]),
        verb=rng.choice(_VERBS),
        adj=rng.choice(_ADJ),
        thing=thing if rng.random() < 0.6 else rng.choice(_THINGS),
        place=rng.choice(_PLACES),
        weekday=rng.choice(_WEEKDAYS),
        n=rng.randint(2, 950),
        n2=rng.randint(2, 40),
        unit=rng.choice(_UNITS),
        person=rng.choice(_PEOPLE),
        role=rng.choice(_ROLES),
        month=rng.choice(_MONTHS),
        ordinal=rng.choice(_ORDINALS),
    )


def _paragraphs(rng: random.Random, company: str, thing: str) -> list[str]:
    return [
        " ".join(_sentence(rng, company, thing) for _ in range(rng.randint(3, 5)))
        for _ in range(rng.randint(5, 8))
    ]


def _near_copy(rng: random.Random, paragraphs: tuple[str, ...]) -> list[str]:
    """A syndicated copy: one figure changed and a credit line added, the rest verbatim."""
    copy = list(paragraphs)
    k = rng.randrange(len(copy))
    copy[k] = re.sub(r"\b\d+\b", lambda m: str(int(m.group()) + rng.randint(1, 9)), copy[k], count=1)
    copy[-1] = f"{copy[-1]} Additional reporting by {rng.choice(_PEOPLE)}."
    return copy


def build_synthetic_site(base_url: str, n_feeds: int = 50, n_articles: int = 2000, seed: int = 0) -> DemoSite:
    """A generated site of ``n_feeds`` outlets and ``n_articles`` article pages, deterministic for ``seed``."""
    if n_feeds < 1 or n_articles < 0:
        raise ValueError("need at least one feed and a non-negative number of articles")
    rng = random.Random(seed)
    outlets = [
        Outlet(
            slug=f"synth-{i:03d}",
            name=f"Synthetic Courier {i:03d}",
            country="XX",
            language="en",
            authority=round(rng.uniform(0.2, 0.9), 2),
            feed_format="rss2" if i % 2 == 0 else "atom",
            full_content=i % 5 == 0,
            tagline="Generated news for load tests.",
        )
        for i in range(n_feeds)
    ]
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    end = start + timedelta(days=22)
    articles: list[CorpusArticle] = []
    groups: dict[str, list[str]] = {}  # original id -> the original and its copies
    originals: list[CorpusArticle] = []
    titles: dict[str, str] = {}
    for n in range(n_articles):
        outlet = outlets[n % n_feeds]
        published = start + timedelta(minutes=rng.randint(0, 22 * 24 * 60))
        art_id = f"synth-{n:05d}"
        is_copy = bool(originals) and rng.random() < NEAR_DUPLICATE_SHARE
        if is_copy:
            original = rng.choice(originals)
            paragraphs = _near_copy(rng, original.paragraphs)
            title = f"{original.title}: what we know"
            published = min(original.published + timedelta(minutes=rng.randint(20, 600)), end)
            groups[original.id].append(art_id)
        else:
            company = rng.choice(_COMPANIES)
            thing = rng.choice(_THINGS)
            paragraphs = _paragraphs(rng, company, thing)
            title = f"{company} {rng.choice(_VERBS)} {thing} in {rng.choice(_PLACES)}"
            groups[art_id] = [art_id]
        article = CorpusArticle(
            id=art_id,
            outlet=outlet.slug,
            title=title,
            author=rng.choice(_PEOPLE),
            published=published,
            language="en",
            slug=f"{art_id}-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60],
            paragraphs=tuple(paragraphs),
            summary=paragraphs[0].split(". ")[0].rstrip(".") + ".",
        )
        articles.append(article)
        if not is_copy:
            originals.append(article)
            titles[art_id] = title
    truth = GroundTruth(
        events=tuple(Event(f"event-{first}", titles[first], tuple(group)) for first, group in groups.items()),
        syndicated=tuple(tuple(group) for group in groups.values() if len(group) > 1),
    )
    return assemble_site(
        base_url,
        outlets,
        articles,
        truth,
        title="Tidings synthetic newsstand",
        builder=lambda base: build_synthetic_site(base, n_feeds, n_articles, seed),
    )
