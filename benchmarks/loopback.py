"""A loopback newsstand served from a process of its own, as a remote site would be.

``serve_site`` (tidings.demo.server) serves from a thread of the calling process, which is right for
tests and the demo but wrong for a throughput figure: the server's request handling then shares the
measured process's interpreter lock with the fetcher and the driver, and its CPU time is counted as
theirs. Here the server runs in a forked child; its CPU seconds are read apart (``cpu()``), so a
benchmark can report them beside the update's. The child still runs on the same cores, so its work
still competes with the update for them: nothing is hidden, it is only no longer counted as Tidings'.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
from typing import Any

from benchmarks.cpu import process_cpu


def _exit(*_: object) -> None:
    raise SystemExit(0)


def _serve(site: Any, port: int, ready: Any) -> None:
    from tidings.demo.server import serve_site

    signal.signal(signal.SIGTERM, _exit)  # terminate() closes the server's socket on the way out
    with serve_site(site, port=port):
        ready.set()
        signal.pause()


class ProcessServer:
    """``.url``, ``.site`` (rebuilt for the bound origin), ``.opml_url``, ``.cpu()``, ``.stop()``."""

    def __init__(self, site: Any, host: str = "127.0.0.1") -> None:
        with socket.socket() as probe:  # a free port, chosen here so the parent can build the same site
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        self.url = f"http://{host}:{port}"
        self.site = site.rebased(self.url)
        self._cpu = 0.0
        context = multiprocessing.get_context("fork")  # the child inherits the site: nothing to pickle
        ready = context.Event()
        self._process = context.Process(target=_serve, args=(self.site, port, ready), daemon=True,
                                        name="tidings-loopback-server")
        self._process.start()
        if not ready.wait(60):
            self.stop()
            raise RuntimeError("the loopback server did not start")

    @property
    def opml_url(self) -> str:
        return self.site.opml_url

    def cpu(self) -> float:
        """CPU seconds the server process has used so far."""
        if self._process.pid is not None and self._process.is_alive():
            self._cpu = max(self._cpu, process_cpu(self._process.pid))
        return self._cpu

    def stop(self) -> None:
        if self._process.is_alive():
            self.cpu()
            self._process.terminate()
        self._process.join(10)

    def __enter__(self) -> ProcessServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
