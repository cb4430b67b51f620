"""The ``index`` command group (rebuild, check) and ``search`` from the command line."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup, with_appcontext
from tqdm import tqdm

from cases import indexing
from cases.actors import Actor
from search_index import QueryError
from web.app_state import state
from web.search_wiring import backend, check, rebuild, request_for, size_warning


index_cli = AppGroup("index", help="The search index.")


@index_cli.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the whole index from the database."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with state(app).sessions() as session:
        total = len(indexing.all_case_ids(session))
    with tqdm(total=total, unit="case", desc="indexing") as bar:
        done = rebuild(app, bar.update)
    from web.knowledge.search import rebuild_articles

    click.echo(f"indexed {done} case(s) and {rebuild_articles(app)} knowledge base article(s)")


@index_cli.command("check")
@click.option("--repair/--no-repair", default=True, show_default=True, help="Fix what differs.")
@click.option("--json", "as_json", is_flag=True)
def check_command(repair: bool, as_json: bool) -> None:
    """Compare the index with the database (and repair it)."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    report = check(app, repair=repair)
    warning = size_warning(app)
    if as_json:
        click.echo(json.dumps({**report, "repaired": repair, "warnings": [warning] if warning else []}))
    else:
        click.echo(", ".join(f"{k}: {len(v)}" for k, v in report.items()) + (" (repaired)" if repair else ""))
    if warning:
        click.echo(f"warning: {warning}", err=True)


@click.command("search")
@with_appcontext
@click.argument("query")
@click.option("--json", "as_json", is_flag=True)
@click.option("--page", default=1, show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance")
def search_command(query: str, as_json: bool, page: int, sort: str) -> None:
    """Search the archive (as an administrator)."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        result = backend(app).search(request_for(Actor(None, "admin"), query=query, page=page, sort=sort))
    except QueryError as err:
        raise click.ClickException(str(err)) from err
    if as_json:
        click.echo(json.dumps({"total": result.total, "estimated": result.estimated, "page": result.page,
                               "facets": result.facets,
                               "hits": [{"number": h.number, "title": h.title, "status": h.status,
                                         "score": h.score, "snippet": h.snippet} for h in result.hits]},
                              ensure_ascii=False, indent=2))
        return
    for hit in result.hits:
        click.echo(f"{hit.number}  {hit.status or '':<11} {hit.title or ''}")
    click.echo(f"{'about ' if result.estimated else ''}{result.total} result(s)")
