"""Render an edition three ways: an HTML email (CSS inlined, table layout), Markdown, plain text.

All text from outside (headlines, sentences, outlet names, the intro, the sponsor) is escaped
for the format it goes into: Jinja2 autoescaping for HTML, backslash escapes for Markdown."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import css_inline
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tidings.publish.editions.content import EditionContent, StoryBlock

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
GMAIL_CLIP_BYTES = 102 * 1024


@dataclass(frozen=True, slots=True)
class Links:
    """The per-reader links of the footer; the archive copy has no personal ones."""

    archive: str
    web: str | None = None
    unsubscribe: str | None = None
    preferences: str | None = None
    signup: str | None = None


def default_links(content: EditionContent) -> Links:
    base = content.base_url.rstrip("/")
    return Links(archive=f"{base}/editions", web=f"{base}/editions/{content.slug}" if content.slug else None,
                 signup=f"{base}/newsletter/signup")


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "xml"]),
                       trim_blocks=False, lstrip_blocks=False)


@lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    # keep the <style> block: its dark-mode media query cannot be inlined
    return css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def render_html(content: EditionContent, links: Links | None = None) -> str:
    html = environment().get_template("newsletter/email.html").render(c=content, links=links or default_links(content))
    return _inliner().inline(html)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def _md_story(s: StoryBlock, level: str) -> list[str]:
    out = [f"{level} {md_escape(s.headline)}", ""]
    for para in s.paragraphs:
        parts = []
        for sent in para:
            cites = "".join(f" [\\[{n}\\]]({md_url(s.sources[n - 1].url)})" for n in sent.cites)
            parts.append(md_escape(sent.text) + cites)
        out += [" ".join(parts), ""]
    if s.sources:
        out.append("Sources:")
        out += [f"{src.number}. [{md_escape(src.outlet or src.title)}]({md_url(src.url)})"
                + (f": {md_escape(src.title)}" if src.outlet else "") for src in s.sources]
        out.append("")
    return out


def render_markdown(content: EditionContent, links: Links | None = None) -> str:
    links = links or default_links(content)
    out = [f"# {md_escape(content.title)}", "", f"*{md_escape(content.name)}, {content.date}*", ""]
    out += [md_escape(p) + "\n" for p in content.intro.split("\n\n") if p.strip()]
    if content.lead:
        out += ["**Top story**", ""] + _md_story(content.lead, "##")
    for n, section in enumerate(content.sections):
        out += [f"## {md_escape(section.title)}", ""]
        for s in section.stories:
            out += _md_story(s, "###")
        if n == 0 and content.sponsor:
            out += _md_sponsor(content)
    if content.sponsor and not content.sections:
        out += _md_sponsor(content)
    out += ["---", "", md_escape(content.about), ""]
    if links.unsubscribe:
        out.append(f"[Unsubscribe]({md_url(links.unsubscribe)})")
    out.append(f"[Past editions]({md_url(links.archive)})")
    return "\n".join(out).rstrip() + "\n"


def _md_sponsor(content: EditionContent) -> list[str]:
    sp = content.sponsor or {}
    return ["> **Sponsored**", ">", f"> [{md_escape(sp['name'])}]({md_url(sp['url'])}): {md_escape(sp['text'])}", ""]


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(" ".join(text.split()), width=76, initial_indent=indent, subsequent_indent=indent)


def _text_story(s: StoryBlock, lead: bool) -> list[str]:
    head = s.headline.upper() if lead else s.headline
    out = [head, "-" * min(len(head), 76), ""]
    for para in s.paragraphs:
        out += [_wrap(" ".join(sent.text + "".join(f" [{n}]" for n in sent.cites) for sent in para)), ""]
    out += [f"  [{src.number}] {src.outlet + ': ' if src.outlet else ''}{src.title}\n      {src.url}"
            for src in s.sources]
    return out + [""]


def render_text(content: EditionContent, links: Links | None = None) -> str:
    links = links or default_links(content)
    out = [content.name.upper(), content.title, content.date, ""]
    if links.web:
        out += [f"Read it on the web: {links.web}", ""]
    out += [_wrap(p) + "\n" for p in content.intro.split("\n\n") if p.strip()]
    if content.lead:
        out += ["TOP STORY", ""] + _text_story(content.lead, True)
    for n, section in enumerate(content.sections):
        out += ["=" * 76, section.title.upper(), "=" * 76, ""]
        for s in section.stories:
            out += _text_story(s, False)
        if n == 0 and content.sponsor:
            out += _text_sponsor(content)
    if content.sponsor and not content.sections:
        out += _text_sponsor(content)
    out += ["-- ", _wrap(content.about), ""]
    if links.unsubscribe:
        out.append(f"Unsubscribe: {links.unsubscribe}")
    if links.preferences:
        out.append(f"Choose sections: {links.preferences}")
    out.append(f"Past editions: {links.archive}")
    return "\n".join(out).rstrip() + "\n"


def _text_sponsor(content: EditionContent) -> list[str]:
    sp = content.sponsor or {}
    return ["[SPONSORED]", _wrap(f"{sp['name']}: {sp['text']}"), sp["url"], ""]
