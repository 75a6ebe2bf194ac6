"""The commented ``tidings.toml`` that ``tidings init`` writes, generated from the settings classes.

Every table registered in :data:`tidings.config.TABLES` is written from its
dataclass: the default of each field, with the comment written beside the field in
its source. The everyday tables are written as values; the others as comments, so
that a fresh file sets nothing but the defaults. Nothing here is typed twice, so the
file cannot drift from the code.
"""

from __future__ import annotations

from tidings.config import TABLES
from tidings.config_schema import render

HEADER = """\
# Tidings configuration. Every value set below is the default, and so is every commented
# `key = value` line (except the examples, which say so); delete what you do not change,
# uncomment what you do.
# Any scalar can also be set from the environment as TIDINGS_<TABLE>__<KEY>,
# e.g. TIDINGS_FETCH__ALLOW_LOOPBACK=true or TIDINGS_CLUSTER__THRESHOLD=0.4."""


def _doc(cls: type) -> str:
    doc = (cls.__doc__ or "").strip().splitlines()
    first = doc[0].strip() if doc else ""
    return "" if first.startswith(cls.__name__ + "(") else first


def default_toml() -> str:
    parts = [HEADER]
    for name, spec in TABLES.items():
        cls = spec.load()
        lines: list[str] = []
        if doc := _doc(cls):
            lines.append(f"# {doc}")
        if not spec.many:
            lines += render(cls, name, commented=not spec.shown)
        if spec.example:
            lines += spec.example.splitlines()
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
