"""Summaries in the store: written once, refreshed only on material change, versions kept,
and `tidings summarize --story ID` redoes one."""

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from tidings.cli import cli
from tidings.config import Config
from tidings.store.db import Store
from tidings.store.models import Article, Source, Story, Summary
from tidings.summarize.refresh import basis_of, materially_changed, refresh_summaries
from tidings.timeutil import utcnow

T0 = utcnow() - timedelta(hours=5)
TEXT_A = ("The city of Ghent switched its tax-help chatbot to an open-weight model running in the city's own data "
          "centre on Monday. The council said residents' questions would no longer leave Belgium. The project cost "
          "420,000 euros and took nine months. Alderman Pieter Claes said the old service had answered 61,000 "
          "questions last year. Opposition councillors asked for an audit of the new system's answers.")
TEXT_B = ("Ghent moved its municipal chatbot to an open-weight model hosted in its own data centre, the council "
          "announced on Monday. The switch cost 420,000 euros, officials said. Residents' questions will no longer "
          "leave Belgium, according to the council. The city plans to publish an audit of the system's answers in "
          "the spring.")
TEXT_C = ("Flemish privacy regulators welcomed Ghent's decision on Tuesday and said they would study the audit. The "
          "regulator's chair Els Maes said 14 other municipalities had asked for similar advice. Ghent's chatbot "
          "now runs on 6 servers in the city's data centre.")


def _setup(store: Store) -> None:
    with store.transaction() as s:
        for i, name in enumerate(["Gazette", "Courier", "Herald"], start=1):
            s.add(Source(id=i, url=f"https://{name.lower()}.example/feed", name=name, kind="feed", authority=0.5,
                         consecutive_errors=0, active=True))
        s.add(Story(id="ghent", title="Ghent chatbot", needs_summary=True, state={}))
        s.flush()
        for i, (src, text) in enumerate([(1, TEXT_A), (2, TEXT_B)], start=1):
            s.add(Article(id=i, canonical_url=f"https://x.example/{i}", url=f"https://x.example/{i}", source_id=src,
                          title=f"Ghent moves its chatbot home ({i})", text=text, content_hash=str(i), version=1,
                          language="en", published_at=T0 + timedelta(hours=i), story_id="ghent"))


def test_versions_are_written_on_material_change_only(tmp_path):
    config = Config(database_url=f"sqlite:///{tmp_path / 't.db'}")
    store = Store(config.database_url)
    _setup(store)
    first = refresh_summaries(config, store)
    assert (first.summarized, first.failed) == (1, 0)
    with store.transaction() as s:
        s.get(Story, "ghent").needs_summary = True  # flagged, but nothing new
    second = refresh_summaries(config, store)
    assert (second.summarized, second.unchanged) == (0, 1)
    with store.transaction() as s:  # a new outlet reports new facts
        s.add(Article(id=3, canonical_url="https://x.example/3", url="https://x.example/3", source_id=3,
                      title="Regulators welcome Ghent's move", text=TEXT_C, content_hash="3", version=1,
                      language="en", published_at=T0 + timedelta(hours=20), story_id="ghent"))
        s.get(Story, "ghent").needs_summary = True
    third = refresh_summaries(config, store)
    assert third.summarized == 1
    with store.reading() as s:
        versions = s.scalars(select(Summary).where(Summary.story_id == "ghent").order_by(Summary.version)).all()
        assert [v.version for v in versions] == [1, 2]
        story = s.get(Story, "ghent")
        assert story.summary_id == versions[-1].id and not story.needs_summary
        assert versions[-1].basis["outlets"] == [1, 2, 3]
        for sentence in versions[-1].sentences:
            assert sentence["cites"] and set(sentence["cites"]) <= {1, 2, 3}
            assert any(sentence["text"] in t for t in (TEXT_A, TEXT_B, TEXT_C))
            texts = {1: TEXT_A, 2: TEXT_B, 3: TEXT_C}  # extractive: each names the article it was taken from
            assert sentence["from"] in sentence["cites"] and sentence["text"] in texts[sentence["from"]]


def test_summarize_story_command_forces_a_new_version(tmp_path):
    toml = tmp_path / "tidings.toml"
    toml.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "t.db"}"\n')
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    _setup(store)
    run = CliRunner().invoke
    assert run(cli, ["--config", str(toml), "summarize", "--story", "ghent"]).exit_code == 0
    result = run(cli, ["--config", str(toml), "summarize", "--story", "ghent"])
    assert result.exit_code == 0 and "1 summary version" in result.output
    with store.reading() as s:
        assert s.scalar(select(Summary.version).order_by(Summary.version.desc())) == 2
    missing = run(cli, ["--config", str(toml), "summarize", "--story", "nope"])
    assert missing.exit_code != 0 and "no story nope" in missing.output


def test_materiality_rule():
    base = {"outlets": [1], "facts": ["ghent", "420,000"]}
    assert materially_changed(None, base)
    assert not materially_changed(base, {"outlets": [1], "facts": ["ghent", "420,000", "monday"]})
    assert materially_changed(base, {"outlets": [1, 2], "facts": ["ghent"]})
    assert materially_changed(base, {"outlets": [1], "facts": ["ghent", "a", "b", "c"]})
    assert basis_of([]) == {"articles": [], "outlets": [], "facts": []}
