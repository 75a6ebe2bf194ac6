"""OPML in and out: the usual way feed readers exchange their source lists.

Tidings reads the standard ``outline`` attributes (``xmlUrl``, ``htmlUrl``,
``text``/``title``, ``language``) and its own optional ones (``country``,
``authority``, and ``type="sitemap"`` for a site without a feed). Nested
outlines (folders) are flattened. Parsing goes through defusedxml, so an OPML
file cannot expand entities or read local files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from tidings.sources.spec import SourceSpec
from tidings.timeutil import utcnow


class OPMLError(ValueError):
    """The file is not a usable OPML document."""


def _float(value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise OPMLError(f"authority must be a number, got {value!r}") from None


@dataclass(slots=True)
class Outlines:
    """What an OPML document lists: feeds to poll, homepages whose feed is to be discovered, and
    every outline left out with the reason."""

    feeds: list[SourceSpec] = field(default_factory=list)
    homepages: list[SourceSpec] = field(default_factory=list)  # url is the homepage; kind "feed" for now
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (the outline's name or URL, why)


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def read_outlines(text: str | bytes) -> Outlines:
    """Every outline of an OPML document, in document order: a feed, a homepage (``htmlUrl``
    without ``xmlUrl``), a folder (an outline holding others) or skipped with a reason."""
    try:
        root = SafeET.fromstring(text)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise OPMLError(f"not valid OPML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OPMLError(f"not an OPML document (root element is <{root.tag}>)")
    out = Outlines()
    seen: set[str] = set()
    for outline in root.iter("outline"):
        attrs = {k.lower(): v.strip() for k, v in outline.attrib.items()}
        kind = "sitemap" if attrs.get("type", "").lower() == "sitemap" else "feed"
        url, homepage = attrs.get("xmlurl"), attrs.get("htmlurl") or None
        label = attrs.get("title") or attrs.get("text") or url or homepage or "(an outline without a name)"
        if not url and not homepage:
            if len(outline) == 0:  # not a folder: an outline that names nothing to poll
                out.skipped.append((label, "no xmlUrl (feed) or htmlUrl (homepage)"))
            continue
        target = url or homepage or ""
        if not _is_http(target):
            out.skipped.append((label, f"{'xmlUrl' if url else 'htmlUrl'} is not an http(s) URL: {target!r}"))
            continue
        if target in seen:
            out.skipped.append((label, f"listed twice: {target}"))
            continue
        seen.add(target)
        try:
            authority = _float(attrs.get("authority"))
            spec = SourceSpec(url=target, kind=kind, name=attrs.get("title") or attrs.get("text") or target,
                              homepage=homepage, country=attrs.get("country") or None,
                              language=attrs.get("language") or None,
                              authority=authority if authority is not None else 0.5)
        except ValueError as exc:
            out.skipped.append((label, str(exc)))
            continue
        (out.feeds if url else out.homepages).append(spec)
    return out


def read_opml(text: str | bytes) -> list[SourceSpec]:
    """The feeds listed in an OPML document, in document order, without repeats (see
    :func:`read_outlines` for the homepages and the outlines left out)."""
    return read_outlines(text).feeds


def write_opml(specs: list[SourceSpec], title: str = "Tidings sources") -> str:
    """An OPML 2.0 document listing ``specs``."""
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    SubElement(head, "dateCreated").text = utcnow().strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = SubElement(root, "body")
    for spec in specs:
        attrs = {
            "type": "sitemap" if spec.kind == "sitemap" else "rss",
            "text": spec.name,
            "title": spec.name,
            "xmlUrl": spec.url,
        }
        if spec.homepage:
            attrs["htmlUrl"] = spec.homepage
        if spec.language:
            attrs["language"] = spec.language
        if spec.country:
            attrs["country"] = spec.country
        attrs["authority"] = f"{spec.authority:g}"
        SubElement(body, "outline", attrs)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="unicode") + "\n"
