"""Reading a source list for ``tidings sources import``: from a file or a URL, homepages discovered.

A list is an OPML document (or, from a file, a TOML list of ``[[sources]]``). Its
feed outlines are registered as they are; its homepage outlines go through
:func:`tidings.sources.finder.find_source`, like ``tidings sources add``; every outline
that cannot be used is reported with the reason, never dropped in silence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tidings.sources.opml import OPMLError, Outlines, read_outlines
from tidings.sources.spec import SourceSpec


class ImportError_(ValueError):
    """The list cannot be read at all."""


async def read_list(config: Any, path_or_url: str) -> Outlines:
    """The outlines of the list at ``path_or_url`` (a URL is fetched through the guarded fetcher)."""
    if path_or_url.startswith(("http://", "https://")):
        from tidings.fetch.client import Fetcher
        from tidings.fetch.errors import FetchError

        try:
            async with Fetcher(config.fetch) as fetcher:
                body = (await fetcher.get(path_or_url)).body
        except FetchError as exc:
            raise ImportError_(f"{path_or_url}: {exc}") from None
        try:
            return read_outlines(body)
        except OPMLError as exc:
            raise ImportError_(f"{path_or_url}: {exc}") from None
    path = Path(path_or_url)
    if not path.is_file():
        raise ImportError_(f"{path}: no such file (give an OPML or TOML file, or an http(s) URL)")
    if path.suffix.lower() == ".toml":
        from tidings.sources.registry import read_source_list

        try:
            return Outlines(feeds=read_source_list(path))
        except (ValueError, TypeError) as exc:
            raise ImportError_(f"{path}: {exc}") from None
    try:
        return read_outlines(path.read_bytes())
    except OPMLError as exc:
        raise ImportError_(f"{path}: {exc}") from None


async def discover_homepages(config: Any, homepages: list[SourceSpec]) -> tuple[list[Any], list[tuple[str, str]]]:
    """The feed (or sitemap) behind each homepage, and the homepages where none was found."""
    from tidings.fetch.client import Fetcher
    from tidings.sources.finder import SourceNotFound, find_source

    found, failed = [], []
    async with Fetcher(config.fetch) as fetcher:
        for home in homepages:
            try:
                name = None if home.name == home.url else home.name
                found.append(await find_source(fetcher, home.url, name=name, country=home.country,
                                               language=home.language, authority=home.authority))
            except SourceNotFound as exc:
                failed.append((home.name, f"homepage without a feed or sitemap: {exc}"))
    return found, failed
