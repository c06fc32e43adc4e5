"""The `monitor` command line: parse options, call the library, render."""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from . import __version__, digest, feed_health, notify, render, schemas, store, story_store, trends
from .config import Config, ConfigError, config_path, load_config
from .cycle import run_once
from .lint import lint_watchlist
from .pipeline import Engine, ingest, rescan
from .severity import SEVERITIES
from .show import render_alert
from .sources.files import read_paths
from .terminal import clean

FORMATS = ["table", "markdown", "json", "atom"]


class Context:
    def __init__(self, config: str | None, db: str | None) -> None:
        self.config_option = config
        self.db_option = db
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(config_path(self.config_option), self.db_option)
        return self._config

    def db(self) -> Any:
        return store.open_db(self.config.database)


pass_ctx = click.make_pass_decorator(Context)


class MonitorGroup(click.Group):
    """Turns user errors into exit 2 and other failures into exit 1, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"error: bad configuration in {exc.path}:", err=True)
            for p in exc.problems:
                click.echo(f"  {p}", err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # one line on stderr; MONITOR_DEBUG=1 shows the traceback
            if os.environ.get("MONITOR_DEBUG"):
                raise
            click.echo(f"error: {type(exc).__name__}: {clean(str(exc))}", err=True)
            ctx.exit(1)


@click.group(cls=MonitorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="monitor")
@click.option("--config", "config", metavar="PATH", envvar="MONITOR_CONFIG",
              help="Config file [default: $MONITOR_CONFIG, else ./config.toml].")
@click.option("--db", "db", metavar="PATH", envvar="MONITOR_DB",
              help="Database file, overriding the config's [storage] database.")
@click.pass_context
def cli(ctx: click.Context, config: str | None, db: str | None) -> None:
    """Libya monitor: flag news about tracked Libyan actors and events.

    Reads the seed corpus and the configured RSS/Atom feeds, stores every
    article once in SQLite, and raises one alert per flagged article.
    """
    ctx.obj = Context(config, db)


@cli.command()
@pass_ctx
def once(c: Context) -> None:
    """Run one full cycle now: seeds and every enabled feed, then store."""
    cfg = c.config
    db = c.db()
    report = run_once(db, cfg, Engine(cfg.watchlist))
    for line in report.lines():
        click.echo(clean(line))
    for err in report.errors():
        click.echo(clean(f"warning: {err}"), err=True)


@cli.command("feeds")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@pass_ctx
def feeds_cmd(c: Context, fmt: str) -> None:
    """Each configured feed's health: last status, last success, failures, next due."""
    records = feed_health.health(c.db(), c.config)
    if fmt == "json":
        click.echo(feed_health.render_json(records))
    else:
        width = shutil.get_terminal_size((120, 24)).columns
        click.echo(feed_health.render_table(records, max(width, 100)))


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_ctx
def ingest_cmd(c: Context, paths: tuple[Path, ...]) -> None:
    """Ingest article files, folders or feed files (RSS/Atom) now."""
    cfg = c.config
    counts = ingest(c.db(), Engine(cfg.watchlist), read_paths(paths, "file"))
    click.echo(f"ingest: {counts.seen} articles read, {counts.new} new, "
               f"{counts.alerts} alerts, {counts.problems} problems, "
               f"{counts.rejected} rejected")
    for err in counts.errors[:20]:
        click.echo(clean(f"problem: {err}"), err=True)
    if len(counts.errors) > 20:
        click.echo(f"... and {len(counts.errors) - 20} more (see the rejected table)", err=True)


@cli.command("digest")
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
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True)
@pass_ctx
def digest_cmd(c: Context, since: str, all_: bool, new: bool, actor: tuple[str, ...],
               event: tuple[str, ...], min_severity: str, limit: int | None,
               include_acked: bool, fmt: str) -> None:
    """Stories, newest first: one row per story (its most severe alert), in a
    table, Markdown, JSON (an array of alerts) or an Atom feed."""
    _check_ids("--actor", actor, c.config.watchlist_ids("actors"))
    _check_ids("--event", event, c.config.watchlist_ids("events"))
    try:
        lower = None if (all_ or new) else digest.parse_since(since)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    db = c.db()
    rows = digest.fetch(db, digest.Query(since=lower, actors=actor, events=event,
                                         min_severity=min_severity, limit=limit,
                                         new_only=new, include_acked=include_acked))
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


@cli.command()
@click.argument("alert_ids", metavar="ALERT_ID...", nargs=-1, required=True)
@pass_ctx
def ack(c: Context, alert_ids: tuple[str, ...]) -> None:
    """Mark alerts handled: each alert's story leaves the digest (see --include-acked).

    An article that joins the story later brings it back. If any id is unknown,
    nothing is acked.
    """
    unknown, n = digest.ack(c.db(), alert_ids)
    if unknown:
        raise click.ClickException("no such alert: " + ", ".join(clean(u) for u in unknown)
                                   + " (nothing acked)")
    click.echo(f"acked {n} alert{'' if n == 1 else 's'}")


@cli.command("trends")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True,
              help="Days shown, ending today (UTC).")
@click.option("--actor", multiple=True, metavar="ID", help="Only this actor (repeatable).")
@click.option("--event", multiple=True, metavar="ID", help="Only this event (repeatable).")
@pass_ctx
def trends_cmd(c: Context, days: int, actor: tuple[str, ...], event: tuple[str, ...]) -> None:
    """Alerts per day per actor and per event, as sparklines with totals."""
    _check_ids("--actor", actor, c.config.watchlist_ids("actors"))
    _check_ids("--event", event, c.config.watchlist_ids("events"))
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


