"""Commands that find and browse what is stored: search (full text) and serve (web view)."""

from __future__ import annotations

import shutil
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import click

from .cli_context import Context, check_ids, pass_ctx
from .terminal import clean, truncate

if TYPE_CHECKING:
    from . import search

SYNTAX_HINT = ('query syntax: words, "exact phrases", prefix*, AND, OR, NOT, title:word; '
               'put words with punctuation in double quotes ("al-Sarraj", "U.S.")')


@click.command("search")
@click.argument("query")
@click.option("--since", metavar="WHEN",
              help="Only articles first seen since: 24h, 7d, or a date such as 2019-11-01.")
@click.option("--actor", multiple=True, metavar="ID",
              help="Only articles whose alert names this actor (repeatable: any of them).")
@click.option("--event", multiple=True, metavar="ID",
              help="Only articles whose alert reports this event (repeatable: any of them).")
@click.option("--alerts-only", is_flag=True, help="Only articles that raised an alert.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="At most N articles.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@pass_ctx
def search_cmd(c: Context, query: str, since: str | None, actor: tuple[str, ...],
               event: tuple[str, ...], alerts_only: bool, limit: int, fmt: str) -> None:
    """Full-text search over every stored article, best match first (BM25).

    QUERY uses SQLite FTS5 syntax: words (all must occur), "exact phrases",
    prefix*, OR, NOT, NEAR(a b), title:word. Case, accents and Arabic
    diacritics are ignored. Each hit shows a snippet with the matched words.
    """
    from . import digest, inert, search


    check_ids("--actor", actor, c.config.watchlist_ids("actors"))
    check_ids("--event", event, c.config.watchlist_ids("events"))
    try:
        lower = digest.parse_since(since) if since else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if not query.strip():
        raise click.UsageError("QUERY is empty")
    q = search.Query(query, since=lower, actors=actor, events=event,
                     alerts_only=alerts_only, limit=limit)
    db = c.db()
    catch_up(db)
    try:
        hits = search.search(db, q)
    except search.SearchSyntaxError as exc:
        click.echo(f"error: bad search query {clean(query)!r}: {clean(str(exc))}", err=True)
        click.echo(f"  {SYNTAX_HINT}", err=True)
        click.get_current_context().exit(2)
    if fmt == "json":
        click.echo(inert.dumps([h.as_json() for h in hits]))
    else:
        width = shutil.get_terminal_size((100, 24)).columns
        click.echo(render_hits(hits, max(width, 60), colour=sys.stdout.isatty()))


def catch_up(db: Any) -> None:
    """Index what ingest stored since the last catch-up; say so if that cannot be done."""
    import sqlite3

    from . import search_index

    waiting = search_index.pending(db)
    if waiting >= search_index.CHUNK:  # seconds of work: say why nothing happens yet
        click.echo(f"search index: indexing {waiting} article(s) stored since the last "
                   "search...", err=True)
    try:
        search_index.catch_up(db)
    except sqlite3.OperationalError as exc:  # read-only file, locked past the busy timeout
        click.echo(f"warning: {search_index.pending(db)} stored article(s) are not in the "
                   f"search index yet ({clean(str(exc))}); they are left out", err=True)


def render_hits(hits: list[search.Hit], width: int, colour: bool = False) -> str:
    """One block per hit: title line, source/alert line, wrapped snippet."""
    if not hits:
        return "No articles found."
    from . import search

    mark = (("\x1b[1;4m", "\x1b[0m") if colour else search.MARK)
    blocks = []
    for i, h in enumerate(hits, 1):
        a = h.article
        head = f"{i:>2}. {truncate(clean(a['title']), width - 4)}"
        seen = (a["first_seen_at"] or "")[:16].replace("T", " ")
        meta = [f"first seen {seen}", truncate(clean(a["source"]), 40), f"article {a['id']}"]
        if h.alert:
            meta.append(f"alert {h.alert['id']} ({h.alert['severity']}; "
                        + ", ".join(h.alert["actors"] + h.alert["events"]) + ")")
        lines = [head] + textwrap.wrap(" · ".join(meta), width - 4, initial_indent="    ",
                                       subsequent_indent="    ")
        if a.get("url"):
            lines.append("    " + clean(a["url"]))
        # The marks are added after wrapping, so their escape codes never split a line.
        plain = textwrap.wrap(h.marked(("\x00", "\x01")), width - 4, initial_indent="    ",
                              subsequent_indent="    ", break_long_words=False)
        lines += [ln.replace("\x00", mark[0]).replace("\x01", mark[1]) for ln in plain]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@click.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8001,  # Datasette's own
              show_default=True,
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--public", is_flag=True,
              help="Listen on every network interface, not only 127.0.0.1 (prints a warning).")
@pass_ctx
def serve(c: Context, port: int, public: bool) -> None:
    """The web view: stories, alerts, facets, search (Datasette; read-only).

    Needs the optional extra: pip install 'libya-monitor[web]'. Every page is
    also JSON and CSV (the export path). Runs beside the daemon; Ctrl-C stops.
    """
    from .web import app

    if not app.available():
        raise click.ClickException(app.INSTALL_HINT)
    path = c.config.database
    db = c.db()  # creates/migrates the database and its views before serving read-only
    catch_up(db)
    db.close()
    host = app.PUBLIC_HOST if public else app.HOST
    if public:
        click.echo(f"warning: serving on every network interface: anyone who can reach this "
                   f"machine on port {port} can read the whole database", err=True)
    click.echo(f"serving {path} read-only at http://{host}:{port}/monitor "
               "(port 0: see the address below); Ctrl-C stops", err=True)
    app.run(path, host=host, port=port, keep_indexed=c.db)


COMMANDS = [search_cmd, serve]
