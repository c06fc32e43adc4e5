"""Rescan: every stored article matched again under the current watchlist.

Reports exactly what it changes (alerts added, removed, changed), pages through
the articles (never all in memory) and places newly flagged articles in stories
as ingest does (pipeline.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from . import store, story_store
from .article import Article
from .dates import now_rfc3339
from .pipeline import BATCH, Engine, _assign, _failed, _valid  # shared with ingest
from .sources import Problem


@dataclass
class RescanResult:
    articles: int = 0
    added: list[str] = field(default_factory=list)  # article ids newly flagged
    removed: list[str] = field(default_factory=list)  # article ids no longer flagged
    changed: list[str] = field(default_factory=list)  # still flagged, another decision
    rejected: int = 0
    failed: int = 0  # articles that could not be re-matched (kept in `rejected`)


def rescan(db: Database, engine: Engine,
           progress: Callable[[int, int], None] | None = None) -> RescanResult:
    """Re-match every stored article against the current watchlist.

    Reports exactly what it stores: an article's new current alert keeps the
    old one's `acked_at` and `shown_at` (an acked story stays acked), and an
    alert whose decision changed under the same watchlist version (same id) is
    replaced in place. An article flagged for the first time joins a story then,
    as at ingest.

    Pages through the articles BATCH at a time in the order they were stored
    (keyset pagination on the table's rowid: never all in memory, and no OFFSET
    that rescans the skipped rows); each page reads only its own articles'
    alerts and story memberships. `progress(done, total)` is called after each page.
    """
    res = RescanResult()
    now = now_rfc3339()
    total = db.execute("select count(*) from articles").fetchone()[0]
    after = 0
    while True:
        page = list(db.query("select rowid as _rowid, * from articles where rowid > ? "
                             "order by rowid limit ?", [after, BATCH]))
        if not page:
            break
        after = page[-1]["_rowid"]
        ids = [r["id"] for r in page]
        marks = ",".join("?" * len(ids))
        current = {r["article_id"]: r for r in db.query(
            "select id, article_id, data, first_seen_at, shown_at, acked_at from alerts "
            f"where current = 1 and article_id in ({marks})", ids)}
        members = {r[0] for r in db.execute(
            f"select article_id from story_members where article_id in ({marks})",
            ids).fetchall()}
        alerts: list[tuple[dict[str, Any], str]] = []
        replaced: list[dict[str, Any]] = []
        carried: list[tuple[str, dict[str, Any]]] = []  # (new alert id, old alert row)
        rejected: list[Problem] = []
        failed: list[Problem] = []
        removed: list[str] = []
        added: list[str] = []
        changed: list[str] = []
        joining: list[tuple[Article, dict[str, Any]]] = []
        for row in page:
            res.articles += 1
            a = Article.from_row(row)
            try:
                alert = engine.alert_for(a, seen_at=row["first_seen_at"], created_at=now,
                                         story_id=row["story_id"])
            except Exception as exc:  # one article's failure: recorded, the rescan goes on
                failed.append(_failed(a, "matching", exc))
                continue
            old = current.get(a.id)
            if alert is None:
                if old:
                    removed.append(a.id)
                continue
            if not _valid(alert, a, rejected):
                continue
            if a.id not in members:
                joining.append((a, alert))
            if old is None:
                added.append(a.id)
                alerts.append((alert, row["first_seen_at"]))
                continue
            before = json.loads(old["data"])
            if old["id"] == alert["id"]:
                if _content(before) != _content(alert):
                    alert["created_at"] = before.get("created_at", alert["created_at"])
                    replaced.append(alert)
                    changed.append(a.id)
                continue
            alerts.append((alert, row["first_seen_at"]))
            carried.append((alert["id"], old))
            if _content(before) != _content(alert):
                changed.append(a.id)
        with store.transaction(db):
            touched = set(_assign(db, joining, now).values())
            raised = [*replaced, *(x for x, _ in alerts)]
            # A report placed just now may have merged stories: alerts follow the survivor.
            moved = story_store.merged_into(db, sorted({x["story_id"] for x in raised}))
            for alert in raised:
                alert["story_id"] = moved.get(alert["story_id"], alert["story_id"])
            store.save_alerts(db, alerts)
            # An id stored before (same watchlist version) holds what was decided then.
            for alert in raised:
                store.replace_alert(db, alert)
            for new_id, old in carried:
                db.execute("update alerts set acked_at = coalesce(acked_at, ?), "
                           "shown_at = coalesce(shown_at, ?) where id = ?",
                           [old["acked_at"], old["shown_at"], new_id])
            for aid in removed:
                db.execute("update alerts set current = 0 where article_id = ?", [aid])
            store.save_problems(db, rejected, "validate")
            store.save_problems(db, failed, "rescan")
            story_store.refresh(db, touched | {r["story_id"] for r in page})
        res.added.extend(added)
        res.changed.extend(changed)
        res.removed.extend(removed)
        res.rejected += len(rejected)
        res.failed += len(failed)
        if progress is not None:
            progress(res.articles, max(total, res.articles))
    return res


def _content(alert: dict[str, Any]) -> dict[str, Any]:
    """What a decision says: the alert without when it was made or its ids."""
    return {k: v for k, v in alert.items()
            if k not in ("id", "created_at", "watchlist_version", "story_id")}
