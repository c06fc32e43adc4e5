"""One monitoring cycle: the seed corpus, then the feeds, with a summary per kind."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from . import search_index, store
from .article import Article
from .config import Config, Feed
from .dates import now_rfc3339
from .feeds import HostLimiter, load_state, next_due, poll_feed, poll_feeds, ts
from .notify import NotifyReport, notify_new_stories
from .pipeline import Counts, Engine, ingest
from .sources import Problem
from .sources.files import iter_paths, read_paths
from .sources.limits import checked


@dataclass
class Report:
    seeds: Counts = field(default_factory=Counts)
    feeds: Counts = field(default_factory=Counts)
    feed_lines: list[str] = field(default_factory=list)  # one line per feed not read well
    failed: int = 0  # feeds that failed or are gone
    polled: int = 0  # feeds asked (fetched or read)
    unchanged: int = 0  # 304 Not Modified, or the same body as last time
    skipped: int = 0  # gone, or the server asked us to wait
    notify: NotifyReport | None = None

    def lines(self) -> list[str]:
        s, f = self.seeds, self.feeds
        return [
            f"seeds: {s.seen} articles read, {s.new} new, {s.alerts} alerts, "
            f"{s.problems} problems",
            f"feeds: {f.seen} articles read, {f.new} new, {f.alerts} alerts, "
            f"{self.failed} feeds failed, {self.polled} polled, {self.unchanged} unchanged, "
            f"{self.skipped} skipped",
            *self.feed_lines,
            *([self.notify.line()] if self.notify and self.notify.enabled else []),
        ]

    def errors(self) -> list[str]:
        return self.seeds.errors[:20]


def run_seeds(db: Database, cfg: Config, engine: Engine) -> Counts:
    return ingest(db, engine, read_paths(cfg.seed_paths, "seed"))


def run_feeds(db: Database, cfg: Config, engine: Engine, report: Report) -> None:
    """Poll every enabled feed now (conditional GET still applies); note the failures."""
    result = poll_feeds(db, cfg, engine, force=True)
    report.feeds.add(result.counts)
    report.feed_lines.extend(result.lines)
    report.failed += result.count("failed", "gone")
    report.polled += len(result.outcomes) - result.count("skipped")
    report.unchanged += result.count("not_modified", "unchanged")
    report.skipped += result.count("skipped")


class SeedWatcher:
    """Re-reads only seed files that are new or changed since the last look."""

    def __init__(self) -> None:
        self._seen: dict[Path, tuple[float, int]] = {}
        self._listed: list[Problem] = []  # what the last listing could not read
        self._reported: set[Problem] = set()  # listing problems already recorded

    def changed(self, cfg: Config) -> dict[Path, tuple[float, int]]:
        """New or changed files with their (mtime, size); not yet marked seen."""
        out = {}
        self._listed = []
        for p in iter_paths(cfg.seed_paths):
            if isinstance(p, Problem):  # a pipe in the folder, a path gone
                self._listed.append(p)
                continue
            try:
                st = p.stat()
            except OSError:
                continue
            key = (st.st_mtime, st.st_size)
            if self._seen.get(p) != key:
                out[p] = key
        return out

    def run(self, db: Database, cfg: Config, engine: Engine,
            stop: threading.Event | None = None) -> dict[str, Any]:
        """Ingest new or changed files; once `stop` is set, no further article is read."""
        files = self.changed(cfg)
        fresh = [p for p in self._listed if p not in self._reported]
        done: dict[Path, tuple[float, int]] = {}

        def items() -> Iterator[Article | Problem]:
            for p in fresh:  # recorded once, not at every run
                yield from checked(p)
            for path, key in files.items():
                for item in read_paths([path], "seed", roots=cfg.seed_paths):
                    if stop is not None and stop.is_set():
                        return  # this file and the rest are read again next run
                    yield item
                done[path] = key

        counts = ingest(db, engine, items()) if files or fresh else Counts()
        # Marked seen only once ingested: a job that failed reads them again next time.
        self._seen.update(done)
        self._reported.update(fresh)
        summary: dict[str, Any] = {"files": len(done), **counts.as_dict()}
        if len(done) < len(files):
            summary["left"] = len(files) - len(done)  # stopped: for the next run
        return summary


def poll_feed_job(db: Database, cfg: Config, engine: Engine, feed: Feed,
                  now: datetime | None = None, limiter: HostLimiter | None = None
                  ) -> dict[str, Any]:
    """One feed, for the daemon: polled only when the store says it is due.

    The job fires on the feed's interval; back-off, Retry-After and 410 push
    the due time further, and then the job only looks and returns.
    """
    now = now or datetime.now(UTC)
    due = next_due(db, feed, now)
    if due is None:
        return {"status": "gone"}
    # A poll recorded a moment after the previous run started must not make
    # this run skip: allow half an interval (at most 5 minutes) of slack.
    if due > now + timedelta(seconds=min(300.0, feed.interval / 2)):
        state = load_state(db, feed)
        if state.get("failures"):  # waiting out a back-off: still a failing feed
            return {"status": "backing off", "next_due": ts(due),
                    "note": f"{state['failures']} failure(s) in a row, next try {ts(due)}: "
                            f"{state.get('last_error')}"}
        return {"status": "not due", "next_due": ts(due)}
    out = poll_feed(db, cfg, engine, feed, now=now, limiter=limiter)
    summary: dict[str, Any] = {"status": out.status, **out.counts.as_dict()}
    if out.note:
        summary["note"] = out.note
    return summary


def run_once(db: Database, cfg: Config, engine: Engine) -> Report:
    started = now_rfc3339()
    report = Report()
    report.seeds = run_seeds(db, cfg, engine)
    run_feeds(db, cfg, engine, report)
    report.notify = notify_new_stories(db, cfg)
    try:  # alerts are stored and sent: now the search index
        search_index.catch_up(db)
    except sqlite3.OperationalError as exc:  # locked past the busy timeout: next time
        report.feed_lines.append(f"search index: not brought up to date ({exc}); "
                                 f"the next search, serve or daemon job does it")
    store.record_run(db, "once", started, "ok", {"seeds": report.seeds.as_dict(),
                                                 "feeds": report.feeds.as_dict()
                                                 | {"failed": report.failed,
                                                    "polled": report.polled,
                                                    "unchanged": report.unchanged,
                                                    "skipped": report.skipped}})
    return report
