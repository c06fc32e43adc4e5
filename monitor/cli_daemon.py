"""The daemon's commands: `monitor run` and `monitor status`."""

from __future__ import annotations

import os
from typing import Any

import click

from .cli_context import Context, exit_with, pass_ctx
from .terminal import clean


@click.command("run")
@click.option("-v", "--verbose", is_flag=True,
              help="Also log idle job runs and error tracebacks (DEBUG).")
@pass_ctx
def run_cmd(c: Context, verbose: bool) -> None:
    """Run the daemon in the foreground until SIGTERM or SIGINT (SIGHUP reloads)."""
    import logging

    from .daemon import Daemon
    from .lock import AlreadyRunning

    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.WARNING)
    for noisy in ("httpx", "httpcore"):  # their request lines would repeat ours
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from .config import config_path

    d = Daemon(config_path(c.config_option), c.db_option)
    try:
        code = d.run()
    except AlreadyRunning as exc:
        click.echo(f"error: {exc}", err=True)
        exit_with(2)
    if d.unfinished:
        os._exit(code)  # do not wait for a job past the stop bound
    exit_with(code)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_ctx
def status(c: Context, fmt: str) -> None:
    """Whether a daemon runs on this database, and its jobs' last and next runs.

    Exit 0 when healthy: a daemon runs, no job's last run failed (a feed poll
    that failed counts), no job is overdue by more than twice its interval, and
    no notification was given up. Else exit 1, with the reasons.
    """
    from . import inert, jobstate, notify, search_index
    from .lock import holder_if_running

    cfg = c.config
    holder = holder_if_running(cfg.database)
    jobs: list[dict[str, Any]] = []
    given_up: list[dict[str, Any]] = []
    unindexed = 0
    if cfg.database.exists():
        db = c.db()
        jobs = list(db.query("select * from jobs order by id"))
        given_up = notify.given_up(db)
        unindexed = search_index.pending(db)
    problems = jobstate.problems(holder is not None, jobs, given_up)
    healthy = not problems
    if fmt == "json":
        click.echo(inert.dumps({"running": holder is not None, "daemon": holder,
                                "healthy": healthy, "problems": problems, "jobs": jobs,
                                "notifications_given_up": given_up,
                                "articles_not_yet_searchable": unindexed}))
    else:
        if holder:
            click.echo(clean(f"daemon: running, PID {holder.get('pid')}, since "
                             f"{holder.get('started_at')}"))
        else:
            click.echo(clean(f"daemon: not running on {cfg.database}"))
        for j in jobs:
            if j.get("running_since") and holder:
                click.echo(clean(f"  {j['name']}: running since {j['running_since']} "
                                 f"({_age(j['running_since'])})"))
            elif j.get("running_since"):  # the daemon died or was cut off mid-job
                click.echo(clean(f"  {j['name']}: interrupted: started "
                                 f"{j['running_since']}, never finished"))
            if not j.get("last_run_at"):
                continue  # its first run is the one in hand
            click.echo(clean(f"  {j['name']}: last {j['last_run_at']} {j['last_status']}"
                             f" ({j['last_duration']}s), next {j['next_run_at'] or '-'}, "
                             f"runs {j['runs']}, failures {j['failures']}"
                             + (f", error: {j['last_error']}" if j['last_error'] else "")))
        if unindexed:  # the next daemon job, search or serve indexes them
            click.echo(f"search index: {unindexed} stored article(s) not indexed yet")
        click.echo("healthy" if healthy else "unhealthy:")
        for p in problems:
            click.echo(clean(f"  {p}"))
    exit_with(0 if healthy else 1)


def _age(since: str) -> str:
    from . import dates

    t = dates.parse(since)
    if t is None:
        return "?"
    secs = max(0, int((dates.now() - t).total_seconds()))
    return f"{secs // 3600}h{secs // 60 % 60:02d}m" if secs >= 3600 else \
        f"{secs // 60}m{secs % 60:02d}s" if secs >= 60 else f"{secs}s"


COMMANDS = [run_cmd, status]
