"""Web load: the front page and a story page under 50 concurrent clients.

Builds a SQLite database of synthetic stories (no data folder needed), serves it with
``tidings.publish.web.app:create_app`` under uvicorn in one process, and drives it from
another process with an asyncio httpx loop (loopback only, bounded in time and count).
Reports requests/s and p50/p99 latency, with the page cache on (the default) and off.

    .venv/bin/python -m benchmarks.web_load [--clients 50] [--seconds 30] [--stories 300]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

MAX_REQUESTS = 200_000  # per run, whatever the duration


def build_database(path: Path, stories: int, per_story: int = 5) -> str:
    """A store with ``stories`` summarized stories of ``per_story`` articles from 40 outlets."""
    from tidings.store.db import Store
    from tidings.store.models import Article, Source, Story, Summary
    from tidings.store.search import reindex

    rng = random.Random(7)
    words = ("market rates court ruling launch satellite election vote model open source chip factory storm "
             "flood energy grid policy trade tariff health vaccine research robot startup funding").split()
    now = datetime.now(timezone.utc)
    store = Store(f"sqlite:///{path}")
    with store.transaction() as s:
        sources = [Source(url=f"https://outlet{i}.example/feed", homepage=f"https://outlet{i}.example/",
                          name=f"Outlet {i}", country=rng.choice(["US", "GB", "FR", "DE"]),
                          language=rng.choice(["en", "en", "fr", "de"]), authority=rng.random()) for i in range(40)]
        s.add_all(sources)
        s.flush()
        sections = ["GenAI", "Open-source AI", "Policy & regulation", "Robotics", "Research"]
        for n in range(stories):
            sid = f"bench{n:011d}"
            first = now - timedelta(hours=rng.uniform(1, 72))
            arts = []
            for k in range(per_story):
                src = rng.choice(sources)
                title = " ".join(rng.choice(words) for _ in range(8)).capitalize()
                arts.append(Article(canonical_url=f"https://outlet{src.id}.example/{n}/{k}",
                                    url=f"https://outlet{src.id}.example/{n}/{k}", source_id=src.id, title=title,
                                    text=(title + ". ") * 20, language=src.language, content_hash=f"{n}-{k}",
                                    published_at=first + timedelta(minutes=30 * k), story_id=None))
            story = Story(id=sid, title=arts[0].title, section=sections[n % len(sections)],
                          score=rng.uniform(0, 4), languages=sorted({a.language for a in arts}), language="en",
                          article_count=per_story, outlet_count=len({a.source_id for a in arts}),
                          first_published=first, last_published=arts[-1].published_at,
                          similar=[f"bench{rng.randrange(stories):011d}" for _ in range(5)],
                          tags=[{"name": w.title(), "key": w, "kind": "keyphrase", "score": 1.0}
                                for w in rng.sample(words, 6)])
            s.add(story)
            s.flush()
            s.add_all(arts)
            s.flush()
            for a in arts:
                a.story_id = sid
            summary = Summary(story_id=sid, version=1, headline=arts[0].title, lead=arts[1].text[:300],
                              sentences=[{"text": a.text[:200], "cites": [a.id]} for a in arts],
                              language="en", languages=story.languages, method="extractive")
            s.add(summary)
            s.flush()
            story.summary_id = summary.id
    reindex(store)
    store.close()
    return f"sqlite:///{path}"


def serve(database_url: str, port: int, cache_seconds: float) -> None:
    """Run the site (the server process)."""
    import uvicorn

    from tidings.config import Config
    from tidings.publish.web.app import create_app

    config = Config(database_url=database_url, raw={"site": {"cache_seconds": cache_seconds}})
    uvicorn.run(create_app(config), host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _load(url: str, clients: int, seconds: float) -> tuple[list[float], int, float, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        # each simulated client has its own keep-alive connection (one shared pool of 50
        # connections costs the client more CPU than the server spends answering)
        nonlocal errors
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1), timeout=30) as client:
            while time.perf_counter() < stop_at and len(latencies) + errors < MAX_REQUESTS:
                start = time.perf_counter()
                try:
                    response = await client.get(url)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1

    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    return latencies, errors, elapsed, time.process_time() - cpu


_WRK_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _wrk_seconds(value: str) -> float:
    import re

    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip()).groups()
    return float(number) * _WRK_UNITS[unit]


def run_wrk(url: str, clients: int, seconds: float) -> dict[str, float]:
    """Drive ``url`` with Debian's wrk (a C load generator: the client costs little CPU)."""

    out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "30s", "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict[str, float]:
    """Requests, errors, requests/s and p50/p99 seconds from wrk's ``--latency`` report."""
    import re

    pct = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M))
    if "99" not in pct:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return {"requests": total, "errors": errors, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _wrk_seconds(pct["50"]), "p99": _wrk_seconds(pct["99"])}


