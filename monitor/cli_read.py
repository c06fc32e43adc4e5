"""Commands that read and mark alerts: digest, show, ack, trends, notify."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime

import click

from .cli_context import Context, check_ids, pass_ctx
from .severity import SEVERITIES
from .terminal import clean

FORMATS = ["table", "markdown", "json", "atom"]


@click.command("digest")
@click.option("--since", default="24h", show_default=True,
              help="Alerts first seen since: 24h, 7d, or a date such as 2019-11-01.")
@click.option("--all", "all_", is_flag=True, help="Every alert, whenever first seen.")
@click.option("--new", "new", is_flag=True,
              help="Only stories not shown before (or more severe since); marks them shown.")
@click.option("--actor", multiple=True, metavar="ID", help="Only alerts naming this actor.")
@click.option("--event", multiple=True, metavar="ID", help="Only alerts reporting this event.")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default="low",
              show_default=True, help="Lowest story severity shown.")
@click.option("--limit", type=click.IntRange(min=1), help="At most N stories.")
@click.option("--include-acked", is_flag=True, help="Also show acked alerts.")
@click.option("--per", type=click.Choice(["story", "alert"]),
              help="One row per story, or every alert [default: alert for json, "
                   "story otherwise].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True)
@pass_ctx
def digest_cmd(c: Context, since: str, all_: bool, new: bool, actor: tuple[str, ...],
               event: tuple[str, ...], min_severity: str, limit: int | None,
               include_acked: bool, per: str | None, fmt: str) -> None:
    """Alerts, newest first, in a table, Markdown, JSON or an Atom feed.

    The table, Markdown and Atom show one row per story (its most severe alert,
    with its number of sources); JSON lists every alert, each with its story.
    """
    from . import digest, render


    check_ids("--actor", actor, c.config.watchlist_ids("actors"))
    check_ids("--event", event, c.config.watchlist_ids("events"))
    try:
        lower = None if (all_ or new) else digest.parse_since(since)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    db = c.db()
    rows = digest.fetch(db, digest.Query(since=lower, actors=actor, events=event,
                                         min_severity=min_severity, limit=limit,
                                         new_only=new, include_acked=include_acked,
                                         per_story=(per or ("alert" if fmt == "json"
                                                            else "story")) == "story"))
    if fmt == "json":
        click.echo(render.render_json(rows))
    elif fmt == "markdown":
        click.echo(render.render_markdown(rows), nl=False)
    elif fmt == "atom":
        click.echo(render.render_atom(rows), nl=False)
    else:
        # sys.stdout, not click.get_text_stream (deprecated in click 8.3); under
        # CliRunner or a pipe it is not a terminal, so the table stays plain.
        tty = sys.stdout.isatty()
        click.echo(render.render_table(rows, shutil.get_terminal_size((100, 24)).columns,
                                       colour=tty))
    if new:
        digest.mark_shown(db, rows)


@click.command()
@click.argument("alert_ids", metavar="ALERT_ID...", nargs=-1, required=True)
@pass_ctx
def ack(c: Context, alert_ids: tuple[str, ...]) -> None:
    """Mark alerts handled: each alert's story leaves the digest (see --include-acked).

    An article that joins the story later brings it back. If any id is unknown,
    nothing is acked.
    """
    from . import digest


    unknown, n = digest.ack(c.db(), alert_ids)
    if unknown:
        raise click.ClickException("no such alert: " + ", ".join(clean(u) for u in unknown)
                                   + " (nothing acked)")
    click.echo(f"acked {n} alert{'' if n == 1 else 's'}")


@click.command("trends")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True,
              help="Days shown, ending today (UTC).")
@click.option("--actor", multiple=True, metavar="ID", help="Only this actor (repeatable).")
@click.option("--event", multiple=True, metavar="ID", help="Only this event (repeatable).")
@pass_ctx
def trends_cmd(c: Context, days: int, actor: tuple[str, ...], event: tuple[str, ...]) -> None:
    """Alerts per day per actor and per event, as sparklines with totals."""
    from . import trends


    check_ids("--actor", actor, c.config.watchlist_ids("actors"))
    check_ids("--event", event, c.config.watchlist_ids("events"))
    today = datetime.now(UTC).date()
    first = trends.day_range(today, days)[0]
    db = c.db()
    width = shutil.get_terminal_size((100, 24)).columns
    kinds = [(k, ids) for k, ids in (("actor", actor), ("event", event))
             if ids or not (actor or event)]  # no filter: both kinds, every id
    out = []
    for kind, ids in kinds:
        series = trends.bucket(trends.query(db, kind, first, ids), today, days)
        out.append(trends.render(series, today, days, kind.capitalize(), width))
    click.echo("\n\n".join(out))


@click.command("notify")
@click.option("--test", "test", is_flag=True, help="Send a test message to every URL.")
@pass_ctx
def notify_cmd(c: Context, test: bool) -> None:
    """Send the pending story notifications now (the cycle does this after ingest).

    Also tries once more the messages given up on (failed for longer than [notify]
    retry_for). Exit 1 if a message failed or one stays given up.
    """
    from . import notify


    cfg = c.config
    if test:
        try:
            ok = notify.send_test(cfg)
        except RuntimeError as exc:
            raise click.ClickException(str(exc))
        if not ok:
            raise click.ClickException("test message not delivered (see the log above)")
        click.echo("test message sent")
        return
    db = c.db()
    report = notify.notify_new_stories(db, cfg, retry_given_up=True)
    click.echo(report.line())
    for err in report.errors:
        click.echo(clean(f"warning: {err}"), err=True)
    stuck = notify.given_up(db)
    for n in stuck:
        click.echo(clean(f"error: story {n['story_id']}: message given up after "
                         f"{n['attempts']} tries since {n['created_at']}: {n['last_error']}"),
                   err=True)
    if report.failed or stuck:
        raise SystemExit(1)


@click.command()
@click.argument("alert_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_ctx
def show(c: Context, alert_id: str, fmt: str) -> None:
    """One alert: its article, matched terms, evidence, the rule that fired, and
    the articles of its story."""
    from . import inert, story_store
    from .show import render_alert


    db = c.db()
    row = db.execute("select data, story_id from alerts where id = ?", [alert_id]).fetchone()
    if row is None:
        raise click.ClickException(f"no alert {clean(alert_id)!r} in {c.config.database}")
    alert = json.loads(row[0])
    alert["story_id"] = story_store.resolve(db, row[1])  # where it is now, after merges
    art = db.execute("select * from articles where id = ?", [alert["article"]["id"]])
    cols = [d[0] for d in art.description]
    article = dict(zip(cols, art.fetchone(), strict=False))
    story = story_store.story_articles(db, alert["story_id"])
    if fmt == "json":
        click.echo(inert.dumps({"alert": alert, "article": article, "story": story}))
    else:
        click.echo(render_alert(alert, article, story))


COMMANDS = [digest_cmd, show, ack, trends_cmd, notify_cmd]
