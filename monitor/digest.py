"""The digest: one query for every format, then a renderer per format."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from .article import now_rfc3339
from .severity import SEVERITIES
from .terminal import clean, truncate

_RELATIVE = re.compile(r"^(\d+)\s*([hdw])$")


def parse_since(value: str, now: datetime | None = None) -> str:
    """'24h', '7d', '2w' or a date/time -> RFC 3339 UTC lower bound."""
    now = now or datetime.now(UTC)
    m = _RELATIVE.match(value.strip().lower())
    if m:
        n, unit = int(m.group(1)), m.group(2)
        delta = {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
        return (now - delta).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--since: not a duration or date: {value!r} "
                         "(use e.g. 24h, 7d, 2019-11-01)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Query:
    since: str | None = None  # RFC 3339 lower bound on first_seen_at; None = all
    actors: Sequence[str] = ()
    events: Sequence[str] = ()
    min_severity: str = "low"
    limit: int | None = None
    new_only: bool = False
    include_acked: bool = True


@dataclass
class Row:
    alert: dict[str, Any]
    first_seen_at: str
    shown_at: str | None
    acked_at: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out = dict(self.alert)
        out.update(first_seen_at=self.first_seen_at, shown_at=self.shown_at,
                   acked_at=self.acked_at)
        return out


def fetch(db: Database, q: Query) -> list[Row]:
    """The alerts a digest shows, newest first (the one query for every format)."""
    where = ["a.current = 1"]
    params: list[Any] = []
    if q.since:
        where.append("a.first_seen_at >= ?")
        params.append(q.since)
    for kind, ids in (("actor", q.actors), ("event", q.events)):
        if ids:
            where.append(
                "a.id in (select alert_id from alert_terms where kind = ? and term_id in (%s))"
                % ",".join("?" * len(ids)))
            params += [kind, *ids]
    if q.min_severity != "low":
        where.append("a.severity_rank >= ?")
        params.append(SEVERITIES.index(q.min_severity))
    if q.new_only:
        where.append("a.shown_at is null")
    if not q.include_acked:
        where.append("a.acked_at is null")
    sql = ("select a.data, a.first_seen_at, a.shown_at, a.acked_at from alerts a where "
           + " and ".join(where) + " order by a.first_seen_at desc, a.score desc, a.id")
    if q.limit:
        sql += " limit ?"
        params.append(q.limit)
    return [Row(json.loads(r["data"]), r["first_seen_at"], r["shown_at"], r["acked_at"])
            for r in db.query(sql, params)]


def mark_shown(db: Database, rows: list[Row]) -> None:
    now = now_rfc3339()
    ids = [r.alert["id"] for r in rows]
    with db.atomic():
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            db.execute("update alerts set shown_at = ? where shown_at is null and id in (%s)"
                       % ",".join("?" * len(chunk)), [now, *chunk])


def _names(items: list[dict[str, Any]]) -> str:
    return ", ".join(x["id"] for x in items)


def render_json(rows: list[Row]) -> str:
    return json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2)


def render_table(rows: list[Row], width: int = 100) -> str:
    if not rows:
        return "No alerts."
    head = ("ALERT", "SEEN (UTC)", "SEV", "SCORE", "TITLE / ACTORS / EVENTS")
    fixed = 18 + 17 + 9 + 6
    title_w = max(20, width - fixed)
    lines = [f"{head[0]:<18}{head[1]:<17}{head[2]:<9}{head[3]:<6}{head[4]}"]
    for r in rows:
        a = r.alert
        seen = r.first_seen_at[:16].replace("T", " ")
        title = truncate(clean(a["article"]["title"]), title_w)
        lines.append(f"{a['id']:<18}{seen:<17}{a['severity']:<9}{a['score']:<6.2f}{title}")
        pad = " " * fixed
        if a["actors"]:
            lines.append(pad + truncate("actors: " + _names(a["actors"]), title_w))
        if a["events"]:
            lines.append(pad + truncate("events: " + _names(a["events"]), title_w))
    return "\n".join(lines)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(text: str) -> str:
    """Escape Markdown syntax in untrusted text."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


def render_markdown(rows: list[Row]) -> str:
    if not rows:
        return "_No alerts._"
    out = [f"# Libya monitor digest ({len(rows)} alert{'s' if len(rows) != 1 else ''})", ""]
    for r in rows:
        a = r.alert
        art = a["article"]
        title = md_escape(art["title"])
        url = art.get("url")
        head = f"[{title}](<{clean(url).replace('>', '%3E')}>)" if url else title
        out.append(f"## {a['severity'].upper()} · {head}")
        out.append("")
        out.append(f"- **Alert:** `{a['id']}` · score {a['score']:.2f} · first seen "
                   f"{r.first_seen_at} · source {md_escape(art['source'])}")
        if a["actors"]:
            out.append("- **Actors:** " + md_escape(_names(a["actors"])))
        if a["events"]:
            out.append("- **Events:** " + md_escape(_names(a["events"])))
        ev = next((e for e in a["evidence"] if e["kind"] != "context"), None)
        if ev:
            out.append(f"- **Evidence:** {md_escape(ev['snippet'])}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
