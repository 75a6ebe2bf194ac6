"""OPML in and out: the usual way feed readers exchange their source lists.

Tidings reads the standard ``outline`` attributes (``xmlUrl``, ``htmlUrl``,
``text``/``title``, ``language``) and its own optional ones (``country``,
``authority``, and ``type="sitemap"`` for a site without a feed). Nested
outlines (folders) are flattened. Parsing goes through defusedxml, so an OPML
file cannot expand entities or read local files.
"""

from __future__ import annotations

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


def read_opml(text: str | bytes) -> list[SourceSpec]:
    """The sources listed in an OPML document, in document order, without repeats."""
    try:
        root = SafeET.fromstring(text)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise OPMLError(f"not valid OPML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OPMLError(f"not an OPML document (root element is <{root.tag}>)")
    specs: list[SourceSpec] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        attrs = {k.lower(): v.strip() for k, v in outline.attrib.items()}
        kind = "sitemap" if attrs.get("type", "").lower() == "sitemap" else "feed"
        url = attrs.get("xmlurl")
        if not url:
            continue  # a folder, or an outline without a feed
        if url in seen:
            continue
        seen.add(url)
        authority = _float(attrs.get("authority"))
        specs.append(
            SourceSpec(
                url=url,
                kind=kind,
                name=attrs.get("title") or attrs.get("text") or url,
                homepage=attrs.get("htmlurl") or None,
                country=(attrs.get("country") or None),
                language=(attrs.get("language") or None),
                authority=authority if authority is not None else 0.5,
            )
        )
    return specs


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
