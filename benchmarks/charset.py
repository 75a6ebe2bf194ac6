"""Charset decoding on real pages: trafilatura's evaluation set (1,027 HTML pages).

Each page is first read with its own declaration (its reference text, a leading
BOM dropped). Then the same text is served in harder ways and we count the pages
whose decoded text is EXACTLY the reference:

* as served, no HTTP charset (the declaration in the page is all there is);
* the in-page declaration removed (``<meta charset>`` / ``<?xml encoding?>``);
* a wrong HTTP charset (ISO-8859-1 for a UTF-8 page, UTF-8 for a legacy one);
* the text re-encoded to Windows-1252 or Windows-1251 with no declaration at all,
  and the same bytes declared UTF-8 (pages those encodings cannot hold, or that
  stay pure ASCII, are left out of those rows).

Controls in the same run: charset_normalizer's own best guess on the bytes alone,
and plain UTF-8 with replacement characters.

    .venv/bin/python -m benchmarks.charset [--limit N]

The corpus is read from its tarball in memory, never unpacked into the repository.
"""

from __future__ import annotations

import argparse
import codecs
import os
import re
import sys
import tarfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from tidings.fetch.charset import declared_in_body, decode_body, normalize_label

DECLARATION = re.compile(rb"""((?:<meta[^>]+?charset|<\?xml[^>]*?encoding)\s*=\s*["']?\s*)[A-Za-z0-9._:\-]+""", re.I)


def datasets_dir() -> Path:
    env = os.environ.get("TIDINGS_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def pages(tarball: Path, limit: int | None) -> Iterator[bytes]:
    with tarfile.open(tarball) as archive:
        count = 0
        for member in archive:
            if member.isfile() and member.name.endswith(".html"):
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                yield handle.read()
                count += 1
                if limit and count >= limit:
                    return


def reference(body: bytes) -> str | None:
    codec = normalize_label(declared_in_body(body))
    for name in ([codec] if codec else []) + ["utf-8"]:
        try:
            return body.decode(name).removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
    return None


def strip_declaration(data: bytes) -> bytes:
    return DECLARATION.sub(rb"\1x-unknown", data)


def ours(data: bytes, content_type: str) -> str:
    return decode_body(data, content_type)[0]


def detector_only(data: bytes, content_type: str) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("utf-8", errors="replace")


def utf8_replace(data: bytes, content_type: str) -> str:
    return data.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")


METHODS: list[tuple[str, Callable[[bytes, str], str]]] = [
    ("tidings decode_body", ours),
    ("charset_normalizer alone (control)", detector_only),
    ("UTF-8 with replacement (baseline)", utf8_replace),
]


def cases(body: bytes, ref: str) -> Iterator[tuple[str, bytes, str, str]]:
    """(case name, bytes, Content-Type, expected text) for one page."""
    codec = normalize_label(declared_in_body(body))
    yield "as served, no HTTP charset", body, "text/html", ref
    bare_ref = strip_declaration(ref.encode("utf-8")).decode("utf-8")
    yield "declaration removed", strip_declaration(body), "text/html", bare_ref
    wrong = "iso-8859-1" if codec in (None, "utf-8") else "utf-8"
    yield "wrong HTTP charset", body, f"text/html; charset={wrong}", ref
    for legacy, label in (("cp1252", "windows-1252"), ("cp1251", "windows-1251")):
        try:
            data = bare_ref.encode(legacy)
        except UnicodeEncodeError:
            continue
        if data.isascii():
            continue
        yield f"{label}, undeclared", data, "text/html", bare_ref
        yield f"{label}, declared UTF-8", data, "text/html; charset=utf-8", bare_ref


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args(argv)
    tarball = datasets_dir() / "trafilatura_eval" / "trafilatura_eval_corpus.tar.gz"
    if not tarball.exists():
        print(f"skipped: {tarball} not found (set TIDINGS_DATASETS)")
        return 0
    totals: Counter[str] = Counter()
    right: Counter[tuple[str, str]] = Counter()
    seconds: Counter[str] = Counter()
    skipped = 0
    for body in pages(tarball, args.limit):
        ref = reference(body)
        if ref is None:
            skipped += 1
            continue
        for case, data, content_type, expected in cases(body, ref):
            totals[case] += 1
            for name, method in METHODS:
                started = time.perf_counter()
                got = method(data, content_type)
                seconds[name] += time.perf_counter() - started
                right[(case, name)] += got == expected
    names = [name for name, _ in METHODS]
    print(f"Pages decoded to exactly the reference text ({totals['as served, no HTTP charset']} pages; "
          f"{skipped} without a usable reference left out)\n")
    header = "| case | pages | " + " | ".join(names) + " |"
    print(header)
    print("|" + "---|" * (2 + len(names)))
    for case in totals:
        cells = [f"{right[(case, n)] / totals[case]:.1%} ({right[(case, n)]})" for n in names]
        print(f"| {case} | {totals[case]} | " + " | ".join(cells) + " |")
    calls = sum(totals.values())
    print("\nmean time per decode (ms; noisy, shared 2-core box): "
          + ", ".join(f"{n}: {1000 * seconds[n] / calls:.2f}" for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
