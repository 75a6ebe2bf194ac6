"""Streaming readers for ``tidings backfill``: WARC / WARC.gz archives and JSON Lines article dumps.

Both yield :class:`ArchiveRecord` values one at a time (never a whole file in memory). A record
that cannot be used is yielded with ``error`` set, so the driver counts it and goes on:

* WARC (the layout of Common Crawl's CC-NEWS: ``response`` records holding HTML, each gzipped
  on its own). Read with FastWARC, chosen by measurement over warcio (docs/scale.md: 3x less
  CPU on the same archive, and a corrupt gzip member raises instead of printing and stopping).
  A non-HTML response is ``no_html``; a record over ``max_bytes`` is ``too_large`` (skipped
  without being read into memory); a record cut short by the end of the file is ``truncated``;
  a corrupt gzip member is ``corrupt``, and reading resumes at the next intact member.
* JSON Lines: one article a line, ``{"url", "title"?, "text"?, "html"?, "published"?,
  "language"?}``; a line with ``html`` is extracted like a page, one with ``text`` is taken as
  it is. A line that is not such an object is ``bad_line``.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

MAX_RECORD_BYTES = 10_000_000  # as fetch.max_bytes: a larger page is refused
_GZIP_MAGIC = b"\x1f\x8b\x08"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(slots=True)
class ArchiveRecord:
    """One article candidate read from an archive (HTML to extract, or text as given)."""

    origin: str  # "path#offset" or "path:line": where it was read
    url: str
    body: bytes | None = None  # the HTTP payload (HTML), undecoded
    content_type: str | None = None
    date: datetime | None = None  # the crawl date (WARC-Date), or the dump's "published"
    title: str | None = None  # JSON Lines: given fields
    text: str | None = None
    language: str | None = None
    error: str | None = None  # "kind: message" when the record cannot be used


def archive_kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz", ".arc.gz")):
        return "warc"
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".json")):
        return "jsonl"
    raise ValueError(f"{path}: not a .warc, .warc.gz or .jsonl file")


def read_archive(path: Path, *, max_bytes: int = MAX_RECORD_BYTES, position: list[int] | None = None
                 ) -> Iterator[ArchiveRecord]:
    """The records of one archive file; ``position[0]`` follows the bytes of the file read so far."""
    if archive_kind(path) == "warc":
        yield from read_warc(path, max_bytes=max_bytes, position=position)
    else:
        yield from read_jsonl(path, max_bytes=max_bytes, position=position)


# -- WARC ---------------------------------------------------------------------------------------

def _next_member(handle: BinaryIO, start: int) -> int | None:
    """The offset of the next intact gzip member holding a WARC record at or after ``start``."""
    handle.seek(start)
    offset = start
    tail = b""
    while True:
        chunk = handle.read(1 << 20)
        if not chunk:
            return None
        data = tail + chunk
        base = offset - len(tail)
        at = data.find(_GZIP_MAGIC)
        while at != -1:
            handle.seek(base + at)
            head = handle.read(1 << 16)
            try:
                if zlib.decompressobj(wbits=31).decompress(head, 16).startswith(b"WARC/"):
                    return base + at
            except zlib.error:
                pass
            at = data.find(_GZIP_MAGIC, at + 1)
        tail = data[-2:]
        offset += len(chunk)
        handle.seek(offset)


def read_warc(path: Path, *, max_bytes: int = MAX_RECORD_BYTES, position: list[int] | None = None
              ) -> Iterator[ArchiveRecord]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    position = position if position is not None else [0]
    with open(path, "rb") as handle:
        start = 0
        reported = False  # one report per damaged stretch, however many resumes it takes
        while True:
            handle.seek(start)
            records = ArchiveIterator(handle, record_types=WarcRecordType.response, parse_http=True,
                                      fsspec_args=False)
            last = start
            try:
                for record in records:
                    last = start + record.stream_pos  # the iterator counts from where it started
                    position[0] = handle.tell()
                    reported = False
                    yield _warc_record(path, record, last, max_bytes)
                return
            except OSError as exc:  # a corrupt gzip member: report it, resume at the next intact one
                if not reported:
                    yield ArchiveRecord(f"{path}#{last}", "", error=f"corrupt: {exc}")
                    reported = True
                resume = _next_member(handle, last + 1)
                if resume is None:
                    return
                start = resume


def _warc_record(path: Path, record: Any, offset: int, max_bytes: int) -> ArchiveRecord:
    origin = f"{path}#{offset}"
    url = record.headers.get("WARC-Target-URI") or ""
    date = record.record_date
    content_type = (record.http_content_type or "").lower()
    if record.content_length > max_bytes:
        return ArchiveRecord(origin, url, date=date, error=f"too_large: {record.content_length} bytes")
    if not content_type.startswith(_HTML_TYPES):
        return ArchiveRecord(origin, url, date=date, error=f"no_html: {content_type or 'no content type'}")
    body = record.reader.read()
    # the HTTP headers are part of content_length; a body cut short by the end of the file is truncated
    if record.reader.read(1) == b"" and _cut_short(record, body):
        return ArchiveRecord(origin, url, date=date, error="truncated: the file ends inside this record")
    header = record.http_headers.get("Content-Type")
    return ArchiveRecord(origin, url, body=body, content_type=header, date=date)


def _cut_short(record: Any, body: bytes) -> bool:
    declared = record.http_headers.get("Content-Length")
    if declared and declared.strip().isdigit():
        return len(body) < int(declared.strip())
    return False


# -- JSON Lines ---------------------------------------------------------------------------------

def read_jsonl(path: Path, *, max_bytes: int = MAX_RECORD_BYTES, position: list[int] | None = None
               ) -> Iterator[ArchiveRecord]:
    from tidings.timeutil import parse_datetime

    position = position if position is not None else [0]
    gzipped = path.name.endswith(".gz")
    with open(path, "rb") as raw, (gzip.open(raw, "rb") if gzipped else open(path, "rb")) as handle:
        for number, line in enumerate(handle, start=1):
            position[0] = raw.tell() if gzipped else handle.tell()
            origin = f"{path}:{number}"
            if not line.strip():
                continue
            if len(line) > max_bytes:
                yield ArchiveRecord(origin, "", error=f"too_large: {len(line)} bytes")
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                url = data.get("url")
                if not isinstance(url, str) or not url:
                    raise ValueError("no 'url'")
                html = data.get("html")
                text = data.get("text")
                if not html and not text:
                    raise ValueError("neither 'html' nor 'text'")
                yield ArchiveRecord(
                    origin, url, body=html.encode("utf-8") if isinstance(html, str) else None,
                    content_type="text/html; charset=utf-8" if html else None,
                    date=parse_datetime(data.get("published")), title=data.get("title"),
                    text=text if isinstance(text, str) else None, language=data.get("language"))
            except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
                yield ArchiveRecord(origin, "", error=f"bad_line: {exc}")
