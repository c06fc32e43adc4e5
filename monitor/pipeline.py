"""source -> Article -> hits -> decision -> alert -> store, for a batch.

`Engine` holds what is built once per watchlist (the automaton); `ingest`
runs a batch of articles and problems through it inside one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from . import schemas, store, story_store
from .alerts import build_alert
from .article import Article, now_rfc3339
from .matcher import Matcher
from .rules import Decision, decide
from .sources import Problem
from .watchlist import Watchlist

BATCH = 500  # articles per transaction
# ... or fewer, once their texts reach this many characters: a batch of long
# articles is matched in seconds, so a stopping daemon never waits for minutes.
BATCH_CHARS = 4_000_000


class Engine:
    """The watchlist and its automaton: match and decide for one article."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self.matcher = Matcher(watchlist.terms())

    def decide(self, article: Article) -> Decision:
        return decide(self.watchlist, self.matcher.find(article.text), article.published_date)

    def alert_for(self, article: Article, **kw: Any) -> dict[str, Any] | None:
        d = self.decide(article)
        return build_alert(article, d, self.watchlist, **kw) if d.alert else None


@dataclass
class Counts:
    seen: int = 0  # articles read from the sources
    new: int = 0  # articles stored for the first time
    alerts: int = 0  # alerts stored
    rejected: int = 0  # alerts that failed the schema (kept in `rejected`)
    problems: int = 0  # input that could not be read (kept in `rejected`)
    warnings: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        for k in ("seen", "new", "alerts", "rejected", "problems", "warnings"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.errors.extend(other.errors)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in
                ("seen", "new", "alerts", "rejected", "problems", "warnings")}


def ingest(db: Database, engine: Engine, items: Iterable[Article | Problem]) -> Counts:
    """Store new articles and their alerts; record problems. Batches of BATCH."""
    counts = Counts()
    batch: list[Article] = []
    problems: list[Problem] = []
    chars = 0
    for item in items:
        if isinstance(item, Problem):
            problems.append(item)
            if item.level == "warning":
                counts.warnings += 1
            else:
                counts.problems += 1
                counts.errors.append(f"{item.source}"
                                     f"{':' + str(item.line) if item.line else ''}: {item.error}")
            continue
        counts.seen += 1
        batch.append(item)
        chars += len(item.text)
        if len(batch) >= BATCH or chars >= BATCH_CHARS:
            _flush(db, engine, batch, problems, counts)
            batch, problems, chars = [], [], 0
    _flush(db, engine, batch, problems, counts)
    return counts


def _flush(db: Database, engine: Engine, batch: list[Article], problems: list[Problem],
           counts: Counts) -> None:
    known = store.known_article_ids(db, (a.id for a in batch))
    fresh: dict[str, Article] = {}
    for a in batch:
        if a.id not in known and a.id not in fresh:
            fresh[a.id] = a
    now = now_rfc3339()
    # The story is chosen before anything is written, and never changes afterwards.
    story_of, signature_rows = story_store.assign(db, fresh.values(), now)
    alerts: list[tuple[dict[str, Any], str]] = []
    rejected: list[Problem] = []
    for a in fresh.values():
        alert = engine.alert_for(a, created_at=now, story_id=story_of[a.id])
        if alert is not None and _valid(alert, a, rejected):
            alerts.append((alert, now))
    with store.transaction(db):
        db.table("articles").insert_all(
            (store.article_row(a, now, story_of[a.id]) for a in fresh.values()), ignore=True)
        story_store.save(db, signature_rows)
        counts.alerts += store.save_alerts(db, alerts)
        story_store.refresh(db, story_of.values())
        store.save_problems(db, problems, "read")
        store.save_problems(db, rejected, "validate")
    counts.new += len(fresh)
    counts.rejected += len(rejected)


@dataclass
class RescanResult:
    articles: int = 0
    added: list[str] = field(default_factory=list)  # article ids newly flagged
    removed: list[str] = field(default_factory=list)  # article ids no longer flagged
    changed: list[str] = field(default_factory=list)  # still flagged, other actors/events
    rejected: int = 0


def rescan(db: Database, engine: Engine) -> RescanResult:
    """Re-match every stored article against the current watchlist."""
    res = RescanResult()
    now = now_rfc3339()
    current = {r["article_id"]: r for r in db.query(
        "select article_id, data, first_seen_at from alerts where current = 1")}
    rows = list(db.query("select * from articles"))
    for i in range(0, len(rows), BATCH):
        alerts: list[tuple[dict[str, Any], str]] = []
        rejected: list[Problem] = []
        removed: list[str] = []
        for row in rows[i:i + BATCH]:
            res.articles += 1
            a = _article(row)
            alert = engine.alert_for(a, created_at=now, story_id=row["story_id"])
            old = current.get(a.id)
            if alert is None:
                if old:
                    removed.append(a.id)
                continue
            if not _valid(alert, a, rejected):
                continue
            alerts.append((alert, row["first_seen_at"]))
            if not old:
                res.added.append(a.id)
            elif _terms(json.loads(old["data"])) != _terms(alert):
                res.changed.append(a.id)
        with store.transaction(db):
            store.save_alerts(db, alerts)
            for aid in removed:
                db.execute("update alerts set current = 0 where article_id = ?", [aid])
            store.save_problems(db, rejected, "validate")
            story_store.refresh(db, {r["story_id"] for r in rows[i:i + BATCH]})
        res.removed.extend(removed)
        res.rejected += len(rejected)
    return res


def _valid(alert: dict[str, Any], article: Article, rejected: list[Problem]) -> bool:
    """Whether `alert` meets its schema; if not, a Problem for `rejected` is added."""
    errs = schemas.errors("alert", alert)
    if errs:
        rejected.append(Problem(article.source, "alert fails its schema: " + "; ".join(errs),
                                record=_json(alert)))
    return not errs


def _terms(alert: dict[str, Any]) -> tuple[list[str], list[str]]:
    return [x["id"] for x in alert["actors"]], [x["id"] for x in alert["events"]]


def _article(row: dict[str, Any]) -> Article:
    return Article(row["id"], row["title"], row["text"], row["source"], row["source_kind"],
                   row["url"], row["published_at"], row["guid"])


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)[:20000]
