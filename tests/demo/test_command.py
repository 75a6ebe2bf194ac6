"""``tidings demo-server`` really serves until interrupted."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx


def _serve(*args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings", "demo-server", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # an ignored SIGINT is inherited across exec: if an earlier test in this pytest process left
        # SIGINT ignored, the server would never hear the interrupt this test sends it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    opml = ""
    for _ in range(3):
        line = proc.stdout.readline()
        if line.startswith("OPML: "):
            opml = line.split(" ", 1)[1].strip()
            break
    return proc, opml


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)  # a busy two-core machine can take a while to stop uvicorn
    return out


def test_demo_server_command_serves_the_opml():
    proc, opml = _serve()
    try:
        assert opml.startswith("http://127.0.0.1:") and opml.endswith("/demo-sources.opml")
        response = httpx.get(opml, timeout=10)
        assert response.status_code == 200 and b"Frontier Wire" in response.content
    finally:
        out = _stop(proc)
    assert "stopped" in out


def test_demo_server_command_synthetic():
    proc, opml = _serve("--synthetic-feeds", "3", "--synthetic-articles", "9")
    try:
        response = httpx.get(opml, timeout=10)
        assert response.status_code == 200
        assert response.text.count("<outline") == 3
    finally:
        _stop(proc)
