"""One monitoring cycle: the seed corpus, then the feeds, with a summary per kind."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from . import store
from .article import now_rfc3339
from .config import Config
from .feeds import poll_feeds
from .pipeline import Counts, Engine, ingest
from .sources.files import read_paths


@dataclass
class Report:
    seeds: Counts = field(default_factory=Counts)
    feeds: Counts = field(default_factory=Counts)
    feed_lines: list[str] = field(default_factory=list)  # one line per feed not read well
    failed: int = 0  # feeds that failed or are gone
    polled: int = 0  # feeds asked (fetched or read)
    unchanged: int = 0  # 304 Not Modified, or the same body as last time
    skipped: int = 0  # gone, or the server asked us to wait

    def lines(self) -> list[str]:
        s, f = self.seeds, self.feeds
        return [
            f"seeds: {s.seen} articles read, {s.new} new, {s.alerts} alerts, "
            f"{s.problems} problems",
            f"feeds: {f.seen} articles read, {f.new} new, {f.alerts} alerts, "
            f"{self.failed} feeds failed, {self.polled} polled, {self.unchanged} unchanged, "
            f"{self.skipped} skipped",
            *self.feed_lines,
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


def run_once(db: Database, cfg: Config, engine: Engine) -> Report:
    started = now_rfc3339()
    report = Report()
    report.seeds = run_seeds(db, cfg, engine)
    run_feeds(db, cfg, engine, report)
    store.record_run(db, "once", started, "ok", {"seeds": report.seeds.as_dict(),
                                                 "feeds": report.feeds.as_dict()
                                                 | {"failed": report.failed,
                                                    "polled": report.polled,
                                                    "unchanged": report.unchanged,
                                                    "skipped": report.skipped}})
    return report
