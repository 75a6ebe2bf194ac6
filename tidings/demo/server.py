"""Serve a :class:`~tidings.demo.site.DemoSite` over HTTP on loopback, in a background thread.

``with serve_site(build_demo_site("http://127.0.0.1")) as server: ...`` binds a
free port, rebuilds the site for the real origin (feeds hold absolute URLs),
and answers GET and HEAD. Query strings are ignored when looking a path up (so
links with ``utm_`` parameters work); ``If-None-Match`` and
``If-Modified-Since`` are honoured with ``304 Not Modified``.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from tidings.demo.render import http_date
from tidings.demo.site import DemoSite, Resource


def is_not_modified(resource: Resource, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """Whether a conditional GET may be answered with 304 (RFC 9110: If-None-Match wins)."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or resource.etag in tags
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return resource.last_modified.replace(microsecond=0) <= since
    return False


class QuietHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that says nothing when a client hangs up: a fetcher closing a kept-alive
    connection, or hanging up on purpose at a size or time limit, is normal for a feed server, and a
    connection-reset traceback would only clutter the demo's output (or a test's captured stderr)."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, TimeoutError)):
            super().handle_error(request, client_address)


class DemoServer:
    """A running demo server: ``.url``, ``.site``, ``.stop()``; also a context manager."""

    def __init__(self, site: DemoSite, host: str = "127.0.0.1", port: int = 0) -> None:
        self.hits: Counter[int] = Counter()  # status code -> responses sent
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "TidingsDemo/1.0"
            disable_nagle_algorithm = True  # headers and body go out in separate writes

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _reply(self, status: int, resource: Resource | None, body: bytes = b"") -> None:
                self.send_response(status)
                if resource is not None:
                    self.send_header("ETag", resource.etag)
                    self.send_header("Last-Modified", http_date(resource.last_modified))
                    self.send_header("Cache-Control", "max-age=60")
                if status != 304:
                    content_type = resource.content_type if resource else "text/plain; charset=utf-8"
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD" and status != 304:
                    self.wfile.write(body)
                with server._lock:
                    server.hits[status] += 1

            def _serve(self) -> None:
                path = unquote(urlsplit(self.path).path) or "/"
                resource = server.site.resources.get(path)
                if resource is None and not path.endswith("/") and path + "/" in server.site.resources:
                    self.send_response(301)
                    self.send_header("Location", server.site.url(path + "/"))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    with server._lock:
                        server.hits[301] += 1
                    return
                if resource is None:
                    self._reply(404, None, b"not found\n")
                    return
                if is_not_modified(resource, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")):
                    self._reply(304, resource)
                    return
                self._reply(200, resource, resource.body)

            do_GET = _serve
            do_HEAD = _serve

        self.httpd = QuietHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.host = host
        self.port = int(self.httpd.server_address[1])
        self.url = f"http://{host}:{self.port}"
        self.site = site.rebased(self.url)
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="tidings-demo-server", daemon=True)
        self._thread.start()

    @property
    def opml_url(self) -> str:
        return self.site.opml_url

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._thread.is_alive():
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_site(site: DemoSite, host: str = "127.0.0.1", port: int = 0) -> DemoServer:
    """Start serving ``site`` (rebuilt for the bound origin) and return the running server."""
    return DemoServer(site, host, port)
