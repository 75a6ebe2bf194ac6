"""HTML fragments (feed summaries and content) to plain text."""

from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree

# elements whose start and end break a line
_BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_DROP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BREAKS = re.compile(r"\s*\n\s*(?:\n\s*)+")
_TAG_HINT = re.compile(r"<[A-Za-z/!]")


def _walk(node: etree._Element, out: list[str]) -> None:
    tag = node.tag.lower() if isinstance(node.tag, str) else ""
    if tag in _DROP or not isinstance(node.tag, str):
        if node.tail:
            out.append(node.tail)
        return
    block = tag in _BLOCKS
    if block:
        out.append("\n\n" if tag != "br" else "\n")
    if node.text:
        out.append(node.text)
    for child in node:
        _walk(child, out)
    if block and tag != "br":
        out.append("\n\n")
    if node.tail:
        out.append(node.tail)


def html_to_text(fragment: str | None, *, paragraphs: bool = True) -> str:
    """Plain text of an HTML fragment: scripts dropped, entities decoded.

    With ``paragraphs`` block elements become blank-line-separated paragraphs;
    without, everything is one line of single spaces.
    """
    if not fragment or not fragment.strip():
        return ""
    if not _TAG_HINT.search(fragment):
        text = html.unescape(fragment)
    else:
        try:
            root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        except (etree.ParserError, ValueError):
            return normalize_space(html.unescape(re.sub(r"<[^>]*>", " ", fragment)), paragraphs=paragraphs)
        parts: list[str] = []
        _walk(root, parts)
        text = "".join(parts)
    return normalize_space(text, paragraphs=paragraphs)


def normalize_space(text: str, *, paragraphs: bool = True) -> str:
    """Collapse runs of blanks; keep paragraph breaks (one blank line) if asked."""
    if not paragraphs:
        return " ".join(text.split())
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return _BREAKS.sub("\n\n", joined).strip()
