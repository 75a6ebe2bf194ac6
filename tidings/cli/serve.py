"""``tidings serve``: the web site, feeds and API under uvicorn, with the scheduler
(:mod:`tidings.publish.serve`) running ``update`` every ``schedule.interval_minutes``."""

from __future__ import annotations

import click

from tidings.cli import get_config


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on (0: any free port).")
@click.option("--no-scheduler", is_flag=True, help="Serve only; do not run `update` on a schedule.")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, no_scheduler: bool) -> None:
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
    app = create_app(config, store)
    scheduler = None
    if not no_scheduler:
        scheduler = Scheduler(config, store, max(1, config.schedule.interval_minutes) * 60.0, app.state.cache.clear,
                              say=lambda line: click.echo(line, err=True))
        scheduler.start()
        click.echo(f"scheduler: update every {config.schedule.interval_minutes} min", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
    finally:
        if scheduler is not None:
            scheduler.stop(wait=30)
        store.close()
