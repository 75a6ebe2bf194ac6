"""Safe XML parsing: no entity-expansion bombs, no external entities, no DTD fetching.

Feeds and sitemaps come from strangers. Before any parser that might expand
entities sees a document, :func:`screen_xml` rejects documents that declare
entities (the billion-laughs bomb and XXE both need an ``<!ENTITY``) and
:func:`parse_xml` parses with :mod:`defusedxml`, which forbids entity
declarations and external references and never fetches a DTD.
"""

from __future__ import annotations

import re
import zlib
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as _ExpatError

import defusedxml
import defusedxml.ElementTree as DET

# Sitemaps may be 50 MB uncompressed (sitemaps.org); nothing we parse needs more.
MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024

_XML_DECL_ENCODING = re.compile(r"""(\A\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")
_GZIP_MAGIC = b"\x1f\x8b"
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
# what may come before the root element: blanks, a BOM, processing instructions,
# comments and one DOCTYPE (its internal subset in brackets)
_PROLOG_ITEM = re.compile(
    rb"\s+|\xef\xbb\xbf|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\]\s*)*>",
    re.DOTALL | re.IGNORECASE,
)
_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class ParseError(ValueError):
    """A feed, sitemap or XML document could not be parsed."""


class UnsafeXMLError(ParseError):
    """The document declares entities or external references, which we refuse."""


def to_bytes(body: bytes | str) -> bytes:
    """Documents are handled as bytes so the XML declaration picks the charset."""
    if isinstance(body, str):
        # already decoded: encode as UTF-8 and make the XML declaration say so
        return _XML_DECL_ENCODING.sub(r"\1utf-8\2", body.lstrip("\ufeff"), count=1).encode("utf-8")
    return bytes(body)


_WIDE_ENCODINGS = (  # (signature, codec): BOMs first, then a bare "<" or "<?" in a wide encoding
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)


def as_utf8(body: bytes) -> bytes:
    """Re-encode a UTF-16 or UTF-32 document as UTF-8 (declaration rewritten), so
    byte-level checks such as :func:`screen_xml` see its markup; others pass as is."""
    head = body[:4]
    for signature, codec in _WIDE_ENCODINGS:
        if head.startswith(signature):
            text = body.decode(codec, errors="replace").lstrip("\ufeff")
            return to_bytes(text)
    return body


def maybe_gunzip(body: bytes, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Decompress a gzip body (``sitemap.xml.gz``), refusing more than ``limit`` bytes out."""
    if not body.startswith(_GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise ParseError(f"corrupt gzip data: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise ParseError(f"gzip body inflates past {limit} bytes; refused")
    return out


def _prolog(body: bytes) -> bytes | None:
    """The bytes before the root element, or ``None`` when the prolog holds
    something unexpected (then we cannot tell where the document starts)."""
    pos = 0
    while pos < len(body):
        if _ROOT_START.match(body, pos):
            return body[:pos]
        item = _PROLOG_ITEM.match(body, pos)
        if item is None or item.end() == pos:
            return None
        pos = item.end()
    return body


_ROOT_NAME = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def root_name(body: bytes) -> str | None:
    """Local name of the root element (lowercased), read without parsing;
    ``None`` when the prolog cannot be delimited."""
    prolog = _prolog(body)
    if prolog is None:
        return None
    match = _ROOT_NAME.match(body, len(prolog))
    return match.group(1).decode("ascii", "replace").lower() if match else None


def screen_xml(body: bytes) -> None:
    """Raise :class:`UnsafeXMLError` when the document declares entities.

    A textual check, so it also catches hostile documents that are malformed
    (which a strict parser stops reading before the declaration, leaving a
    lenient fallback parser to meet it). Entity declarations only work inside
    the DOCTYPE before the root element, so a well-shaped prolog is all that is
    checked: an article about XXE quoting ``<!ENTITY`` in a CDATA section is
    fine. When the prolog cannot be delimited, any DOCTYPE together with any
    ``<!ENTITY`` anywhere is refused.
    """
    body = as_utf8(body)
    prolog = _prolog(body)
    if prolog is not None:
        hostile = bool(_ENTITY_DECL.search(prolog))
    else:
        hostile = bool(_DOCTYPE.search(body) and _ENTITY_DECL.search(body))
    if hostile:
        raise UnsafeXMLError("the document declares XML entities (<!ENTITY>); refused as unsafe")


def parse_xml(body: bytes) -> Element:
    """Parse ``body`` into an ElementTree element with defusedxml.

    Raises :class:`UnsafeXMLError` for entity declarations or external
    references and :class:`ParseError` for XML that is not well-formed.
    """
    body = as_utf8(body)
    screen_xml(body)  # entity declarations refused first, then the DOCTYPE left out
    body = _without_doctype(body)
    try:
        try:
            return DET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
        except LookupError:  # the declaration names an encoding Python does not know ("WTF-8"): read as UTF-8
            body = to_bytes(body.decode("utf-8", errors="replace"))
            return DET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except LookupError as exc:
        raise ParseError(f"unknown encoding: {exc}") from None
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeXMLError(f"unsafe XML refused: {exc}") from None
    except _ExpatError as exc:
        raise ParseError(f"not well-formed XML: {exc}") from None


_DOCTYPE_DECL = re.compile(rb"<!DOCTYPE(?:[^\[>]|\[.*?\]\s*)*>", re.DOTALL | re.IGNORECASE)


def _without_doctype(body: bytes) -> bytes:
    """``body`` with its DOCTYPE taken out of the prolog before expat sees it.

    Nothing we read needs a DTD (entity declarations are refused anyway), and a DOCTYPE
    whose external identifier runs on for kilobytes crashed the interpreter (SIGSEGV) in
    pyexpat under defusedxml's handlers (found by benchmarks/fuzz.py; the input is
    benchmarks/fuzz_corpus/safexml/crash-*.bin). A DOCTYPE in a prolog that cannot be
    delimited is refused."""
    if not _DOCTYPE.search(body):
        return body
    prolog = _prolog(body)
    if prolog is None:
        screen_xml(body)  # an entity declaration is reported as such
        raise ParseError("not well-formed XML: a DOCTYPE in a prolog that cannot be read")
    return _DOCTYPE_DECL.sub(b"", prolog) + body[len(prolog):]


def is_well_formed(body: bytes) -> bool:
    """True when ``body`` parses as safe XML; ``False`` when it is malformed.

    Unsafe documents still raise :class:`UnsafeXMLError`.
    """
    try:
        parse_xml(body)
    except UnsafeXMLError:
        raise
    except ParseError:
        return False
    return True


def local_name(tag: object) -> str:
    """``{namespace}name`` -> ``name`` (lowercased); comments and PIs give ``""``."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "as_utf8",
    "ParseError",
    "UnsafeXMLError",
    "is_well_formed",
    "local_name",
    "maybe_gunzip",
    "parse_xml",
    "root_name",
    "screen_xml",
    "to_bytes",
]
