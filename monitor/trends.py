"""`monitor trends`: alerts per day per actor or event, as unicode sparklines.

An alert counts on the UTC day its article was published, where known, else on
the day the monitor first saw it: a batch of old articles ingested today lands on
the days they happened, not in one spike today.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlite_utils import Database

from .terminal import clean, truncate

BARS = "▁▂▃▄▅▆▇█"


def day_range(today: date, days: int) -> list[date]:
    """The `days` days ending with `today`, oldest first."""
    return [today - timedelta(days=days - 1 - i) for i in range(days)]


def bucket(rows: Iterable[tuple[str, str, int]], today: date, days: int
           ) -> dict[str, list[int]]:
    """(day 'YYYY-MM-DD', id, count) rows -> id -> counts per day, oldest first."""
    index = {d.isoformat(): i for i, d in enumerate(day_range(today, days))}
    out: dict[str, list[int]] = {}
    for day, tid, n in rows:
        i = index.get(day)
        if i is None:
            continue  # outside the window
        out.setdefault(tid, [0] * days)[i] += n
    return out


def sparkline(counts: Sequence[int]) -> str:
    """One character per value, scaled to the largest; a space for zero."""
    top = max(counts, default=0)
    if top <= 0:
        return " " * len(counts)
    return "".join(" " if c <= 0 else BARS[min(len(BARS) - 1, (c * len(BARS) - 1) // top)]
                   for c in counts)


def query(db: Database, kind: str, since_day: date, ids: Sequence[str] = ()
          ) -> list[tuple[str, str, int]]:
    """(day, id, alerts) for current alerts whose day is on or after `since_day`.

    The day is the article's published day (UTC) where known, else its first-seen day.
    An article is seen after it is published, so first_seen_at >= since_day narrows
    the scan first (on its index).
    """
    sql = ("select substr(coalesce(ar.published_at, t.first_seen_at), 1, 10) as day, "
           "t.term_id, count(*) "
           "from alert_terms t join alerts a on a.id = t.alert_id and a.current = 1 "
           "join articles ar on ar.id = a.article_id "
           "where t.kind = ? and t.first_seen_at >= ? and day >= ?")
    params: list[object] = [kind, since_day.isoformat(), since_day.isoformat()]
    if ids:
        sql += " and t.term_id in (%s)" % ",".join("?" * len(ids))
        params += list(ids)
    sql += " group by day, t.term_id"
    return [(r[0], r[1], r[2]) for r in db.execute(sql, params).fetchall()]


def render(series: dict[str, list[int]], today: date, days: int, label: str,
           width: int = 100) -> str:
    """A chart: one line per id, busiest first, with its total and peak."""
    first = day_range(today, days)[0]
    if not series:
        return f"No {label} alerts from {first} to {today}."
    name_w = min(24, max(len(k) for k in series) + 2)
    lines = [f"{label} alerts per day, {first} .. {today} (UTC, published or first seen)"]
    for tid, counts in sorted(series.items(), key=lambda kv: (-sum(kv[1]), kv[0])):
        spark = sparkline(counts)
        if len(spark) > width - name_w - 20:
            spark = spark[-max(10, width - name_w - 20):]  # the latest days fit
        lines.append(f"{truncate(clean(tid), name_w - 2):<{name_w}}{spark} "
                     f"total {sum(counts)}, peak {max(counts)}")
    return "\n".join(lines)
