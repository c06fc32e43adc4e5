"""The digest: one query for every format (renderers in render.py), read state, ack.

One row per story: the story's most severe, then newest, matching alert stands
for it, with the story's sources, first-seen time and story-level severity.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from . import dates
from .dates import now_rfc3339
from .severity import SEVERITIES
from .store import transaction

_RELATIVE = re.compile(r"^(\d+)\s*([hdw])$")


def parse_since(value: str, now: datetime | None = None) -> str:
    """'24h', '7d', '2w' or a date/time -> RFC 3339 UTC lower bound."""
    now = now or datetime.now(UTC)
    m = _RELATIVE.match(value.strip().lower())
    if m:
        n, unit = int(m.group(1)), m.group(2)
        delta = {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
        return dates.ago(delta, now)
    try:
        dt = dates.strict(value, bounded=False)
    except dates.DateError:
        dt = None
    if dt is None:
        raise ValueError(f"--since: not a duration or date: {value!r} "
                         "(use e.g. 24h, 7d, 2019-11-01)") from None
    return dates.rfc3339(dt)


@dataclass(frozen=True)
class Query:
    since: str | None = None  # RFC 3339 lower bound on the alerts' first_seen_at; None = all
    actors: Sequence[str] = ()
    events: Sequence[str] = ()
    min_severity: str = "low"  # on the story's severity
    limit: int | None = None  # stories
    new_only: bool = False  # stories never shown, or whose severity rose since shown
    include_acked: bool = False  # acked alerts are hidden unless asked for
    per_story: bool = True  # one row per story; False: every alert (JSON's default)


@dataclass
class Row:
    alert: dict[str, Any]  # the representative alert, as stored
    first_seen_at: str
    shown_at: str | None
    acked_at: str | None
    story: dict[str, Any] = field(default_factory=dict)
    per_story: bool = True  # the row stands for its story (else for its own alert)

    @property
    def headline(self) -> str:
        """The story's most representative headline on a story row, else the article's."""
        return self._story_or("headline", self.alert["article"]["title"])

    def ids(self, kind: str) -> list[str]:
        """Actor or event ids: the story's union on a story row, else the alert's."""
        return self._story_or(kind, [x["id"] for x in self.alert[kind]])

    @property
    def severity(self) -> str:
        """The story's severity on a story row (the alert's own when the story has none
        yet); the alert's own on an alert row."""
        return self._story_or("severity", self.alert["severity"])

    def _story_or(self, key: str, own: Any) -> Any:
        """The story's `key` on a story row (`own` while the story has none), else `own`."""
        return (self.story.get(key) or own) if self.per_story else own

    def as_json(self) -> dict[str, Any]:
        out = dict(self.alert)
        if self.story.get("id"):  # the story it is in now (it may have merged since)
            out["story_id"] = self.story["id"]
        out.update(first_seen_at=self.first_seen_at, shown_at=self.shown_at,
                   acked_at=self.acked_at, sources=self.story.get("sources", 1),
                   story=self.story)
        return out


_STORY_COLS = ("first_seen_at", "last_seen_at", "articles", "sources", "score", "severity",
               "headline", "languages", "first_report_at", "last_report_at", "actors",
               "events")


def _story(row: Any) -> dict[str, Any]:
    """The digest's story object: lists for the comma-joined columns."""
    out = {"id": row["story_id"], **{c: row[f"s_{c}"] for c in _STORY_COLS}}
    for c in ("languages", "actors", "events"):
        out[c] = [x for x in (out[c] or "").split(",") if x]
    out["reports"] = out["articles"]
    return out


def fetch(db: Database, q: Query) -> list[Row]:
    """One row per story (or per alert), newest first: the one query for every format."""
    where = ["a.current = 1"]
    params: list[Any] = []
    if q.since:
        where.append("a.first_seen_at >= ?")
        params.append(q.since)
    for kind, ids in (("actor", q.actors), ("event", q.events)):
        if ids:
            # alert_terms carries first_seen_at so this subquery uses its index, not a scan.
            sub = ("select alert_id from alert_terms where kind = ? and term_id in (%s)"
                   % ",".join("?" * len(ids)))
            params += [kind, *ids]
            if q.since:
                sub += " and first_seen_at >= ?"
                params.append(q.since)
            where.append(f"a.id in ({sub})")
    if not q.include_acked:
        where.append("a.acked_at is null")
    outer = ["h.rn = 1" if q.per_story else "1 = 1"]
    if q.min_severity != "low":
        # A story row is judged by the story's severity, an alert row by its own.
        outer.append("s.severity_rank >= ?" if q.per_story else "a.severity_rank >= ?")
        params.append(SEVERITIES.index(q.min_severity))
    if q.new_only:
        outer.append("(s.shown_at is null or s.severity_rank > coalesce(s.shown_rank, -1))")
    sql = (
        "with hit as (select a.id, a.story_id, row_number() over (partition by a.story_id "
        "order by a.severity_rank desc, a.first_seen_at desc, a.id) as rn from alerts a "
        "where " + " and ".join(where) + ") "
        "select a.data, a.first_seen_at, a.shown_at, a.acked_at, s.id as story_id, "
        + ", ".join(f"s.{c} as s_{c}" for c in _STORY_COLS)
        + " from hit h join alerts a on a.id = h.id join stories s on s.id = h.story_id "
        "where " + " and ".join(outer)
        + (" order by s.last_seen_at desc, s.score desc, s.id" if q.per_story
           else " order by a.first_seen_at desc, a.score desc, a.id"))
    if q.limit:
        sql += " limit ?"
        params.append(q.limit)
    return [Row(json.loads(r["data"]), r["first_seen_at"], r["shown_at"], r["acked_at"],
                _story(r), q.per_story)
            for r in db.query(sql, params)]


def mark_shown(db: Database, rows: list[Row]) -> None:
    """Remember what `--new` showed: the stories at their shown severity, and each alert."""
    now = now_rfc3339()
    with transaction(db):
        db.conn.executemany("update stories set shown_at = ?, shown_rank = ? where id = ?",
                       [(now, SEVERITIES.index(r.severity), r.story["id"]) for r in rows])
        db.conn.executemany("update alerts set shown_at = ? where shown_at is null and id = ?",
                       [(now, r.alert["id"]) for r in rows])


def ack(db: Database, alert_ids: Sequence[str]) -> tuple[list[str], int]:
    """Ack the stories of these alerts: (unknown ids, alerts acked); nothing if any unknown.

    Acking an alert handles its story: every current alert of the story is acked.
    An article that joins the story later brings it back to the digest.
    """
    found = {r[0]: r[1] for r in db.execute(
        "select id, story_id from alerts where id in (%s)" % ",".join("?" * len(alert_ids)),
        list(alert_ids)).fetchall()} if alert_ids else {}
    unknown = [i for i in alert_ids if i not in found]
    if unknown:
        return unknown, 0
    now = now_rfc3339()
    with transaction(db):
        n = 0
        for sid in sorted(set(found.values())):
            n += db.execute("update alerts set acked_at = ? where story_id = ? and current = 1 "
                            "and acked_at is null", [now, sid]).rowcount
    return [], n
