"""A bounded fuzz run over the parsers and readers that take input from strangers.

    .venv/bin/python -m benchmarks.fuzz [--inputs 1000000] [--seed 1] [--only feeds,urls] [--hang 5]
    make fuzz

Targets (each the function the product calls, with the exceptions it documents):

* ``feeds`` — :func:`tidings.parse.feeds.parse_feed` (RSS, Atom, RDF, JSON Feed, sitemaps): ParseError;
* ``sitemaps`` — :func:`tidings.parse.sitemaps.parse_sitemap`: ParseError;
* ``safexml`` — :func:`tidings.parse.safexml.parse_xml` and ``maybe_gunzip``: ParseError;
* ``charset`` — :func:`tidings.fetch.charset.decode_body` and ``is_textual``: never raises;
* ``urls`` — :func:`tidings.urls.canonicalize_url` (with and without a base): ValueError;
* ``extract`` — :func:`tidings.extract.article.extract_article` (what the pipeline's workers call): NoArticle;
* ``jsonl`` — the JSON Lines stage commands' reading: :func:`tidings.jsonl.run_lines` with the
  record readers of ``cluster``/``similarity``/``classify``/``tags``/``summarize``/``check``
  (``Article.from_json``, the stories' ``_articles``, ``check``'s ``source_text``): LineError/ValueError;
* ``numbers`` — the faithfulness guard's number reader :func:`tidings.summarize.guard.extract_numbers`
  and ``check_numbers``: never raises.

Inputs are mutations (bit flips, inserted tokens, deleted, repeated and spliced chunks,
one to four at a time, from a fixed random seed) of the saved corpus in
``benchmarks/fuzz_corpus/<target>/``: the seed files plus every input that ever crashed
or hung. Any other exception is a crash, an input that takes more than ``--hang``
seconds of CPU time a hang (CPU, not wall-clock, time: on a shared machine a process
at low priority can wait seconds for a core without being stuck); both are saved to the corpus as ``crash-<sha1>.bin`` and
``tests/fuzz/test_corpus.py`` replays the whole corpus as regression tests. A report is
written to var/fuzz/report.json. Progress is printed every 10,000 inputs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz.targets import CORPUS, Target, targets

ROOT = Path(__file__).resolve().parents[1]
MAX_INPUT = 64 * 1024

# share of --inputs per target (cheap targets get more)
WEIGHTS = {"urls": 0.25, "charset": 0.15, "numbers": 0.15, "jsonl": 0.13, "safexml": 0.12, "feeds": 0.09,
           "sitemaps": 0.09, "extract": 0.02}

TOKENS = [
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', b"&a;", b"<![CDATA[", b"]]>", b"<?xml version='1.0' encoding='utf-16'?>",
    b"<?xml version=\"1.0\" encoding=\"x-unknown\"?>", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x1f\x8b\x08",
    b"<rss version='2.0'>", b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<item>", b"</item>", b"<entry>",
    b"<link href='", b"<link>", b"<guid>", b"<pubDate>", b"<updated>", b"<urlset>", b"<url><loc>", b"<sitemapindex>",
    b"<lastmod>", b"&#0;", b"&#x110000;", b"&#xD800;", b"&amp;", b"&lt;", b"http://", b"https://[::1]:99999/",
    b"//", b"%", b"%zz", b"%00", b"?utm_source=x&a=1#f", b"\\", b"@", b"xn--", b"\xe2\x80\xae", b"\xc3\x28",
    b'{"version": "https://jsonfeed.org/version/1.1", "items": [', b'"id":', b'"title":', b'"text":', b'"articles": [',
    b'"sources": [', b'"summary": ', b"null", b"true", b"1e999", b"-0", b"[]", b"{}", b"\n", b"\r\n", b"\t",
    b"1,000", b"3.5", b"12%", b"$4bn", b"forty-two", b"million", b"1.2.3.4", b"\xef\xbc\x91", b"\xd9\xa3",
    b"charset=", b"<meta charset='", b"text/html; charset=", b"<html lang='", b"<article>", b"<p>", b"<script>",
    b"<title>", b"<h1>", b"<time datetime='", b"<meta property='og:url' content='",
]


class Hang(Exception):
    pass


@dataclass
class Result:
    inputs: int = 0
    allowed_errors: int = 0
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    slowest: float = 0.0


def corpus(name: str) -> list[bytes]:
    folder = CORPUS / name
    return [p.read_bytes() for p in sorted(folder.glob("*")) if p.is_file()]


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        pos = rng.randint(0, len(buf))
        if op == 0 and buf:  # flip bits
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(buf))
                buf[i] ^= 1 << rng.randrange(8)
        elif op == 1:  # insert a token
            buf[pos:pos] = rng.choice(TOKENS)
        elif op == 2 and buf:  # delete a chunk
            buf[pos:pos + rng.randint(1, 64)] = b""
        elif op == 3 and buf:  # repeat a chunk
            start = rng.randrange(len(buf))
            chunk = bytes(buf[start:start + rng.randint(1, 32)])
            buf[pos:pos] = chunk * rng.choice((2, 10, 100, 1000))
        elif op == 4:  # splice with another corpus input
            other = rng.choice(pool)
            cut = rng.randint(0, len(other))
            buf = buf[:pos] + bytearray(other[cut:cut + rng.randint(1, 4096)])
        elif op == 5:  # random bytes
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 6 and buf:  # replace a byte with an interesting one
            buf[rng.randrange(len(buf))] = rng.choice(b"<>&;\"'=/\\\x00\xff\x80\n ")
    return bytes(buf[:MAX_INPUT])


def _alarm(_signum, _frame):  # type: ignore[no-untyped-def]
    raise Hang()


def fuzz(target: Target, count: int, rng: random.Random, hang: float, save: bool) -> Result:
    pool = corpus(target.name) or [b""]
    # the input being run, left behind if the process dies outright (a crash in a C extension)
    current = ROOT / "var" / "fuzz" / f"current-{target.name}.bin"
    current.parent.mkdir(parents=True, exist_ok=True)
    result = Result()
    signal.signal(signal.SIGPROF, _alarm)
    started = time.perf_counter()
    for n in range(count):
        data = pool[n] if n < len(pool) else mutate(rng, rng.choice(pool), pool)
        current.write_bytes(data)
        t0 = time.perf_counter()
        signal.setitimer(signal.ITIMER_PROF, hang)  # CPU seconds: a starved process is not hung
        try:
            target.run(data)
        except Hang:
            result.hangs.append(_save(target.name, data, "hang", save))
        except target.allowed:
            result.allowed_errors += 1
        except RecursionError as exc:
            result.crashes.append(_save(target.name, data, f"RecursionError: {exc}", save))
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            result.crashes.append(_save(target.name, data, f"{type(exc).__name__}: {str(exc)[:200]} "
                                                            f"at {Path(where.filename).name}:{where.lineno}", save))
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        result.slowest = max(result.slowest, time.perf_counter() - t0)
        result.inputs += 1
        if (n + 1) % 10_000 == 0:
            elapsed = time.perf_counter() - started
            print(f"  {target.name}: {n + 1:,}/{count:,} inputs, {len(result.crashes)} crashes, "
                  f"{len(result.hangs)} hangs, {(n + 1) / elapsed:,.0f}/s", flush=True)
    result.seconds = time.perf_counter() - started
    current.unlink(missing_ok=True)
    return result


def _save(name: str, data: bytes, what: str, save: bool) -> str:
    digest = hashlib.sha1(data).hexdigest()[:16]
    if save:
        folder = CORPUS / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"crash-{digest}.bin").write_bytes(data)
    print(f"  ! {name} crash-{digest}.bin: {what}", flush=True)
    return f"crash-{digest}.bin: {what}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="inputs in all, shared by the targets")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default=None, help="comma-separated targets")
    parser.add_argument("--hang", type=float, default=5.0, help="seconds after which one input is a hang")
    parser.add_argument("--no-save", action="store_true", help="do not add crashes to the corpus")
    parser.add_argument("--report", default=str(ROOT / "var" / "fuzz" / "report.json"))
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(WEIGHTS)
    share = sum(WEIGHTS[n] for n in chosen)
    all_targets = targets()
    report: dict[str, dict] = {}
    for name in chosen:
        count = max(1, round(args.inputs * WEIGHTS[name] / share))
        print(f"{name}: {count:,} inputs from {len(corpus(name))} corpus files", flush=True)
        res = fuzz(all_targets[name], count, random.Random(f"{args.seed}-{name}"), args.hang, not args.no_save)
        report[name] = {"inputs": res.inputs, "allowed_errors": res.allowed_errors, "crashes": res.crashes,
                        "hangs": res.hangs, "seconds": round(res.seconds, 1), "slowest_s": round(res.slowest, 3)}
        print(f"{name}: {res.inputs:,} inputs in {res.seconds:.0f} s, {len(res.crashes)} crashes, "
              f"{len(res.hangs)} hangs, slowest {res.slowest:.2f} s", flush=True)
    total = sum(r["inputs"] for r in report.values())
    crashes = sum(len(r["crashes"]) for r in report.values())
    hangs = sum(len(r["hangs"]) for r in report.values())
    print("\n| target | inputs | documented errors | crashes | hangs | seconds | slowest input (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in report.items():
        print(f"| {name} | {r['inputs']:,} | {r['allowed_errors']:,} | {len(r['crashes'])} | {len(r['hangs'])} "
              f"| {r['seconds']:.0f} | {r['slowest_s']:.2f} |")
    print(f"| all | {total:,} | | {crashes} | {hangs} | | |")
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(json.dumps({"seed": args.seed, "inputs": total, "targets": report}, indent=2))
    sys.exit(1 if crashes or hangs else 0)


if __name__ == "__main__":
    main()
