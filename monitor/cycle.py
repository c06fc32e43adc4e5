"""One monitoring cycle: the seed corpus, then the feeds, with a summary per kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from . import store
from .article import now_rfc3339
from .config import Config, Feed
from .pipeline import Counts, Engine, ingest
from .sources import Problem
from .sources.feedparse import iter_feed_articles
from .sources.files import iter_paths, read_paths


@dataclass
class Report:
    seeds: Counts = field(default_factory=Counts)
    feeds: Counts = field(default_factory=Counts)
    feed_lines: list[str] = field(default_factory=list)  # one line per feed that failed

    def lines(self) -> list[str]:
        s, f = self.seeds, self.feeds
        return [
            f"seeds: {s.seen} articles read, {s.new} new, {s.alerts} alerts, "
            f"{s.problems} problems",
            f"feeds: {f.seen} articles read, {f.new} new, {f.alerts} alerts, "
            f"{len(self.feed_lines)} feeds failed",
            *self.feed_lines,
        ]

    def errors(self) -> list[str]:
        return self.seeds.errors[:20]


def run_seeds(db: Database, cfg: Config, engine: Engine) -> Counts:
    return ingest(db, engine, read_paths(cfg.seed_paths, "seed"))


def local_feed_path(cfg: Config, feed: Feed) -> Path:
    """A feed written in the config as a path or file:// URL, resolved."""
    url = feed.url[len("file://"):] if feed.url.startswith("file://") else feed.url
    return (cfg.base / url) if not Path(url).is_absolute() else Path(url)


def run_feeds(db: Database, cfg: Config, engine: Engine, report: Report,
              only: Feed | None = None) -> None:
    """Read every enabled feed. Until HTTP fetching lands, only local feed files."""
    for feed in cfg.feeds if only is None else [only]:
        if not feed.enabled:
            continue
        if not feed.is_local:
            report.feed_lines.append(f"  feed {feed.name}: not fetched (HTTP feeds not "
                                     "supported yet)")
            continue
        path = local_feed_path(cfg, feed)
        try:
            body = path.read_bytes()
        except OSError as exc:
            report.feed_lines.append(f"  feed {feed.name}: cannot read {path}: "
                                     f"{exc.strerror or exc}")
            ingest(db, engine, [Problem(feed.url, f"cannot read: {exc.strerror or exc}")])
            continue
        report.feeds.add(ingest(db, engine, iter_feed_articles(body, feed.url)))


class SeedWatcher:
    """Re-reads only seed files that are new or changed since the last look."""

    def __init__(self) -> None:
        self._seen: dict[Path, tuple[float, int]] = {}

    def changed(self, cfg: Config) -> list[Path]:
        out = []
        for p in iter_paths(cfg.seed_paths):
            if isinstance(p, Problem):
                continue
            try:
                st = p.stat()
            except OSError:
                continue
            key = (st.st_mtime, st.st_size)
            if self._seen.get(p) != key:
                self._seen[p] = key
                out.append(p)
        return out

    def run(self, db: Database, cfg: Config, engine: Engine) -> dict[str, int]:
        files = self.changed(cfg)
        counts = ingest(db, engine, read_paths(files, "seed")) if files else Counts()
        return {"files": len(files), **counts.as_dict()}


def poll_feed_job(db: Database, cfg: Config, engine: Engine, feed: Feed) -> dict[str, int]:
    """One feed, for the daemon. Until HTTP fetching lands: local feed files only."""
    report = Report()
    run_feeds(db, cfg, engine, report, only=feed)
    if report.feed_lines:
        raise RuntimeError(report.feed_lines[0].strip())
    return report.feeds.as_dict()


def run_once(db: Database, cfg: Config, engine: Engine) -> Report:
    started = now_rfc3339()
    report = Report()
    report.seeds = run_seeds(db, cfg, engine)
    run_feeds(db, cfg, engine, report)
    store.record_run(db, "once", started, "ok", {"seeds": report.seeds.as_dict(),
                                                 "feeds": report.feeds.as_dict()})
    return report
