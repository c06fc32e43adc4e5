"""`monitor run`: APScheduler 3.x jobs for seeds, feeds and maintenance.

Jobs are rebuilt from config at every start and on SIGHUP (memory job store).
SIGTERM/SIGINT stop the scheduler, let the job in hand finish (bounded), and
exit 0. Each job opens its own database connection: sqlite3 connections are
bound to the thread that made them.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from . import dates, jobstate, search_index, store
from .config import Config, ConfigError, Feed, load_config
from .cycle import SeedWatcher, poll_feed_job
from .dates import now_rfc3339
from .feeds import HostLimiter
from .lock import DaemonLock
from .notify import notify_new_stories
from .pipeline import Engine
from .redact import redact_text
from .terminal import clean

log = logging.getLogger("monitor.daemon")

STOP_BOUND = 60.0  # seconds the job in hand may take to finish after SIGTERM
MAINTENANCE_INTERVAL = 3600.0  # WAL checkpoint once an hour
NOTIFY_INTERVAL = 60.0  # new stories are announced within a minute
STAGGER_WINDOW = 60.0  # first runs of the feeds spread over this many seconds


class Daemon:
    def __init__(self, config_path: Path, db_override: str | None = None) -> None:
        self.config_path = config_path
        self.db_override = db_override
        self.cfg: Config = load_config(config_path, db_override)
        self.engine = Engine(self.cfg.watchlist)
        self.seeds = SeedWatcher()
        # Shared by every feed job: at most per_host requests in flight to one host.
        self.limiter = HostLimiter(self.cfg.fetch.per_host)
        self._states: dict[str, str] = {}  # job id -> its last state (log_level)
        self.stopping = threading.Event()
        self._running = 0
        self._running_lock = threading.Lock()
        self.unfinished = False  # a job was still running past STOP_BOUND
        self.jobs = jobstate.JobLog()
        self.scheduler = BlockingScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max(2, self.cfg.fetch.concurrency))},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        self.scheduler.add_listener(self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED)

    # --- jobs ---------------------------------------------------------------
    def _wrap(self, job_id: str, name: str, interval: float,
              fn: Callable[[Any], dict[str, Any]]) -> Callable[[], None]:
        def run() -> None:
            if self.stopping.is_set():
                return
            with self._running_lock:
                self._running += 1
            db = None
            try:
                started = now_rfc3339()
                t0 = time.monotonic()
                status, error, summary, counted = "ok", None, {}, True
                try:
                    db = store.open_db(self.cfg.database)
                    jobstate.started(db, job_id, name, started)
                    summary = fn(db)
                    if summary.get("new"):  # alerts are stored: now the search index
                        _index(db, self.stopping)
                    level, self._states[job_id] = log_level(summary, self._states.get(job_id))
                    # A failed poll is a failure; a feed backing off after failures is
                    # still failing (but this run adds no failure to the count).
                    if summary.get("status") in ("failed", "backing off") \
                            or summary.get("failed"):  # notify: messages that failed
                        status = "error"
                        error = redact_text(str(summary.get("note") or "failed"))
                        counted = summary.get("status") != "backing off"
                    if counted:  # a failure once, one line
                        log.log(level, "%s: %s", name, clean(jobstate.describe(summary)))
                except Exception as exc:
                    # Once per failure; the traceback only under -v (DEBUG).
                    status, error = "error", redact_text(f"{type(exc).__name__}: {exc}")
                    log.error("%s failed: %s", name, clean(error),
                              exc_info=log.isEnabledFor(logging.DEBUG))
                    self._states[job_id] = "error"
                self.jobs.record(job_id, name, started, status, error, time.monotonic() - t0,
                                 summary, self._next_run(job_id), interval, counted)
                self.jobs.write(db)  # or kept in memory, written by a later run
            finally:
                if db is not None:
                    db.close()
                with self._running_lock:
                    self._running -= 1
        return run

    def _next_run(self, job_id: str) -> str | None:
        job = self.scheduler.get_job(job_id)
        nrt = getattr(job, "next_run_time", None) if job else None
        return dates.rfc3339(nrt) if nrt else None

    def _feed_job(self, feed: Feed) -> Callable[[Any], dict[str, Any]]:
        cfg = self.cfg
        return lambda db: poll_feed_job(db, cfg, self.engine, feed, limiter=self.limiter)

    def build_jobs(self) -> None:
        """(Re)create every job from the current config."""
        self.scheduler.remove_all_jobs()
        now = datetime.now(UTC)
        cfg = self.cfg
        self.scheduler.add_job(
            self._wrap("seeds", "seeds", cfg.seeds_interval,
                       lambda db: self.seeds.run(db, cfg, self.engine, self.stopping)),
            "interval", seconds=cfg.seeds_interval, id="seeds", name="seeds",
            next_run_time=now + timedelta(seconds=0.2),
            misfire_grace_time=max(1, int(cfg.seeds_interval / 2)))
        feeds = [f for f in cfg.feeds if f.enabled]
        for i, feed in enumerate(feeds):
            offset = 0.5 + i * min(STAGGER_WINDOW, feed.interval) / max(1, len(feeds))
            job_id = f"feed:{feed.shown_url}"  # shown by `monitor status`: no secrets
            self.scheduler.add_job(
                self._wrap(job_id, f"feed {feed.name}", feed.interval, self._feed_job(feed)),
                "interval", seconds=feed.interval, id=job_id, name=f"feed {feed.name}",
                next_run_time=now + timedelta(seconds=offset),
                misfire_grace_time=max(1, int(feed.interval / 2)))
        if cfg.notify is not None:
            self.scheduler.add_job(
                self._wrap("notify", "notify", NOTIFY_INTERVAL, lambda db: _notify(db, cfg)),
                "interval", seconds=NOTIFY_INTERVAL, id="notify", name="notify",
                next_run_time=now + timedelta(seconds=5), misfire_grace_time=30)
        self.scheduler.add_job(
            self._wrap("maintenance", "maintenance", MAINTENANCE_INTERVAL,
                       lambda db: _maintenance(db, self.stopping)),
            "interval", seconds=MAINTENANCE_INTERVAL, id="maintenance", name="maintenance",
            misfire_grace_time=int(MAINTENANCE_INTERVAL / 2))
        log.info("scheduled %d feed jobs, seeds every %ss, database %s", len(feeds),
                 int(cfg.seeds_interval), cfg.database)

    def _on_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run at %s (coalesced)", event.job_id,
                        event.scheduled_run_time)

    # --- signals ------------------------------------------------------------
    def _stop(self, signum: int, _frame: Any) -> None:
        log.info("received %s: finishing the job in hand, then exiting",
                 signal.Signals(signum).name)
        self.stopping.set()
        # Off the handler: the signal may land while the main thread holds the
        # executor's lock (inside submit), and shutdown takes that lock: a deadlock.
        threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": False},
                         name="stop", daemon=True).start()

    def _reload(self, _signum: int, _frame: Any) -> None:
        # Do the work off the signal handler: it may take a moment.
        threading.Thread(target=self.reload, name="reload", daemon=True).start()

    def reload(self) -> None:
        try:
            cfg = load_config(self.config_path, self.db_override)
        except ConfigError as exc:
            log.error("SIGHUP: config not reloaded, keeping the old one: %s",
                      "; ".join(exc.problems))
            return
        if cfg.database != self.cfg.database:
            log.error("SIGHUP: the database path cannot change while running; keeping %s",
                      self.cfg.database)
            return
        if cfg.fetch.per_host != self.cfg.fetch.per_host:
            self.limiter = HostLimiter(cfg.fetch.per_host)
        self.cfg, self.engine = cfg, Engine(cfg.watchlist)
        self.build_jobs()
        log.info("SIGHUP: config reloaded (watchlist %s)", cfg.watchlist.version)

    # --- main ---------------------------------------------------------------
    def run(self) -> int:
        lock = DaemonLock(self.cfg.database)
        lock.acquire({"pid": os.getpid(), "started_at": now_rfc3339(),
                      "config": str(self.config_path)})
        try:
            db = store.open_db(self.cfg.database, own_dir=self.cfg.owns_state_dir)
            jobstate.daemon_started(db, os.getpid(), str(self.config_path))
            db.close()
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
            signal.signal(signal.SIGHUP, self._reload)
            self.build_jobs()
            self.scheduler.start()  # blocks until _stop
            deadline = time.monotonic() + STOP_BOUND
            while self._running and time.monotonic() < deadline:
                time.sleep(0.05)
            if self._running:
                self.unfinished = True
                log.warning("stopped with %d job(s) unfinished after %ss; their "
                            "transactions were not committed", self._running, STOP_BOUND)
            log.info("stopped")
            return 0
        finally:
            self._write_stopped()
            lock.release()

    def _write_stopped(self) -> None:
        """Last job states and the stop time; a database that refuses is logged, not fatal."""
        try:
            db = store.open_db(self.cfg.database)
        except Exception as exc:
            log.error("could not record the stop: %s: %s", type(exc).__name__, exc)
            return
        try:
            if not self.jobs.write(db):
                log.error("job state not written: %s", ", ".join(self.jobs.unwritten()))
            jobstate.daemon_stopped(db)
        except Exception as exc:
            log.error("could not record the stop: %s: %s", type(exc).__name__, exc)
        finally:
            db.close()


_CHANGES = ("new", "alerts", "problems", "rejected", "files", "sent")
_STATES = {"ok": "ok", "unchanged": "ok", "not_modified": "ok", "failed": "failed",
           "wait": "wait", "gone": "gone"}  # a feed's poll status -> its state


def log_level(summary: dict[str, Any], previous: str | None) -> tuple[int, str]:
    """How loud one job run is, and the job's state after it.

    Idle runs are DEBUG; INFO for what changed (new articles, alerts, files,
    messages sent, a feed's state); WARNING for a failure (one line each).
    """
    status = summary.get("status")
    if isinstance(status, str):  # a feed: "not due" and "skipped" keep the state it had
        failed, state = status == "failed", _STATES.get(status, previous or "ok")
    else:
        failed = bool(summary.get("failed"))
        state = "failed" if failed else "ok"
    if failed:
        return logging.WARNING, state
    changed = any(summary.get(k) for k in _CHANGES)
    if changed or (previous is not None and state != previous) \
            or (previous is None and state != "ok"):
        return logging.INFO, state
    return logging.DEBUG, state


def _notify(db: Any, cfg: Config) -> dict[str, Any]:
    r = notify_new_stories(db, cfg)
    return {"sent": len(r.sent), "failed": len(r.failed), "given_up": len(r.gave_up)}


def _index(db: Any, stop: threading.Event | None = None) -> int:
    """Bring the search index up to date; a failure waits for the next job."""
    try:
        return search_index.catch_up(db, stop)
    except Exception as exc:  # locked for longer than the busy timeout, disk full
        log.warning("search index: catching up failed (next job tries again): %s",
                    clean(redact_text(f"{type(exc).__name__}: {exc}")))
        return 0


def _maintenance(db: Any, stop: threading.Event | None = None) -> dict[str, Any]:
    indexed = _index(db, stop)  # stopping: the rest waits for the next catch-up
    row = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return {"checkpoint": list(row) if row else None, "indexed": indexed}
