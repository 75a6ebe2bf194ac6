"""Decode a fetched body to text, coping with wrong and missing charsets.

The order of evidence: a byte-order mark (it cannot be there by accident, so the
HTML standard lets it win over the header), the charset of the Content-Type
header, the XML declaration or ``<meta charset>`` in the first bytes, then
charset_normalizer's statistical guess, and finally UTF-8 with replacement
characters. A declared charset is only used when the body decodes with it
without error, and a page declared as Latin-1 / Windows-1252 / ASCII that is
valid UTF-8 with non-ASCII characters is read as UTF-8 (the usual mistake of a
CMS that re-encoded its pages and kept the old header).
"""

from __future__ import annotations

import codecs
import re

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16-LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# labels the WHATWG Encoding standard reads as windows-1252
_WINDOWS_1252_LABELS = frozenset({
    "ascii", "us-ascii", "latin1", "latin-1", "iso-8859-1", "iso8859-1", "iso_8859-1", "l1", "cp819",
    "ibm819", "windows-1252", "cp1252", "x-cp1252", "iso-ir-100", "csisolatin1",
})
_SINGLE_BYTE_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15", "ascii"})
_ALIASES = {"x-sjis": "shift_jis", "gb2312": "gbk", "x-gbk": "gbk", "ks_c_5601-1987": "euc-kr"}

_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)

PRESCAN_BYTES = 4096  # how far into the body the <meta>/<?xml?> declaration is looked for
GUESS_BYTES = 200_000  # how much charset_normalizer looks at
CHAOS_TIE = 0.01  # guesses this close to the best one's "chaos" (mess) score ...
COHERENCE_TIE = 0.02  # ... and language coherence count as equally good


def normalize_label(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None if Python has no such codec.

    ISO-8859-1 and ASCII labels become Windows-1252, as browsers read them."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type.encode("latin-1", "replace"))
    return match.group(1).decode("ascii") if match else None


def bom_encoding(body: bytes) -> tuple[str, int] | None:
    """``(codec, bom_length)`` when the body starts with a byte-order mark."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    return None


def declared_in_body(body: bytes) -> str | None:
    """The charset named by an XML declaration or an HTML ``<meta>`` near the start."""
    head = body[:PRESCAN_BYTES]
    match = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _try(body: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _prefer_utf8(body: bytes, codec: str) -> bool:
    """A body declared single-byte Western that is really UTF-8 (and not plain ASCII)."""
    if codecs.lookup(codec).name not in _SINGLE_BYTE_WESTERN or body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# the legacy encodings web pages actually use (WHATWG Encoding standard, less the Mac ones):
# without this list the detector happily picks mac_latin2 for a French Latin-1 page
WEB_ENCODINGS = (
    "utf_8", "cp1252", "iso8859_15", "iso8859_2", "cp1250", "cp1251", "koi8_r", "koi8_u", "cp866",
    "cp1253", "iso8859_7", "cp1254", "cp1255", "iso8859_8", "cp1256", "iso8859_6", "cp1257", "cp1258",
    "cp874", "iso8859_4", "iso8859_5", "iso8859_10", "iso8859_13", "iso8859_16",
    "gb18030", "big5", "euc_jp", "iso2022_jp", "shift_jis", "cp932", "euc_kr",
)


def guess_encoding(body: bytes) -> str | None:
    """charset_normalizer's guess among web encodings, for a body with no usable declaration.

    Short texts often fit several single-byte encodings equally well (a German page
    reads the same in windows-1250 and windows-1252 until a ``€`` or a curly quote
    comes along); among the guesses that score as well as the best one, the most
    common on the web wins, in :data:`WEB_ENCODINGS` order."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(body[:GUESS_BYTES], cp_isolation=list(WEB_ENCODINGS)))
    if not matches:
        return None
    best = matches[0]
    tied: set[str] = set()
    for match in matches:
        if match.chaos <= best.chaos + CHAOS_TIE and match.coherence >= best.coherence - COHERENCE_TIE:
            tied.add(match.encoding)
            tied.update(match.could_be_from_charset)
    for name in WEB_ENCODINGS:
        if name in tied:
            return normalize_label(name)
    return normalize_label(best.encoding)


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``body``; returns ``(text, codec_name)``. Never raises."""
    bom = bom_encoding(body)
    if bom is not None:
        bom_codec, length = bom
        return body[length:].decode(bom_codec, errors="replace"), bom_codec
    for label in (charset_from_content_type(content_type), declared_in_body(body)):
        codec = normalize_label(label)
        if codec is None:
            continue
        if _prefer_utf8(body, codec):
            return body.decode("utf-8"), "utf-8"
        text = _try(body, codec)
        if text is not None:
            return text, codec
    if body.isascii():
        return body.decode("ascii"), "ascii"
    text = _try(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    codec = guess_encoding(body)
    if codec is not None:
        text = _try(body, codec)
        if text is not None:
            return text, codec
    return body.decode("utf-8", errors="replace"), "utf-8"


_TEXTUAL_TYPES = ("text/", "application/xml", "application/xhtml", "application/json", "application/javascript",
                  "application/ecmascript", "application/rss", "application/atom", "application/rdf",
                  "application/feed+json", "application/x-rss", "application/x-atom")


def is_textual(content_type: str | None, body: bytes) -> bool:
    """Whether a body should be decoded to text: a textual media type, or none at all and no NUL bytes."""
    media = (content_type or "").split(";")[0].strip().lower()
    if not media or media in {"application/octet-stream", "binary/octet-stream"}:
        return b"\x00" not in body[:1024] or bom_encoding(body) is not None
    return media.startswith(_TEXTUAL_TYPES) or media.endswith(("+xml", "+json", "/xml", "/json"))
