"""A day under load, compressed: `tidings serve` with its scheduler updating a growing
newsstand every minute while many clients read the site.

    .venv/bin/python -m benchmarks.soak [--clients 50] [--minutes 10] [--outlets 12] [--per-minute 2]

A loopback newsstand (in this process) publishes ``--per-minute`` new articles per outlet
each minute, on events that several outlets cover, so every scheduled update fetches,
extracts, clusters and summarizes new copy. `tidings serve` runs as a separate process with
``schedule.interval_minutes = 1`` (the product's scheduler, with its writer lock and page
cache clearing; each round in its own lower-priority process). ``--clients`` keep-alive
connections read the front page, story pages, search, the Atom feed and the JSON API in a
loop, for ``--minutes``: with no pause between requests (the default, which saturates the
server, so the latency is mostly queueing) or, with ``--think-ms``, a random pause of that
mean between one client's requests, as readers do. The client is Debian's ``wrk`` (a C
load generator, one process a page kind, the connections shared as 1:2:1:1:1, story ids
and search words drawn from files that are refreshed every minute), so the latency is the
server's, not the client's; ``--client httpx`` uses asyncio httpx clients in this process
instead (they spend about ten times the server's CPU per request, and their own event
loop's queue is counted in the latency). Every 5 s the server's resident memory (VmRSS)
and open file descriptors, and its update rounds' memory, are sampled from /proc.

Reported: requests, errors (a 5xx or a failed request), latency p50/p95/p99 per page kind,
RSS growth from the end of the first minute (warm: models loaded, caches filled) to the
end, file descriptors, and the scheduler's updates. Goals (issue #15): 0 errors, p99
within 100 ms, RSS growth under 10 %, no file descriptor leak.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVENTS = [
    ("Lab releases open-weight model", "The lab released an open-weight model under a permissive licence"),
    ("Regulators fine chip maker", "European regulators fined a chip maker for abusing its market position"),
    ("Robot startup raises funds", "A warehouse robot startup raised new funding from investors"),
    ("Court rules on training data", "A court ruled on whether training a model on news articles is fair use"),
    ("Data centre heads south", "A data centre developer broke ground on a solar powered campus in Spain"),
    ("New benchmark for reasoning", "Researchers published a benchmark that tests multi-step reasoning"),
    ("Union strikes over automation", "Dock workers went on strike over automated cranes at the port"),
    ("Cloud outage hits assistants", "A cloud outage took several AI assistants offline for hours"),
    ("Parliament votes on AI act", "Parliament voted on amendments to the AI act covering general models"),
    ("Hospital adopts triage model", "A hospital network adopted a triage model in its emergency rooms"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Newsstand:
    """Outlets whose feeds grow by ``per_minute`` articles each minute."""

    def __init__(self, outlets: int, per_minute: int) -> None:
        from tidings.demo.server import QuietHTTPServer

        self.outlets, self.per_minute, self.started = outlets, per_minute, time.monotonic()
        self.port = _free_port()
        stand = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body, kind = stand.render(self.path)
                status = 200 if body is not None else 404
                data = (body or "not found").encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = QuietHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def published(self) -> int:
        return (1 + int((time.monotonic() - self.started) // 60)) * self.per_minute

    def article(self, outlet: int, n: int) -> tuple[str, str, str]:
        rng = random.Random(outlet * 100_003 + n)
        title, lead = EVENTS[(n + outlet) % len(EVENTS)]
        round_ = (n + outlet) // len(EVENTS)
        words = "officials analysts company said on Tuesday according to figures published the report".split()
        body = " ".join(f"{lead} (round {round_}), {rng.choice(words)} {rng.choice(words)} {k + n} "
                        f"{rng.choice(words)} outlet {outlet}." for k in range(8))
        return f"{title}, round {round_}", lead, body

    def render(self, path: str) -> tuple[str | None, str]:
        parts = path.strip("/").split("/")
        if len(parts) == 1 and parts[0].startswith("o") and parts[0].endswith(".xml"):
            outlet = int(parts[0][1:-4])
            now = datetime.now(timezone.utc)
            items = []
            for n in range(max(0, self.published() - 40), self.published()):
                title, lead, _ = self.article(outlet, n)
                items.append(f"<item><title>{title}</title><link>{self.url(f'/o{outlet}/{n}')}</link>"
                             f"<guid>o{outlet}-{n}</guid><description>{lead}</description>"
                             f"<pubDate>{format_datetime(now)}</pubDate></item>")
            return (f"<rss version='2.0'><channel><title>Outlet {outlet}</title><link>{self.url('/')}</link>"
                    + "".join(reversed(items)) + "</channel></rss>"), "application/rss+xml"
        if len(parts) == 2 and parts[0].startswith("o"):
            outlet, n = int(parts[0][1:]), int(parts[1])
            title, lead, body = self.article(outlet, n)
            return (f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                    f"<p>{lead}.</p><p>{body}</p></article></body></html>"), "text/html; charset=utf-8"
        return None, "text/plain"


def _sample(pid: int) -> tuple[float, int]:
    rss = 0.0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def _db_connections(pid: int, db: Path) -> int:
    """How many SQLite connections ``pid`` holds on ``db`` (each keeps its own page cache, up to
    2 MB by default, which fills as the database grows)."""
    count = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == str(db):
                    count += 1
            except OSError:
                pass
    except OSError:
        pass
    return count


async def _load(base: str, clients: int, seconds: float, story_ids: list[str]) -> dict:
    import httpx

    latencies: dict[str, list[float]] = {k: [] for k in ("front", "story", "search", "feed", "api")}
    errors: list[str] = []
    non_200 = 0
    deadline = time.monotonic() + seconds
    words = ["model", "court", "robot", "regulators", "strike", "hospital", "benchmark", "outage"]

    async def refresh_ids(client) -> None:
        try:
            data = (await client.get(base + "/api/stories", params={"limit": 50})).json()
            items = data.get("stories") or data.get("items") or data.get("data") or []
            ids = [s.get("id") for s in items if isinstance(s, dict) and s.get("id")]
            if ids:
                story_ids[:] = ids
        except Exception:
            pass

    async def worker(n: int) -> None:
        nonlocal non_200
        rng = random.Random(n)
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1), timeout=30) as client:
            while time.monotonic() < deadline:
                kind = rng.choice(["front", "story", "story", "search", "feed", "api"])
                if kind == "front":
                    url = base + "/"
                elif kind == "story":
                    if not story_ids:
                        continue
                    url = f"{base}/story/{rng.choice(story_ids)}"
                elif kind == "search":
                    url = f"{base}/search?q={rng.choice(words)}"
                elif kind == "feed":
                    url = base + "/feed.atom"
                else:
                    url = base + "/api/stories"
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                except httpx.HTTPError as exc:
                    errors.append(f"{kind}: {type(exc).__name__}")
                    continue
                latencies[kind].append(time.perf_counter() - started)
                if response.status_code >= 500:
                    errors.append(f"{kind}: HTTP {response.status_code}")
                elif response.status_code != 200:
                    non_200 += 1  # a story merged or gone since its id was read: 301/404
                if n == 0 and rng.random() < 0.05:
                    await refresh_ids(client)

    async with httpx.AsyncClient(timeout=30) as client:
        await refresh_ids(client)
    await asyncio.gather(*(worker(n) for n in range(clients)))
    return {"latencies": latencies, "errors": errors, "non_200": non_200}


WRK_SCRIPT = Path(__file__).with_name("soak_wrk.lua")
WRK_SHARES = {"front": 1, "story": 2, "search": 1, "feed": 1, "api": 1}
SEARCH_WORDS = ["model", "court", "robot", "regulators", "strike", "hospital", "benchmark", "outage"]


class Histogram(list):
    """Latencies in seconds, kept as (value, count) pairs (what wrk reports)."""

    def __len__(self) -> int:  # the number of requests, as for a plain list of latencies
        return sum(count for _, count in self)

    def percentile(self, q: float) -> float:
        total = len(self)
        if not total:
            return float("nan")
        rank, seen = min(total - 1, int(q * total)), 0
        for value, count in sorted(self):
            seen += count
            if seen > rank:
                return value
        return max(v for v, _ in self)


def _story_paths(base: str) -> list[str]:
    import httpx

    try:
        data = httpx.get(base + "/api/stories", params={"limit": 50}, timeout=30).json()
    except (httpx.HTTPError, ValueError):
        return []
    items = data.get("stories") or data.get("items") or data.get("data") or []
    return [f"/story/{s['id']}" for s in items if isinstance(s, dict) and s.get("id")]


def _load_wrk(base: str, clients: int, seconds: float, work: Path, think_ms: float = 0.0) -> dict:
    """``clients`` wrk connections shared among the page kinds, in one-minute rounds (the
    story list is read again before each), latencies merged over the rounds."""
    total_share = sum(WRK_SHARES.values())
    conns = {k: max(1, round(clients * share / total_share)) for k, share in WRK_SHARES.items()}
    conns["story"] += clients - sum(conns.values())
    latencies: dict[str, Histogram] = {k: Histogram() for k in WRK_SHARES}
    errors: list[str] = []
    non_200 = 0
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 1:
        story = _story_paths(base) or ["/"]
        paths = {"front": ["/"], "story": story, "search": [f"/search?q={w}" for w in SEARCH_WORDS],
                 "feed": ["/feed.atom"], "api": ["/api/stories"]}
        running = []
        for kind, kind_paths in paths.items():
            (work / f"paths-{kind}.txt").write_text("\n".join(kind_paths) + "\n")
            env = {**os.environ, "WRK_PATHS": str(work / f"paths-{kind}.txt"), "WRK_OUT": str(work / f"wrk-{kind}.txt"),
                   "WRK_THINK_MS": str(think_ms)}
            running.append((kind, subprocess.Popen(
                ["wrk", "-t1", f"-c{conns[kind]}", f"-d{max(1, int(min(60, left)))}s", "--timeout", "30s",
                 "-s", str(WRK_SCRIPT), base], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
        for kind, proc in running:
            _, err = proc.communicate(timeout=int(min(60, left)) + 120)
            lines = (work / f"wrk-{kind}.txt").read_text().splitlines()
            head = lines[0].split()  # requests N socket N 5xx N 4xx N
            socket_errors, server_errors, other = int(head[3]), int(head[5]), int(head[7])
            errors += [f"{kind}: socket error"] * socket_errors + [f"{kind}: HTTP 5xx"] * server_errors
            non_200 += other
            for line in lines[1:]:
                value, count = line.split()
                latencies[kind].append((int(value) / 1e6, int(count)))
    return {"latencies": latencies, "errors": errors, "non_200": non_200}


def _children_rss(pid: int) -> float:
    """Resident memory (MB) of every process below ``pid``: the update rounds (started by the
    scheduler's thread: children are listed per thread) and their executors' workers; 0 if none."""
    total = 0.0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for task in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                total += _sample(int(child))[0] + _children_rss(int(child))
            except (OSError, ValueError):
                pass
    return total


def _pct(values: list[float], q: float) -> float:
    if isinstance(values, Histogram):
        return values.percentile(q) * 1000
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--outlets", type=int, default=12)
    parser.add_argument("--per-minute", type=int, default=2, help="new articles per outlet per minute")
    parser.add_argument("--dir", default=str(ROOT / "var" / "soak"))
    parser.add_argument("--json", dest="json_out", default=None)
    parser.add_argument("--think-ms", type=float, default=0.0,
                        help="wrk only: each client pauses a random time of this mean between requests, as a "
                             "reader does (default 0: every client asks again at once, which saturates the server)")
    parser.add_argument("--client", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx",
                        help="load generator (default: Debian's wrk when installed)")
    args = parser.parse_args()

    work = Path(args.dir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    stand = Newsstand(args.outlets, args.per_minute)
    from tidings.sources.opml import write_opml
    from tidings.sources.spec import SourceSpec

    (work / "sources.opml").write_text(write_opml([SourceSpec(url=stand.url(f"/o{i}.xml"), name=f"Outlet {i}")
                                                   for i in range(args.outlets)]))
    db = work / "tidings.db"
    (work / "tidings.toml").write_text(f"""[database]
url = "sqlite:///{db}"
[sources]
file = "{work / 'sources.opml'}"
[fetch]
allow_loopback = true
per_host_delay = 0.0
[ingest]
extract_workers = 0
[schedule]
interval_minutes = 1
default_source_interval_minutes = 1
""")
    tidings = [sys.executable, "-m", "tidings", "--config", str(work / "tidings.toml")]
    subprocess.run([*tidings, "db", "upgrade"], check=True, capture_output=True)
    print("first update (models load) ...", flush=True)
    subprocess.run([*tidings, "update", "--quiet"], check=True, capture_output=True)
    port = _free_port()
    log = open(work / "serve.log", "w")
    server = subprocess.Popen([*tidings, "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    samples: list[tuple[float, float, int]] = []
    rounds_rss: list[float] = []
    tree_rss: list[float] = []  # the server and every process below it, at the same moment
    stop = threading.Event()
    try:
        import httpx

        for _ in range(600):
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)

        def sampler() -> None:
            began = time.monotonic()
            while not stop.wait(5):
                try:
                    rss, fds = _sample(server.pid)
                except OSError:
                    return
                samples.append((time.monotonic() - began, rss, fds))
                rounds_rss.append(_children_rss(server.pid))
                tree_rss.append(rss + rounds_rss[-1])
                if len(samples) % 12 == 0:
                    size = db.stat().st_size / 2**20 if db.exists() else 0.0
                    print(f"  {samples[-1][0]:5.0f} s  RSS {rss:6.1f} MB  fds {fds}  database {size:.1f} MB,"
                          f" {_db_connections(server.pid, db)} connections", flush=True)

        threading.Thread(target=sampler, daemon=True).start()
        pause = f", {args.think_ms:g} ms mean pause" if args.client == "wrk" and args.think_ms else ""
        print(f"{args.clients} {args.client} clients{pause} for {args.minutes:g} minutes; updates every minute ...",
              flush=True)
        if args.client == "wrk":
            result = _load_wrk(base, args.clients, args.minutes * 60, work, args.think_ms)
        else:
            result = asyncio.run(_load(base, args.clients, args.minutes * 60, []))
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=60)
        stand.server.shutdown()
        log.close()

    con = sqlite3.connect(db)
    runs = con.execute("SELECT count(*), sum(status = 'done') FROM ingest_runs").fetchone()
    articles, stories = (con.execute("SELECT count(*) FROM articles").fetchone()[0],
                         con.execute("SELECT count(*) FROM stories WHERE merged_into IS NULL").fetchone()[0])
    con.close()
    lat = result["latencies"]
    every = (Histogram(x for values in lat.values() for x in values) if args.client == "wrk"
             else [x for values in lat.values() for x in values])
    warm = [s for s in samples if s[0] >= 60] or samples
    rss_start, rss_end = (warm[0][1], samples[-1][1]) if samples else (float("nan"), float("nan"))
    fds = [s[2] for s in samples]
    print("\n| page | requests | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for kind, values in list(lat.items()) + [("all", every)]:
        print(f"| {kind} | {len(values):,} | {_pct(values, .5):.0f} | {_pct(values, .95):.0f} | {_pct(values, .99):.0f} |")
    seconds = args.minutes * 60
    print(f"\nrequests {len(every):,} ({len(every) / seconds:.0f}/s), errors {len(result['errors'])}"
          f" {sorted(set(result['errors']))[:5]}, redirects/404 {result['non_200']}")
    print(f"RSS {rss_start:.1f} MB after the first minute -> {rss_end:.1f} MB at the end"
          f" ({(rss_end / rss_start - 1) * 100:+.1f} %); file descriptors {fds[0] if fds else '?'} -> "
          f"{fds[-1] if fds else '?'} (max {max(fds) if fds else '?'})")
    print(f"update rounds' processes and their workers: peak RSS {max(rounds_rss, default=0):.1f} MB "
          "(the models live there)")
    print(f"tidings serve, every process together: peak RSS {max(tree_rss, default=0):.1f} MB")
    minute = [s for s in samples if s[0] >= 60]
    if len(minute) >= 4:  # a trend: least-squares slope of RSS over time, per minute
        xs, ys = [s[0] / 60 for s in minute], [s[1] for s in minute]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / max(1e-9, sum((x - mx) ** 2 for x in xs))
        print(f"RSS trend after the first minute: {slope:+.2f} MB per minute (least squares over {len(minute)} samples)")
    print(f"ingest runs {runs[0]} ({runs[1]} done, the first by hand); articles {articles}, live stories {stories}")
    rounds = [line.strip() for line in (work / "serve.log").read_text(errors="replace").splitlines()
              if line.startswith("scheduler: update ") and "started" not in line]
    print(f"scheduled rounds finished: {len(rounds)}" + (f"; the last: {rounds[-1]}" if rounds else ""))
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({
            "clients": args.clients, "client": args.client, "minutes": args.minutes, "rounds_rss": rounds_rss, "requests": len(every), "errors": result["errors"],
            "p99_ms": {k: _pct(v, .99) for k, v in lat.items()}, "samples": samples, "runs": runs,
            "articles": articles, "stories": stories}, indent=2))


if __name__ == "__main__":
    main()
