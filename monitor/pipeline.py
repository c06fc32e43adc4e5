"""source -> Article -> hits -> decision -> alert -> store, for a batch.

`Engine` holds what is built once per watchlist (the automaton); `ingest`
runs a batch of articles and problems through it inside one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlite_utils import Database

from . import identity, schemas, store, stories, story_store
from .alerts import build_alert
from .article import Article
from .dates import now_rfc3339
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

    def decide(self, article: Article, seen_at: str | None = None) -> Decision:
        """Date-bounded aliases go by the published date; for an undated feed item, by
        the day first seen (a feed carries current news; a file may be an old archive)."""
        day = article.published_date
        if day is None and article.source_kind == "feed":
            day = day_of(seen_at)
        return decide(self.watchlist, self.matcher.find(article.text), day, article.text)

    def alert_for(self, article: Article, seen_at: str | None = None,
                  **kw: Any) -> dict[str, Any] | None:
        d = self.decide(article, seen_at)
        return build_alert(article, d, self.watchlist, **kw) if d.alert else None

    def decided(self, article: Article) -> Decided | Article:
        """The article with its alert (if flagged) and what its story placement needs
        from its text, made now in a reader process; unless the decision depends on
        the time it is stored (an undated feed item's does). The alert, not the
        decision, crosses to the storing process: plain data, cheap to send."""
        if article.published_date is None and article.source_kind == "feed":
            return article
        d = self.decide(article)
        if not d.alert:
            return Decided(article, None)
        alert = build_alert(article, d, self.watchlist)
        # The ids as the storing process would read them from the alert (_assign).
        story = stories.prepare(article.title, article.text, _ids(alert["actors"]),
                                _ids(alert["events"]))
        return Decided(article, alert, story)


@dataclass(frozen=True)
class Decided:
    """An article and its alert (None: not flagged), made where it was read (see
    Engine.decided); `created_at` is set again when it is stored."""
    article: Article
    alert: dict[str, Any] | None
    story: stories.Prepared | None = None


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


def ingest(db: Database, engine: Engine,
           items: Iterable[Article | Decided | Problem]) -> Counts:
    """Store new articles and their alerts; record problems. Batches of BATCH."""
    counts = Counts()
    batch: list[Article] = []
    problems: list[Problem] = []
    decided: dict[int, Decided] = {}  # id() of a batch article -> its decision
    chars = 0
    for item in items:
        if isinstance(item, Decided):
            decided[id(item.article)] = item
            item = item.article
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
            _flush(db, engine, batch, problems, counts, decided)
            batch, problems, chars, decided = [], [], 0, {}
    _flush(db, engine, batch, problems, counts, decided)
    return counts


def _flush(db: Database, engine: Engine, batch: list[Article], problems: list[Problem],
           counts: Counts, decided: dict[int, Decided]) -> None:
    """Store one batch. Whatever goes wrong with one article is that article's problem."""
    fresh, collisions = identity.resolve(batch, lambda ids: identity.stored(db, ids))
    failed: list[Problem] = []  # articles that failed a stage (the others go on)
    now = now_rfc3339()
    # Match, decide and validate outside the write lock; stories are chosen inside it.
    items: list[_Item] = []
    rejected: list[Problem] = []
    for a in fresh:
        # An article identity.resolve renamed is a new object: decided again here.
        pre = decided.get(id(a))
        try:
            if pre is None:
                alert = engine.alert_for(a, seen_at=now, created_at=now)
            elif pre.alert is None:
                alert = None
            else:
                alert = {**pre.alert, "created_at": now}
        except Exception as exc:  # a matcher bug costs this article its alert, not the batch
            failed.append(_failed(a, "matching", exc))
            alert = None
        if alert is not None and not _valid(alert, a, rejected):
            alert = None
        items.append(_Item(a, alert, pre.story if pre else None))
    notes = [*problems, *collisions]
    try:
        stored = _write(db, items, notes, failed, rejected, now)
    except sqlite3.OperationalError:
        raise  # the database's problem (locked, full, read-only): the whole batch's
    except Exception:  # a value the database refused: find the article, store the others
        stored, kept = 0, []
        for it in items:
            try:
                stored += _write(db, [it], [], [], [], now)
                kept.append(it)
            except sqlite3.OperationalError:
                raise
            except Exception as exc:
                failed.append(_failed(it.article, "storing", exc))
        _write(db, [], notes, failed, rejected, now)
        items = kept
    counts.alerts += stored
    counts.new += len(items)
    counts.rejected += len(rejected)
    counts.warnings += len(collisions)
    counts.problems += len(failed)
    counts.errors.extend(f"{p.source}{':' + str(p.line) if p.line else ''}: {p.error}"
                         for p in failed)


@dataclass
class _Item:
    article: Article
    alert: dict[str, Any] | None
    story: stories.Prepared | None = None  # made by a reader process, if any


def _write(db: Database, items: list[_Item], problems: list[Problem], failed: list[Problem],
           rejected: list[Problem], now: str) -> int:
    """One transaction: articles, stories, alerts, problems. Returns alerts stored."""
    with store.transaction(db):
        # Another writer may have stored some of these since they were looked up.
        taken = store.known_article_ids(db, (it.article.id for it in items))
        items = [it for it in items if it.article.id not in taken]
        store.insert_articles(db, ((it.article, now, stories.new_story_id(it.article.id))
                                   for it in items))
        flagged = [(it.article, it.alert) for it in items if it.alert is not None]
        story_of = _assign(db, flagged, now, {it.article.id: it.story for it in items
                                              if it.story is not None})
        n = store.save_alerts(db, [(alert, now) for _, alert in flagged])
        story_store.refresh(db, story_of.values())
        store.save_problems(db, problems, "read")
        store.save_problems(db, failed, "ingest")
        store.save_problems(db, rejected, "validate")
    return n


def _assign(db: Database, flagged: list[tuple[Article, dict[str, Any]]], seen_at: str,
            prepared: dict[str, stories.Prepared] | None = None) -> dict[str, str]:
    """Give flagged articles their stories (alerts and article rows follow)."""
    story_of = story_store.assign(db, ((a, _ids(alert["actors"]), _ids(alert["events"]))
                                       for a, alert in flagged), seen_at, prepared)
    for a, alert in flagged:
        alert["story_id"] = story_of[a.id]
    db.conn.executemany("update articles set story_id = ? where id = ?",
                        [(sid, aid) for aid, sid in story_of.items()])
    return story_of


def _failed(a: Article, stage: str, exc: Exception) -> Problem:
    """The problem of one article that failed in a stage (the others go on)."""
    return Problem(identity.origin(a.source), f"failed while {stage} article {a.id} "
                   f"({a.title[:80]!r}): {type(exc).__name__}: {exc}",
                   line=identity.line_of(a.source))


def _valid(alert: dict[str, Any], article: Article, rejected: list[Problem]) -> bool:
    """Whether `alert` meets its schema; if not, a Problem for `rejected` is added."""
    errs = schemas.valid_or_errors("alert", alert)
    if errs:
        rejected.append(Problem(article.source, "alert fails its schema: " + "; ".join(errs),
                                record=_json(alert)))
    return not errs


def _ids(found: list[dict[str, Any]]) -> list[str]:
    return [x["id"] for x in found]


def day_of(stamp: str | None) -> date | None:
    """The UTC day of an RFC 3339 stamp ('2019-11-25T08:00:00Z'), or None."""
    try:
        return date.fromisoformat(stamp[:10]) if stamp else None
    except ValueError:
        return None


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)[:20000]