def load_process(url: str, clients: int, seconds: float, queue: multiprocessing.Queue) -> None:
    queue.put(asyncio.run(_load(url, clients, seconds)))


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(url: str, clients: int, seconds: float) -> tuple[list[float], int, float, float]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=load_process, args=(url, clients, seconds, queue))
    process.start()
    result = queue.get(timeout=seconds + 120)
    process.join(30)
    return result


def asgi_cost(database_url: str, path: str, cache_seconds: float, count: int) -> float:
    """CPU milliseconds the app spends per request, called directly (no sockets, no client):
    a number that the other work on a shared machine disturbs much less than latency."""
    from tidings.config import Config
    from tidings.publish.web.app import create_app

    app = create_app(Config(database_url=database_url, raw={"site": {"cache_seconds": cache_seconds}}))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message

    async def run() -> float:
        await app(dict(scope), receive, send)  # warm up (and fill the cache)
        start = time.process_time()
        for _ in range(count):
            await app(dict(scope), receive, send)
        return (time.process_time() - start) / count * 1000

    try:
        return asyncio.run(run())
    finally:
        app.state.store.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--client", choices=("wrk", "httpx"), default="wrk" if shutil.which("wrk") else "httpx",
                        help="load generator: Debian's wrk (default when installed) or a Python httpx loop")
    parser.add_argument("--serve", nargs=3, metavar=("DATABASE_URL", "PORT", "CACHE_SECONDS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), float(args.serve[2]))
        return

    workdir = Path(tempfile.mkdtemp(prefix="tidings-webload-"))
    started = time.perf_counter()
    database_url = build_database(workdir / "tidings.db", args.stories)
    print(f"database: {args.stories} stories, built in {time.perf_counter() - started:.1f} s ({workdir})")
    print(f"load: {args.clients} concurrent clients, {args.seconds:.0f} s per row, keep-alive, loopback; "
          f"{os.cpu_count()} CPUs shared by server, client and anything else running")
    print()
    print("| page | cache | requests | errors | req/s | p50 ms | p99 ms | server CPU ms/req | client CPU ms/req |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for cache_seconds in (10.0, 0.0):
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "benchmarks.web_load", "--serve", database_url, str(port),
                                   str(cache_seconds)], cwd=Path(__file__).resolve().parents[1])
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base)
            for name, path in (("front page", "/"), ("story page", "/story/bench00000000001")):
                import httpx

                assert httpx.get(base + path, timeout=30).status_code == 200
                server_cpu = process_cpu(server.pid)
                if args.client == "wrk":
                    r = run_wrk(base + path, args.clients, args.seconds)
                    server_cpu = process_cpu(server.pid) - server_cpu
                    print(f"| {name} | {'on, ' + str(int(cache_seconds)) + ' s' if cache_seconds else 'off'} "
                          f"| {r['requests']} | {r['errors']} | {r['rps']:.0f} | {r['p50'] * 1000:.1f} "
                          f"| {r['p99'] * 1000:.1f} | {server_cpu / max(1, r['requests']) * 1000:.2f} | wrk |",
                          flush=True)
                    continue
                latencies, errors, elapsed, client_cpu = run_load(base + path, args.clients, args.seconds)
                server_cpu = process_cpu(server.pid) - server_cpu
                done = max(1, len(latencies) + errors)
                print(f"| {name} | {'on, ' + str(int(cache_seconds)) + ' s' if cache_seconds else 'off'} "
                      f"| {len(latencies)} | {errors} | {len(latencies) / elapsed:.0f} "
                      f"| {percentile(latencies, 0.50) * 1000:.1f} | {percentile(latencies, 0.99) * 1000:.1f} "
                      f"| {server_cpu / done * 1000:.2f} | {client_cpu / done * 1000:.2f} |", flush=True)
        finally:
            server.terminate()
            server.wait(20)
    print()
    print("| page | cache | app CPU ms per request (in-process, no sockets) |")
    print("|---|---|---:|")
    for cache_seconds, count in ((10.0, 2000), (0.0, 50)):
        for name, path in (("front page", "/"), ("story page", "/story/bench00000000001")):
            cost = asgi_cost(database_url, path, cache_seconds, count)
            print(f"| {name} | {'on' if cache_seconds else 'off'} | {cost:.2f} |", flush=True)


if __name__ == "__main__":
    main()
