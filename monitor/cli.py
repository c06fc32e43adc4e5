"""The `monitor` command line: parse options, call the library, render."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import click

from . import __version__, cli_daemon, cli_find, cli_read
from .cli_context import Context, pass_ctx
from .terminal import clean

# Each command imports what it needs when it runs: `monitor --help` loads no
# feed parser, HTTP client, scheduler, schema validator or database code.


class MonitorGroup(click.Group):
    """Turns user errors into exit 2 and other failures into exit 1, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # one line on stderr; MONITOR_DEBUG=1 shows the traceback
            from .config import ConfigError

            if isinstance(exc, ConfigError):
                click.echo(clean(f"error: bad configuration in {exc.path}:"), err=True)
                for p in exc.problems:
                    click.echo("  " + clean(p), err=True)
                ctx.exit(2)
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
    from .cycle import run_once
    from .pipeline import Engine

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
@click.option("--reset", "reset", multiple=True, metavar="NAME",
              help="Bring a feed (name or URL) back after you fixed it: forget its errors, "
                   "back-off, 410 Gone and Retry-After; polled again at the next cycle.")
@pass_ctx
def feeds_cmd(c: Context, fmt: str, reset: tuple[str, ...]) -> None:
    """Each configured feed's health: last status, last success, failures, next due."""
    from . import feed_health

    if reset:
        try:
            names = feed_health.reset(c.db(), c.config, reset)
        except KeyError as exc:
            raise click.UsageError(clean(f"no feed named {exc.args[0]} in {c.config.path} "
                                         "(nothing reset)"))
        for name in names:
            click.echo(clean(f"reset feed {name}: polled again at the next cycle"), err=True)
    records = feed_health.health(c.db(), c.config)
    if fmt == "json":
        click.echo(feed_health.render_json(records))
    else:
        width = shutil.get_terminal_size((120, 24)).columns
        click.echo(feed_health.render_table(records, max(width, 100)))


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Read and match files in N processes [default: the CPUs, at most 4; "
                   "1: all in this process].")
@pass_ctx
def ingest_cmd(c: Context, paths: tuple[Path, ...], jobs: int | None) -> None:
    """Ingest article files, folders or feed files (RSS/Atom) now."""
    from .pipeline import Engine, ingest
    from .sources.parallel import default_jobs, read_paths_parallel

    cfg = c.config
    engine = Engine(cfg.watchlist)
    db = c.db()
    items = read_paths_parallel(paths, "file", workers=jobs or default_jobs(),
                                prepare=engine.decided)
    counts = ingest(db, engine, items)
    click.echo(f"ingest: {counts.seen} articles read, {counts.new} new, "
               f"{counts.alerts} alerts, {counts.problems} problems, "
               f"{counts.rejected} rejected, {counts.warnings} warnings")
    for err in counts.errors[:20]:
        click.echo(clean(f"problem: {err}"), err=True)
    if len(counts.errors) > 20:
        click.echo(f"... and {len(counts.errors) - 20} more (see the rejected table)", err=True)


@cli.command()
@pass_ctx
def check(c: Context) -> None:
    """Validate config.toml, the schemas, the watchlist and feed credentials."""
    import tomllib

    from . import credentials, schemas
    from .config import ConfigError
    from .lint import lint_watchlist
    from .redact import has_credentials

    for name in ("alert", "config"):
        schemas.validator(name)  # raises SchemaError on a broken schema file
    cfg = c.config  # raises ConfigError (exit 2) with every problem and its key path
    # jsonschema, the authority, judges the file too (loading used the compiled check).
    problems = schemas.errors("config", tomllib.loads(cfg.path.read_text("utf-8")))
    if problems:
        raise ConfigError(str(cfg.path), problems)
    # Credentials are read when a feed is fetched; check reads them all now.
    missing = credentials.problems([f.credentials for f in cfg.feeds if f.enabled], cfg.base)
    if missing:
        raise ConfigError(str(cfg.path), missing)
    for i, f in enumerate(cfg.feeds):
        if has_credentials(f.url):
            click.echo(f"warning: feeds[{i}].url: holds a password or key ({f.shown_url}); "
                       "it is hidden in every output, but `auth` or `headers` read from "
                       "the environment or a 0600 file keep it out of the config")
    warnings = lint_watchlist(cfg.watchlist)
    for w in warnings:
        click.echo(clean(f"warning: {w}"))
    wl = cfg.watchlist
    click.echo(clean(f"{cfg.path}: ok")
               + f" ({len(cfg.feeds)} feeds, {len(cfg.seed_paths)} seed paths, "
               f"{len(wl.actors)} actors, {len(wl.events)} events, "
               f"{sum(len(e.terms) for e in wl.actors + wl.events)} aliases, "
               f"watchlist {wl.version})")


@cli.command("rescan")
@pass_ctx
def rescan_cmd(c: Context) -> None:
    """Re-match stored articles against the current watchlist."""
    import time

    from .pipeline import Engine
    from .rescan import rescan

    cfg = c.config
    shown = [time.monotonic()]

    def progress(done: int, total: int) -> None:  # on stderr, at most once a second
        if time.monotonic() - shown[0] >= 1.0 and done < total:
            click.echo(f"rescan: {done:,} of {total:,} articles", err=True)
            shown[0] = time.monotonic()

    res = rescan(c.db(), Engine(cfg.watchlist), progress)
    click.echo(f"rescan: {res.articles} articles, {len(res.added)} alerts added, "
               f"{len(res.removed)} removed, {len(res.changed)} changed "
               f"(watchlist {cfg.watchlist.version})"
               + (f", {res.failed} articles failed (see the rejected table)"
                  if res.failed else ""))
    for label, ids in (("added", res.added), ("removed", res.removed),
                       ("changed", res.changed)):
        for aid in ids[:50]:
            click.echo(f"  {label}: article {aid}")


for _command in (*cli_read.COMMANDS, *cli_daemon.COMMANDS, *cli_find.COMMANDS):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="monitor")
