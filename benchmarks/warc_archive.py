"""Build a WARC archive in the layout of Common Crawl's CC-NEWS, for backfill tests and benchmarks.

    .venv/bin/python -m benchmarks.warc_archive OUT.warc.gz [--real N] [--demo] [--synthetic N]

Each page becomes a ``response`` record (WARC/1.0, HTTP/1.1 headers, the HTML as served)
preceded by its ``request`` record, after one ``warcinfo`` record, each record gzipped on its
own as CC-NEWS does. Pages come from trafilatura's evaluation set (real third-party pages,
read from the datasets folder and never copied into the repository), the demo newsstand
(real stories in four languages) and the generated newsstand of ``tidings.demo.synthetic``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from tests.backfill.warc import BASE, demo_pages, real_pages, synthetic_pages, write_warc  # noqa: F401


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--real", type=int, default=0, help="pages of trafilatura's evaluation set")
    parser.add_argument("--demo", action="store_true", help="the demo newsstand's articles")
    parser.add_argument("--synthetic", type=int, default=0, help="articles of a generated newsstand")
    parser.add_argument("--plain", action="store_true", help="an uncompressed .warc")
    args = parser.parse_args()

    def pages() -> Iterator[tuple[str, bytes, datetime]]:
        if args.real:
            yield from real_pages(args.real)
        if args.demo:
            yield from demo_pages()
        if args.synthetic:
            yield from synthetic_pages(args.synthetic)

    count = write_warc(args.out, pages(), gzip=not args.plain)
    print(f"{args.out}: {count} response records, {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
