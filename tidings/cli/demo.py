"""``tidings demo-server``: serve the demo corpus (or a synthetic one) on loopback until Ctrl-C."""

from __future__ import annotations

import time

import click


@click.command("demo-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (keep it on loopback).")
@click.option("--port", type=int, default=8765, show_default=True, help="Port to bind; 0 picks a free one.")
@click.option("--synthetic-feeds", type=int, default=None, help="Serve a generated site with this many feeds.")
@click.option("--synthetic-articles", type=int, default=2000, show_default=True,
              help="Articles in the generated site (with --synthetic-feeds).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated site.")
def demo_server_command(
    host: str, port: int, synthetic_feeds: int | None, synthetic_articles: int, seed: int
) -> None:
    """Serve the fictional demo newsstand (feeds, pages, sitemap, OPML) until Ctrl-C."""
    from tidings.demo.server import serve_site

    if synthetic_feeds is not None:
        from tidings.demo.synthetic import build_synthetic_site

        site = build_synthetic_site(f"http://{host}:{port}", synthetic_feeds, synthetic_articles, seed)
    else:
        from tidings.demo.site import build_demo_site

        site = build_demo_site(f"http://{host}:{port}")
    try:
        server = serve_site(site, host=host, port=port)
    except OSError as exc:
        raise click.ClickException(f"cannot bind {host}:{port}: {exc}") from None
    with server:
        click.echo(f"Serving {len(server.site.outlets)} outlets, {len(server.site.articles)} articles at {server.url}/")
        click.echo(f"OPML: {server.opml_url}")
        click.echo("Press Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped")
