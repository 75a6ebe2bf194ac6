"""``tidings extract PATH_OR_URL``: print one page's extracted article as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tidings.cli import get_config


def _is_url(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def _read_file(target: str, url: str | None) -> tuple[bytes, str]:
    path = Path(target).expanduser()
    if not path.is_file():
        raise click.ClickException(f"no such file: {target}")
    try:
        html = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {target}: {exc.strerror or exc}") from None
    return html, url or path.resolve().as_uri()


def _fetch(ctx: click.Context, target: str) -> tuple[bytes | str, str]:
    from tidings.fetch.client import fetch_sync
    from tidings.fetch.errors import FetchError

    config = get_config(ctx)
    try:
        result = fetch_sync(target, config.fetch)
    except FetchError as exc:
        raise click.ClickException(f"could not fetch {target}: {exc}") from None
    except ValueError as exc:
        raise click.ClickException(f"could not fetch {target}: {exc}") from None
    if not 200 <= result.status < 300:
        raise click.ClickException(f"could not fetch {target}: HTTP {result.status}")
    return (result.text if result.text is not None else result.body), result.final_url


@click.command("extract")
@click.argument("target", metavar="PATH_OR_URL")
@click.option("--url", "page_url", default=None, help="The page's address when PATH_OR_URL is a local file.")
@click.pass_context
def extract_command(ctx: click.Context, target: str, page_url: str | None) -> None:
    """Extract the article from a saved page (PATH) or a live one (URL) and print it as JSON.

    \b
    Output: {"url", "canonical_url", "title", "text", "author", "published", "language", "image",
      "site_name", "description", "text_source"}

    \b
    Example:
      $ tidings extract saved-page.html --url https://news.example/2026/11/halvard-aragon
    """
    from tidings.extract.article import NoArticle, extract_article

    if _is_url(target):
        if page_url:
            raise click.UsageError("--url is only for a local file; the fetched address is used for a URL")
        html, url = _fetch(ctx, target)
    else:
        html, url = _read_file(target, page_url)
    try:
        article = extract_article(html, url)
    except NoArticle as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(article.to_json(), ensure_ascii=False, indent=2))
