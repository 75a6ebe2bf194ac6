"""``tidings serve``: the web site, feeds and API under uvicorn, with the scheduler
(:mod:`tidings.publish.serve`) running ``update`` every ``schedule.interval_minutes``.

``--workers N`` serves from N processes sharing the listening socket (uvicorn's supervisor);
the scheduler runs once, in the supervising process. Each worker keeps its own page cache
(``[web] cache_seconds``) and reader answers (checked against the database on each request), and
the login limits live in the database, so the workers need nothing from each other."""

from __future__ import annotations

import os
from typing import Any

import click

from tidings.cli import get_config


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on (0: any free port).")
@click.option("--no-scheduler", is_flag=True, help="Serve only; do not run `update` on a schedule.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes sharing the port (the scheduler runs once, in the parent).")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, no_scheduler: bool, workers: int) -> None:
    """Serve the web site, feeds and API (and run `update` every schedule.interval_minutes)."""
    import uvicorn

    from tidings.cli.common import open_store_or_fail
    from tidings.publish.serve import Scheduler, limit_malloc_arenas
    from tidings.publish.web.app import create_app
    from tidings.store.search import reindex

    limit_malloc_arenas()  # before any thread starts: the page-building threads share two arenas
    config = get_config(ctx)
    store = open_store_or_fail(config)  # a schema that is behind: a message naming `tidings db upgrade`
    reindex(store)
    app = create_app(config, store) if workers == 1 else None
    scheduler = None
    if not no_scheduler:
        # with several workers their page caches expire on their own ([web] cache_seconds)
        on_done = app.state.cache.clear if app is not None else None
        scheduler = Scheduler(config, store, max(1, config.schedule.interval_minutes) * 60.0, on_done,
                              say=lambda line: click.echo(line, err=True))
        scheduler.start()
        click.echo(f"scheduler: update every {config.schedule.interval_minutes} min", err=True)
    try:
        if app is not None:
            uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
        else:
            if config.path is not None:  # the workers read the same file (and the same environment)
                os.environ["TIDINGS_CONFIG"] = str(config.path)
            uvicorn.run("tidings.cli.serve:worker_app", factory=True, workers=workers, host=host, port=port,
                        log_level="info", access_log=False)
    finally:
        if scheduler is not None:
            scheduler.stop(wait=30)
        store.close()


def worker_app() -> Any:
    """The app of one ``--workers`` process: the configuration the parent read, its own store."""
    from tidings.config import load_config
    from tidings.publish.serve import limit_malloc_arenas
    from tidings.publish.web.app import create_app
    from tidings.store.db import open_store
    from tidings.text.bounds import configure

    limit_malloc_arenas()
    config = load_config()
    configure(config)
    return create_app(config, open_store(config))
