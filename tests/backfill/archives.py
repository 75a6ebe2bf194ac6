"""Test archives built at test time (never committed): real pages, the demo corpus, and bad records."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

from tests.backfill.warc import demo_pages, real_pages, write_warc

WHEN = datetime(2026, 10, 2, 8, tzinfo=timezone.utc)
FRENCH = ("<html><head><title>Vendanges précoces en Bourgogne</title></head><body><article>"
          "<h1>Vendanges précoces en Bourgogne</h1>"
          + "<p>Les vignerons de Bourgogne ont commencé les vendanges dès la fin de l'été, après une saison "
            "très chaude. Les rendements sont en baisse de douze pour cent selon la chambre d'agriculture.</p>" * 4
          + "</article></body></html>")


def _record(writer, url: str, body: bytes, content_type: str) -> None:
    from warcio.statusandheaders import StatusAndHeaders

    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                               protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                                  warc_headers_dict={"WARC-Date": "2026-10-02T08:00:00Z"}))


def bad_archive(folder: Path) -> dict[str, Path]:
    """A WARC.gz of real and demo pages with a non-HTML record, a 50 MB record, a windows-1252 page
    and one corrupt gzip member inside; a second WARC whose last record is cut off; a JSON Lines dump."""
    from warcio.warcwriter import WARCWriter

    good = folder / "good.warc.gz"
    write_warc(good, [*real_pages(12), *list(demo_pages())[:30]])
    extra = io.BytesIO()
    writer = WARCWriter(extra, gzip=True)
    _record(writer, "http://images.test/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 2000, "image/png")
    _record(writer, "http://huge.test/page.html", b"<html><body>" + b"a" * 50_000_000 + b"</body></html>",
            "text/html")
    _record(writer, "http://vins.test/vendanges.html", FRENCH.encode("cp1252"), "text/html; charset=windows-1252")
    victim_at = extra.tell()
    _record(writer, "http://victim.test/page.html", b"<html><body><p>" + b"lost words " * 400 + b"</p></body></html>",
            "text/html")
    victim_end = extra.tell()
    _record(writer, "http://after.test/page.html", ("<html><head><title>After the damage</title></head><body>"
            "<article><p>" + "This page comes after a damaged record and must still be read. " * 12
            + "</p></article></body></html>").encode(), "text/html; charset=utf-8")
    data = bytearray(extra.getvalue())
    middle = (victim_at + victim_end) // 2
    data[middle:middle + 40] = b"\xff" * 40  # the victim's gzip member is corrupt
    archive = folder / "archive.warc.gz"
    archive.write_bytes(good.read_bytes() + bytes(data))
    good.unlink()

    cut = folder / "cut.warc.gz"
    write_warc(cut, list(real_pages(16))[12:16])
    raw = cut.read_bytes()
    cut.write_bytes(raw[: len(raw) - 600])  # the last record ends early

    dump = folder / "dump.jsonl"
    lines = [
        json.dumps({"url": "http://dump.test/a", "title": "Port strike ends after nine days",
                    "text": "Dock workers in Rotterdam returned to work on Monday after a nine-day strike over pay, "
                            "the union said. " * 5, "published": "2026-10-02T07:00:00Z", "language": "en"}),
        "{not json",
        json.dumps({"title": "no url here", "text": "text"}),
    ]
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"archive": archive, "cut": cut, "dump": dump}
