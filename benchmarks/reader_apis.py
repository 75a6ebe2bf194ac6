"""Reader APIs under load: Google Reader ``stream/contents`` and Fever ``unread_item_ids``.

Builds SQLite databases of synthetic stories (cited summaries, two articles from 40 outlets each;
no data folder needed): one of 1,000 stories for ``stream/contents`` and one of 100,000 stories
(30 % of them read by the user) for ``unread_item_ids``. Each is served by ``tidings serve
--no-scheduler [--workers N]`` in its own process, and driven over loopback by Debian's
``wrk`` (20 keep-alive connections, one thread), logged in through the real ClientLogin and Fever
key, each request asking for gzip as the apps' HTTP libraries do. Reports requests/s, p50/p99
latency, the response size (JSON, and gzip on the wire) per item, and the app's own CPU per
request called in-process (no sockets), which other work on the machine disturbs less, warm and
with nothing reused (the first request after a mark or a new story).

    apt-get install wrk
    .venv/bin/python -m benchmarks.reader_apis [--clients 20] [--seconds 20] [--big 100000] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.web_load import _free_port, _wait_ready, parse_wrk, process_cpu

EMAIL, API_PASSWORD = "reader@example.org", "benchmark-api-password"
APP_HEADERS = {"Accept-Encoding": "gzip"}  # what the apps' HTTP libraries send with every request
STATE = "user/-/state/com.google/"


def build_database(path: Path, stories: int, read_share: float = 0.0) -> str:
    """``stories`` summarized stories in five sections, two articles each, bulk-inserted."""
    from tidings.publish.editions.security import hash_password
    from tidings.publish.readers.accounts import set_api_password
    from tidings.publish.readers.items import sync_items
    from tidings.store.db import Store
    from tidings.store.models import Article, Source, Story, Summary
    from tidings.store.newsletter_models import User
    from tidings.store.reader_models import ReaderItem, ReaderState
    from tidings.store.search import reindex

    rng = random.Random(7)
    words = ("market rates court ruling launch satellite election vote model open source chip factory storm "
             "flood energy grid policy trade tariff health vaccine research robot startup funding").split()
    sections = ["GenAI", "Open-source AI", "Policy & regulation", "Robotics", "Research"]
    now = datetime.now(timezone.utc)
    url = f"sqlite:///{path}"
    store = Store(url)
    with store.transaction() as s:
        s.execute(Source.__table__.insert(), [
            {"id": i + 1, "url": f"https://outlet{i}.example/feed", "homepage": f"https://outlet{i}.example/",
             "name": f"Outlet {i}", "country": rng.choice(["US", "GB", "FR", "DE"]), "language": "en",
             "authority": rng.random()} for i in range(40)])
        s.add(User(email=EMAIL, password_hash=hash_password("benchmark-login-password")))
    batch = 10_000
    for start in range(0, stories, batch):
        stories_rows, articles, summaries = [], [], []
        for n in range(start, min(stories, start + batch)):
            sid = f"bench{n:011d}"
            first = now - timedelta(minutes=stories - n)
            titles = [" ".join(rng.choice(words) for _ in range(8)).capitalize() for _ in range(2)]
            for k, title in enumerate(titles):
                articles.append({"id": 2 * n + k + 1, "canonical_url": f"https://outlet{n % 40}.example/{n}/{k}",
                                 "url": f"https://outlet{n % 40}.example/{n}/{k}", "source_id": (n + 7 * k) % 40 + 1,
                                 "title": title, "text": (title + ". ") * 20, "language": "en",
                                 "content_hash": f"{n}-{k}", "published_at": first + timedelta(minutes=k),
                                 "story_id": sid})
            stories_rows.append({"id": sid, "title": titles[0], "section": sections[n % 5], "score": rng.random(),
                                 "languages": ["en"], "language": "en", "article_count": 2, "outlet_count": 2,
                                 "first_published": first, "last_published": first + timedelta(minutes=1),
                                 "created_at": first, "updated_at": first, "summary_id": n + 1,
                                 "tags": [{"name": w.title(), "key": w, "kind": "keyphrase", "score": 1.0}
                                          for w in rng.sample(words, 4)]})
            summaries.append({"id": n + 1, "story_id": sid, "version": 1, "headline": titles[0],
                              "lead": (titles[1] + ". ") * 4, "language": "en", "languages": ["en"],
                              "method": "extractive",
                              "sentences": [{"text": (t + ". ") * 3, "cites": [2 * n + k + 1]}
                                            for k, t in enumerate(titles)]})
        with store.transaction() as s:
            s.execute(Story.__table__.insert(), stories_rows)
            s.execute(Article.__table__.insert(), articles)
            s.execute(Summary.__table__.insert(), summaries)
    set_api_password(store, EMAIL, API_PASSWORD)
    sync_items(store)
    reindex(store)  # what `tidings serve` does when it starts, done here with the building
    if read_share:
        with store.transaction() as s:
            ids = list(s.scalars(ReaderItem.__table__.select().with_only_columns(ReaderItem.id)))
            chosen = rng.sample(ids, int(len(ids) * read_share))
            s.execute(ReaderState.__table__.insert(), [{"user_id": 1, "item_id": i, "read_at": now} for i in chosen])
    store.close()
    return url


def serve(workdir: Path, database_url: str, port: int, workers: int) -> subprocess.Popen:
    """``tidings serve --no-scheduler --workers N`` on a configuration file of its own."""
    config = workdir / f"serve-{port}.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n[newsletter]\nsecret = "benchmark secret"\n',
                      encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "tidings", "--config", str(config), "serve", "--no-scheduler",
                             "--port", str(port), "--workers", str(workers)],
                            cwd=Path(__file__).resolve().parents[1], stdout=subprocess.DEVNULL)


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its live children (the workers of ``--workers N``)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    return process_cpu(pid) + sum(tree_cpu(k) for k in kids)


def wrk(url: str, clients: int, seconds: float, headers: dict[str, str], body: str | None = None) -> dict[str, float]:
    script = None
    command = ["wrk", "-t1", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "30s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if body is not None:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(f'wrk.method = "POST"\nwrk.body = "{body}"\n'
                     'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
        script.close()
        command += ["-s", script.name]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 120, check=True).stdout
    return parse_wrk(out)


def asgi_cost(database_url: str, method: str, path: str, query: str, headers: dict[str, str], body: str,
              count: int, cold: bool = False) -> float:
    """App CPU milliseconds per request, called in-process (no sockets, no client); ``cold`` empties
    the reused item bodies and id lists before each request (what the first request after a change
    costs)."""
    from tidings.config import Config
    from tidings.publish.readers.items import BODIES
    from tidings.publish.web.app import create_app

    app = create_app(Config(database_url=database_url, raw={"newsletter": {"secret": "benchmark secret"}}))
    raw_headers = [(b"host", b"127.0.0.1")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if body:
        raw_headers.append((b"content-type", b"application/x-www-form-urlencoded"))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": raw_headers, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}

    async def receive() -> dict:
        return {"type": "http.request", "body": body.encode(), "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message

    async def run() -> float:
        await app(dict(scope), receive, send)
        spent = 0.0
        for _ in range(count):
            if cold:
                BODIES.entries.clear()
                app.state.reader_context.responses.clear()
            start = time.process_time()
            await app(dict(scope), receive, send)
            spent += time.process_time() - start
        return spent / count * 1000

    try:
        return asyncio.run(run())
    finally:
        app.state.store.close()


def main(argv: list[str] | None = None) -> None:
    import httpx

    from tidings.publish.readers.accounts import fever_key

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--small", type=int, default=1000, help="stories for stream/contents")
    parser.add_argument("--big", type=int, default=100_000, help="stories for unread_item_ids")
    parser.add_argument("--workers", type=int, default=1, help="server processes (tidings serve --workers)")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="tidings-readers-"))
    rows = []
    print(f"load: {args.clients} concurrent keep-alive connections (wrk, one thread), {args.seconds:.0f} s a row, "
          f"loopback, SQLite; tidings serve --workers {args.workers}")
    for label, stories, read_share in (("small", args.small, 0.0), ("big", args.big, 0.3)):
        started = time.perf_counter()
        url = build_database(workdir / f"{label}.db", stories, read_share)
        print(f"database: {stories:,} stories ({read_share:.0%} read), built in {time.perf_counter() - started:.1f} s")
        port = _free_port()
        server = serve(workdir, url, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base, timeout=600)
            login = httpx.post(base + "/api/greader/accounts/ClientLogin",
                               data={"Email": EMAIL, "Passwd": API_PASSWORD}, timeout=60)
            auth = {"Authorization": "GoogleLogin auth=" + login.text.split("Auth=")[1].strip()}
            fever_body = urlencode({"api_key": fever_key(EMAIL, API_PASSWORD)})
            if label == "small":
                cases = [(f"stream/contents, n=20 (a page of {stories:,})", "GET",
                          "/api/greader/reader/api/0/stream/contents/" + STATE + "reading-list", "n=20", auth, "", 20),
                         (f"stream/contents, n=1000 (all {stories:,} items)", "GET",
                          "/api/greader/reader/api/0/stream/contents/" + STATE + "reading-list", "n=1000", auth, "",
                          1000)]
            else:
                unread = int(stories * (1 - read_share))
                cases = [(f"Fever unread_item_ids ({unread:,} of {stories:,} unread)", "POST", "/api/fever.php",
                          "api&unread_item_ids", {}, fever_body, unread),
                         (f"stream/items/ids, n=1000, xt=read ({stories:,} stories)", "GET",
                          "/api/greader/reader/api/0/stream/items/ids",
                          f"s={STATE}reading-list&xt={STATE}read&n=1000", auth, "", 1000),
                         (f"unread-count ({stories:,} stories)", "GET", "/api/greader/reader/api/0/unread-count", "",
                          auth, "", 0)]
            for name, method, path, query, headers, body, items in cases:
                full = f"{base}{path}?{query}" if query else base + path
                form = {"content-type": "application/x-www-form-urlencoded"} if body else {}
                answer = httpx.request(method, full, headers={**headers, **form}, content=body or None, timeout=120)
                assert answer.status_code == 200, answer.text[:200]
                size = len(answer.content)
                with httpx.stream(method, full, headers={**headers, **APP_HEADERS, **form}, content=body or None,
                                  timeout=120) as packed:
                    wire = len(b"".join(packed.iter_raw()))  # as sent: gzip
                for _ in range(4 * args.workers):  # every worker has answered it once (apps poll all day)
                    httpx.request(method, full, headers={**headers, **APP_HEADERS, **form}, content=body or None,
                                  timeout=120)
                cpu = tree_cpu(server.pid)
                r = wrk(full, args.clients, args.seconds, {**headers, **APP_HEADERS}, body or None)
                cpu = tree_cpu(server.pid) - cpu
                in_process = asgi_cost(url, method, path, query, headers, body, 20)
                cold = asgi_cost(url, method, path, query, headers, body, 5, cold=True)
                row = (f"| {name} | {r['requests']:,} | {r['errors']} | {r['rps']:.1f} | {r['p50'] * 1000:.1f} "
                       f"| {r['p99'] * 1000:.1f} | {size:,} | {wire:,} | {size / items if items else 0:,.0f} "
                       f"| {cpu / max(1, r['requests']) * 1000:.1f} | {in_process:.1f} | {cold:.1f} |")
                rows.append(row)
                print(row, flush=True)
        finally:
            server.terminate()
            server.wait(20)
    shutil.rmtree(workdir, ignore_errors=True)  # the databases: over 500 MB at 100,000 stories
    print()
    print("| request | requests | errors | req/s | p50 ms | p99 ms | bytes | gzip bytes | bytes/item | server CPU "
          "ms/req | app CPU ms/req in-process | same, nothing reused |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