@cli.command("notify")
@click.option("--test", "test", is_flag=True, help="Send a test message to every URL.")
@pass_ctx
def notify_cmd(c: Context, test: bool) -> None:
    """Send the pending story notifications now (the cycle does this after ingest)."""
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
    report = notify.notify_new_stories(c.db(), cfg)
    click.echo(report.line())
    for err in report.errors:
        click.echo(clean(f"warning: {err}"), err=True)
    if report.failed:
        raise SystemExit(1)


def _check_ids(option: str, given: tuple[str, ...], known: set[str]) -> None:
    bad = [g for g in given if g not in known]
    if bad:
        raise click.BadParameter(f"unknown id {', '.join(map(repr, bad))}; known: "
                                 + ", ".join(sorted(known)), param_hint=option)


@cli.command()
@click.argument("alert_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_ctx
def show(c: Context, alert_id: str, fmt: str) -> None:
    """One alert: its article, matched terms, evidence, the rule that fired, and
    the articles of its story."""
    db = c.db()
    row = db.execute("select data from alerts where id = ?", [alert_id]).fetchone()
    if row is None:
        raise click.ClickException(f"no alert {clean(alert_id)!r} in {c.config.database}")
    alert = json.loads(row[0])
    art = db.execute("select * from articles where id = ?", [alert["article"]["id"]])
    cols = [d[0] for d in art.description]
    article = dict(zip(cols, art.fetchone(), strict=False))
    story = story_store.story_articles(db, alert["story_id"])
    if fmt == "json":
        click.echo(json.dumps({"alert": alert, "article": article, "story": story},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(render_alert(alert, article, story))


@cli.command()
@pass_ctx
def check(c: Context) -> None:
    """Validate config.toml, the schemas and the watchlist; list what is wrong."""
    for name in ("alert", "config"):
        schemas.validator(name)  # raises SchemaError on a broken schema file
    cfg = c.config  # raises ConfigError (exit 2) with every problem and its key path
    warnings = lint_watchlist(cfg.watchlist)
    for w in warnings:
        click.echo(f"warning: {w}")
    wl = cfg.watchlist
    click.echo(f"{cfg.path}: ok ({len(cfg.feeds)} feeds, {len(cfg.seed_paths)} seed paths, "
               f"{len(wl.actors)} actors, {len(wl.events)} events, "
               f"{sum(len(e.terms) for e in wl.actors + wl.events)} aliases, "
               f"watchlist {wl.version})")


@cli.command("rescan")
@pass_ctx
def rescan_cmd(c: Context) -> None:
    """Re-match stored articles against the current watchlist."""
    cfg = c.config
    res = rescan(c.db(), Engine(cfg.watchlist))
    click.echo(f"rescan: {res.articles} articles, {len(res.added)} alerts added, "
               f"{len(res.removed)} removed, {len(res.changed)} changed "
               f"(watchlist {cfg.watchlist.version})")
    for label, ids in (("added", res.added), ("removed", res.removed),
                       ("changed", res.changed)):
        for aid in ids[:50]:
            click.echo(f"  {label}: article {aid}")


@cli.command("run")
@click.option("-v", "--verbose", is_flag=True, help="Log each job's details (DEBUG).")
@pass_ctx
def run_cmd(c: Context, verbose: bool) -> None:
    """Run the daemon in the foreground until SIGTERM or SIGINT (SIGHUP reloads)."""
    import logging

    from .daemon import Daemon
    from .lock import AlreadyRunning

    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    d = Daemon(config_path(c.config_option), c.db_option)
    try:
        code = d.run()
    except AlreadyRunning as exc:
        click.echo(f"error: {exc}", err=True)
        c_exit(2)
    if d.unfinished:
        os._exit(code)  # do not wait for a job past the stop bound
    c_exit(code)


def c_exit(code: int) -> None:
    click.get_current_context().exit(code)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_ctx
def status(c: Context, fmt: str) -> None:
    """Whether a daemon runs on this database, and its jobs' last and next runs.

    Exit 0 when a daemon runs and no job's last run failed, else 1.
    """
    from .lock import holder_if_running

    cfg = c.config
    holder = holder_if_running(cfg.database)
    jobs: list[dict[str, Any]] = []
    if cfg.database.exists():
        db = c.db()
        jobs = list(db.query("select * from jobs order by id"))
    failed = [j for j in jobs if j["last_status"] == "error"]
    healthy = holder is not None and not failed
    if fmt == "json":
        click.echo(json.dumps({"running": holder is not None, "daemon": holder,
                               "healthy": healthy, "jobs": jobs}, indent=2))
    else:
        if holder:
            click.echo(f"daemon: running, PID {holder.get('pid')}, since "
                       f"{holder.get('started_at')}")
        else:
            click.echo(f"daemon: not running on {cfg.database}")
        for j in jobs:
            click.echo(clean(f"  {j['name']}: last {j['last_run_at']} {j['last_status']}"
                             f" ({j['last_duration']}s), next {j['next_run_at'] or '-'}, "
                             f"runs {j['runs']}, failures {j['failures']}"
                             + (f", error: {j['last_error']}" if j['last_error'] else "")))
    c_exit(0 if healthy else 1)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="monitor")
