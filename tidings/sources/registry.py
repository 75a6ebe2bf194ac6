"""The source registry: the sources table, kept in step with lists and commands."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tidings.sources.opml import read_opml, write_opml
from tidings.sources.spec import SourceSpec
from tidings.store.models import Source

DEFAULT_SOURCES_PATH = Path(__file__).with_name("default_sources.opml")


@dataclass(slots=True)
class SyncResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def read_source_list(path: str | Path) -> list[SourceSpec]:
    """Read an OPML file, or a TOML file with ``[[sources]]`` tables (url, name, ...)."""
    path = Path(path)
    data = path.read_bytes()
    if path.suffix.lower() == ".toml":
        try:
            raw = tomllib.loads(data.decode("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: {exc}") from None
        specs = []
        for i, item in enumerate(raw.get("sources", []), start=1):
            if "url" not in item:
                raise ValueError(f"{path}: sources #{i} has no url")
            specs.append(SourceSpec(**{"name": item["url"], **item}))
        return specs
    return read_opml(data)


def spec_of(source: Source) -> SourceSpec:
    return SourceSpec(
        url=source.url,
        name=source.name,
        kind=source.kind,
        homepage=source.homepage,
        country=source.country,
        language=source.language,
        authority=source.authority,
    )


def find_source(session: Session, ref: str) -> Source | None:
    """A source by id, by URL, or by homepage."""
    if ref.isdigit():
        return session.get(Source, int(ref))
    return session.scalar(select(Source).where(Source.url == ref)) or session.scalar(
        select(Source).where(Source.homepage == ref)
    )


SPEC_FIELDS = ("kind", "name", "homepage", "country", "language", "authority")


def upsert_source(session: Session, spec: SourceSpec, *, overwrite: bool = True,
                  fields: tuple[str, ...] | set[str] = SPEC_FIELDS, reactivate: bool = True) -> tuple[Source, str]:
    """Add a source, or update ``fields`` of an existing one from ``spec`` (and make a removed one
    active again, unless ``reactivate`` is false); returns the row and "added" / "updated" / "unchanged"."""
    source = session.scalar(select(Source).where(Source.url == spec.url))
    if source is None:
        source = Source(
            url=spec.url,
            kind=spec.kind,
            name=spec.name,
            homepage=spec.homepage,
            country=spec.country,
            language=spec.language,
            authority=spec.authority,
            consecutive_errors=0,
            active=True,
        )
        session.add(source)
        session.flush()
        return source, "added"
    if not overwrite or (not source.active and not reactivate):
        return source, "unchanged"
    changed = False
    for field in fields:
        value = getattr(spec, field)
        if value is not None and getattr(source, field) != value:
            setattr(source, field, value)
            changed = True
    if not source.active:
        source.active = True
        changed = True
    return source, "updated" if changed else "unchanged"


def sync_sources(session: Session, specs: list[SourceSpec], *, reactivate: bool = False) -> SyncResult:
    """Make sure every listed source is registered (sources added by hand are kept, and a source
    removed by hand stays removed unless ``reactivate``)."""
    result = SyncResult()
    for spec in specs:
        _, what = upsert_source(session, spec, reactivate=reactivate)
        setattr(result, what, getattr(result, what) + 1)
    return result


def list_sources(session: Session, *, active_only: bool = False) -> list[Source]:
    query = select(Source).order_by(Source.name, Source.id)
    if active_only:
        query = query.where(Source.active.is_(True))
    return list(session.scalars(query))


def remove_source(session: Session, ref: str) -> Source | None:
    """Deactivate a source: it is no longer polled, and its articles keep their attribution."""
    source = find_source(session, ref)
    if source is not None:
        source.active = False
    return source


def export_opml(session: Session) -> str:
    return write_opml([spec_of(s) for s in list_sources(session, active_only=True)])
