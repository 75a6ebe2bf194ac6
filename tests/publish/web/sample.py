"""A small hand-made newsroom for the web tests: three outlets, five stories (one merged,
one built from hostile feed content), a cited summary in two languages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tidings.store.db import Store
from tidings.store.models import Article, Source, Story, Summary

NOW = datetime.now(timezone.utc).replace(microsecond=0)
XSS_TITLE = '<img src=x onerror=alert(1)>Hostile headline</script><script>alert(2)</script>'
XSS_LEAD = 'Lead with </script><script>alert(3)</script> and <svg onload=alert(4)> inside'
JS_URL = "javascript:alert(5)"


@dataclass
class Sample:
    main: str = "storymain0000001"
    similar: str = "storysimilar0002"
    merged: str = "storymerged00003"
    hostile: str = "storyhostile0004"
    other: str = "storyother000005"
    articles: dict[str, int] | None = None
    edition_id: int = 0
    draft_id: int = 0


def populate(store: Store) -> Sample:
    sample = Sample()
    with store.transaction() as s:
        wire = Source(url="https://wire.example/feed.xml", homepage="https://wire.example/", name="Harbour Wire",
                      country="GB", language="en", authority=0.9)
        veille = Source(url="https://veille.example/rss", homepage="https://veille.example/", name="La Veille",
                        country="FR", language="fr", authority=0.7)
        bad = Source(url="https://bad.example/feed", name='Evil <b onmouseover=alert(6)>Outlet</b>', country="US",
                     language="en", authority=0.2, consecutive_errors=3, last_error_kind="timeout")
        s.add_all([wire, veille, bad])
        s.flush()

        def article(key: str, source: Source, title: str, hours_ago: float, language: str, url: str | None = None,
                    text: str = "") -> Article:
            a = Article(canonical_url=url or f"{source.homepage or 'https://bad.example/'}{key}", url=url or
                        f"{source.homepage or 'https://bad.example/'}{key}", source_id=source.id, title=title,
                        text=text or f"{title}. " * 5, language=language, content_hash=key,
                        published_at=NOW - timedelta(hours=hours_ago))
            s.add(a)
            return a

        a1 = article("orbital", wire, "Orbital launch puts weather satellite in orbit", 6, "en",
                     text="The Aurora rocket carried the Skyward weather satellite into orbit on Tuesday.")
        a2 = article("orbital-fr", veille, "Le lancement orbital place un satellite météo en orbite", 5, "fr",
                     text="La fusée Aurora a placé le satellite Skyward en orbite mardi.")
        a3 = article("orbital-2", wire, "Weather satellite sends first images", 2, "en",
                     text="Skyward sent its first images of the Atlantic storm season.")
        a4 = article("budget", veille, "Le budget spatial européen augmente", 30, "fr",
                     text="Les ministres ont approuvé une hausse du budget spatial européen.")
        a5 = article("evil", bad, XSS_TITLE, 3, "en", url="https://bad.example/evil",
                     text="Hostile body with <script>alert(7)</script> in it.")
        a6 = article("evil-js", bad, "Link that is javascript", 3, "en", url=JS_URL)
        a7 = article("rates", wire, "Central bank holds interest rates", 10, "en",
                     text="The central bank kept its rate at four percent, citing inflation.")
        # the clusterer's join scores: a1 opened the story (0.21 is the best it reached elsewhere)
        a1.story_score, a2.story_score, a3.story_score = 0.21, 0.83, 0.44
        s.flush()

        def story(sid: str, title: str, section: str, score: float, arts: list[Article], languages: list[str],
                  similar: list[str] | None = None, tags: list[dict] | None = None, merged_into: str | None = None) -> Story:
            times = [a.published_at for a in arts] or [NOW]
            st = Story(id=sid, title=title, section=section, score=score, languages=languages,
                       language=languages[0], article_count=len(arts),
                       outlet_count=len({a.source_id for a in arts}), first_published=min(times),
                       last_published=max(times), similar=similar or [], tags=tags or [],
                       merged_into=merged_into, updated_at=NOW)
            s.add(st)
            s.flush()
            for a in arts:
                a.story_id = sid
            return st

        main = story(sample.main, "Orbital launch", "Science", 3.0, [a1, a2, a3], ["en", "fr"],
                     similar=[sample.similar, sample.merged, sample.main, sample.similar],
                     tags=[{"name": "Skyward", "key": "skyward", "kind": "entity", "score": 1.0},
                           {"name": "Aurora rocket", "key": "aurora rocket", "kind": "keyphrase", "score": 0.5}])
        story(sample.similar, "Space budget", "Science", 1.5, [a4], ["fr"],
              tags=[{"name": "Skyward", "key": "skyward", "kind": "entity", "score": 0.4}])
        story(sample.merged, "Old launch story", "Science", 0.1, [], ["en"], merged_into=sample.main)
        hostile = story(sample.hostile, XSS_TITLE, "World", 2.0, [a5, a6], ["en"],
                        tags=[{"name": "<script>alert(8)</script>", "key": "xss", "kind": "keyphrase", "score": 1}])
        story(sample.other, "Rates on hold", "Business", 1.0, [a7], ["en"])

        summary = Summary(story_id=sample.main, version=1, headline="Skyward weather satellite reaches orbit",
                          lead="The Aurora rocket put the Skyward weather satellite into orbit on Tuesday.",
                          sentences=[{"text": "The Aurora rocket carried the Skyward weather satellite into orbit.",
                                      "cites": [a1.id, a2.id]},
                                     {"text": "Skyward sent its first images of the Atlantic storm season.",
                                      "cites": [a3.id]}],
                          language="en", languages=["en", "fr"], method="extractive")
        evil = Summary(story_id=sample.hostile, version=1, headline=XSS_TITLE, lead=XSS_LEAD,
                       sentences=[{"text": "A sentence <img src=x onerror=alert(9)> with a payload.",
                                   "cites": [a5.id, a6.id]}],
                       language="en", languages=["en"], method="extractive")
        s.add_all([summary, evil])
        s.flush()
        main.summary_id = summary.id
        hostile.summary_id = evil.id
        from tidings.store.newsletter_models import DRAFT, PUBLISHED, Edition, EditionItem

        published = Edition(slug="2026-11-23", title="Morning edition", intro="Hello", status=PUBLISHED,
                            published_at=NOW - timedelta(hours=1))
        published.items = [EditionItem(story_id=sample.other, section="Business", position=0),
                           EditionItem(story_id=sample.main, section="Science", position=0, is_lead=True),
                           EditionItem(story_id=sample.similar, section="Science", position=1, dropped=True)]
        draft = Edition(title="Unfinished draft", status=DRAFT)
        s.add_all([published, draft])
        s.flush()
        sample.edition_id, sample.draft_id = published.id, draft.id
        sample.articles = {"orbital": a1.id, "orbital-fr": a2.id, "orbital-2": a3.id, "budget": a4.id,
                           "evil": a5.id, "evil-js": a6.id, "rates": a7.id}
    return sample
