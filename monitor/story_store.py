"""Stories in SQLite: the index that finds candidate stories, and story aggregates.

Tables (created by migrations.m006_event_stories):
  story_members  one row per flagged article: its story, time, outlet, language,
                 join score and headline
  story_terms    inverted index: (term, story) -> the story's latest day; an
                 article's KEY_TERMS heaviest terms find its candidates
  story_df       document frequency of every profile term (the IDF, kept current)
  story_meta     `reports`: how many profiles story_df counts
  stories        one row per story: the centroid and day range for grouping;
                 aggregates for the digest (recomputed by `refresh`, never by hand);
                 `merged_into` when a later report proved it the same event as
                 an older story; shown_at/shown_rank for `digest --new`

Stories are assigned inside the write transaction, so two writers never split
one event. An article's story is chosen once; it changes only when its whole
story merges into an older one (articles, alerts and members follow).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlite_utils import Database

from . import stories
from .article import Article
from .dates import now_rfc3339
from .severity import SEVERITIES, severity, story_score
from .story_batch import Batch

POSTINGS = 200  # stories read per lookup term (its most recent ones)


def candidates(db: Database, keys: list[str], at: int,
               batch: Batch) -> list[stories.Candidate]:
    """Live stories sharing the most key terms with an article, within the window.

    Each term contributes at most POSTINGS of its most recent stories: a term
    that half the stories share ("libya") finds everything and decides nothing,
    and a busy week must not make every lookup read all of its stories.
    """
    if not keys:
        return []
    lo, hi = at - stories.WINDOW_DAYS, at + stories.WINDOW_DAYS
    per_term = ("select * from (select story_id from story_terms where term = ? and "
                "last_day >= ? order by last_day desc limit %d)" % POSTINGS)
    sql = ("select s.id, s.first_day, s.last_day from stories s join "
           "(select story_id, count(*) as shared from (%s) group by story_id "
           "order by shared desc, story_id limit ?) t on t.story_id = s.id "
           "where s.merged_into is null and s.first_day <= ?"
           % " union all ".join([per_term] * len(keys)))
    params = [x for k in keys for x in (k, lo)]
    rows = db.conn.execute(sql, [*params, stories.MAX_CANDIDATES, hi]).fetchall()
    # Centroids as the batch sees them (grown ones are not written yet), each story
    # read once per batch.
    batch.load(r[0] for r in rows)
    out = []
    for sid, first, last in rows:
        st = batch.stories[sid]
        if st is None:
            out.append(stories.Candidate(sid, {}, first, last, 0.0))
            continue
        if st[1] is None:
            st[1] = stories.norm(st[0])
        out.append(stories.Candidate(sid, st[0], first, last, st[1]))
    return out



def _member(batch: Batch, a: Article, sid: str, at: str, seen_at: str, score: float,
            lang: str | None) -> None:
    """The story_members row of a placed report (written by `flush`)."""
    batch.members.append([a.id, sid, at, seen_at, stories.source_key(a), lang,
                          round(score, 4), a.title])


def assign(db: Database, flagged: Iterable[tuple[Article, Sequence[str], Sequence[str]]],
           seen_at: str, prepared: Mapping[str, stories.Prepared] | None = None
           ) -> dict[str, str]:
    """Put each flagged (article, actor ids, event ids) in a story; write the index.

    `prepared`: article id -> stories.prepare() of it, made beforehand (in a reader
    process); the others are prepared here. Call inside the write transaction.
    Returns article id -> story id.
    """
    story_of: dict[str, str] = {}
    batch = Batch(db)
    for a, actors, events in flagged:
        pre = prepared.get(a.id) if prepared else None
        raw, lang = pre or stories.prepare(a.title, a.text, actors, events)
        df, n = batch.df(raw)
        vec = stories.weigh(raw, df, n)
        at_ts = stories.article_time(a, seen_at)
        at = stories.day(at_ts)
        keys = stories.key_terms(vec)
        # Look up by the heaviest terms some stored report has: a word never seen
        # before finds nothing. Post the heaviest terms overall, for later reports.
        known = stories.key_terms({t: x for t, x in vec.items() if t in df})
        choice = stories.choose(vec, at, candidates(db, known, at, batch))
        sid = choice.story_id or stories.new_story_id(a.id)
        for other in choice.merge:
            sid = merge(db, sid, other, batch)
        _grow(batch, sid, raw, vec, at, keys, seen_at)
        _member(batch, a, sid, at_ts, seen_at, choice.score, lang)
        story_of[a.id] = sid
    batch.flush()
    # A later report of the batch may have merged an earlier one's story away.
    live = {s: batch.survivor(s) for s in set(story_of.values())}
    gone = merged_into(db, sorted(s for s, x in live.items() if s == x))  # before it
    return {aid: gone.get(live[sid], live[sid]) for aid, sid in story_of.items()}


def _grow(batch: Batch, sid: str, raw: stories.Profile, vec: stories.Profile, at: int,
          keys: list[str], seen_at: str) -> None:
    """Add a report's profile to its story: centroid, day range, index terms, IDF."""
    db, st = batch.db, batch.story(sid)
    if st is None:
        centroid, first, last = dict(vec), at, at
        changed = True
    else:
        centroid = stories.add(st[0], vec)
        first, last = min(st[2] if st[2] is not None else at, at), max(st[3] or at, at)
        changed = (first, last) != (st[2], st[3])
    batch.stories[sid] = [centroid, None, first, last]
    batch.dirty.add(sid)
    if changed:  # the centroid itself is written by flush
        db.execute("insert into stories (id, first_day, last_day, first_seen_at, "
                   "last_seen_at, articles, sources) values (?, ?, ?, ?, ?, 1, 1) "
                   "on conflict(id) do update set first_day = excluded.first_day, "
                   "last_day = excluded.last_day", [sid, first, last, seen_at, seen_at])
    db.conn.executemany("insert into story_terms (term, story_id, last_day) values (?, ?, ?) "
                        "on conflict(term, story_id) do update set "
                        "last_day = max(last_day, excluded.last_day)",
                        [(t, sid, last) for t in keys])
    # Every term of the story finds it until a week after its latest report.
    if batch.indexed.get(sid) != last:
        db.execute("update story_terms set last_day = ? where story_id = ? and last_day < ?",
                   [last, sid, last])
        batch.indexed[sid] = last
    batch.df_add.update(raw.keys())
    batch.added += 1


def merge(db: Database, a: str, b: str, batch: Batch | None = None) -> str:
    """Merge two stories of one event: the younger points to the older. Returns the older."""
    rows = {r[0]: r for r in db.execute(
        "select id, first_seen_at, first_day, last_day, shown_at, shown_rank "
        "from stories where id in (?, ?)", [a, b]).fetchall()}
    if a not in rows:  # `a` is being founded by this very article: nothing to move
        return b
    own = batch is None
    batch = Batch(db) if batch is None else batch
    old, young = sorted((a, b), key=lambda s: (rows[s][1] or "", rows[s][2] or 0, s))
    o, y = batch.story(old), batch.story(young)
    centroid = stories.add(o[0] if o else {}, y[0] if y else {})
    db.execute("update stories set first_day = min(first_day, ?), "
               "last_day = max(last_day, ?), shown_at = coalesce(shown_at, ?), "
               "shown_rank = max(coalesce(shown_rank, -1), coalesce(?, -1)) where id = ?",
               [*rows[young][2:6], old])
    db.execute("update stories set merged_into = ?, centroid = null where id = ?",
               [old, young])
    first, last = db.execute("select first_day, last_day from stories where id = ?",
                             [old]).fetchone()
    batch.stories[old], batch.stories[young] = [centroid, None, first, last], None
    batch.dirty.add(old)
    batch.dirty.discard(young)
    batch.merged[young] = old
    batch.indexed.pop(old, None)
    batch.indexed.pop(young, None)
    db.execute("update stories set merged_into = ? where merged_into = ?", [old, young])
    for table, col in (("story_members", "story_id"), ("articles", "story_id"),
                       ("alerts", "story_id")):
        db.execute(f"update {table} set {col} = ? where {col} = ?", [old, young])
    db.execute("insert into story_terms (term, story_id, last_day) select term, ?, last_day "
               "from story_terms where story_id = ? on conflict(term, story_id) do update "
               "set last_day = max(last_day, excluded.last_day)", [old, young])
    db.execute("delete from story_terms where story_id = ?", [young])
    # One notification per event: the survivor's state wins; the younger's moves over
    # only when the survivor has none.
    db.execute("update or ignore notifications set story_id = ? where story_id = ?",
               [old, young])
    db.execute("delete from notifications where story_id = ?", [young])
    if own:
        batch.flush()
    return old


def merged_into(db: Database, story_ids: Sequence[str]) -> dict[str, str]:
    """Each of these stories merged away -> the story it lives on as. One hop is
    enough: a merge points every story merged into the younger at the survivor."""
    return dict(db.conn.execute(
        "select id, merged_into from stories where merged_into is not null and id in "
        "(select value from json_each(?))", [json.dumps(list(story_ids))]).fetchall())


def resolve(db: Database, story_id: str) -> str:
    """The story a (possibly merged) story id lives on as."""
    row = db.execute("select merged_into from stories where id = ?", [story_id]).fetchone()
    return row[0] if row and row[0] else story_id


# `+c.current`: look the alert up by its article (an index on `current` would read
# every current alert for each member).
_AGGREGATE = """
select m.story_id as id, min(m.seen_at) as first_seen_at, max(m.seen_at) as last_seen_at,
       min(m.at) as first_report_at, max(m.at) as last_report_at,
       count(*) as articles, count(distinct m.source_key) as sources,
       json_group_array(distinct m.lang) filter (where m.lang is not null) as languages,
       (select title from story_members h where h.story_id = m.story_id and h.title != ''
        order by h.score desc, h.at, h.article_id limit 1) as headline,
       (select max(a.score) from alerts a where a.story_id = m.story_id and a.current = 1)
         as best,
       (select json_group_array(distinct t.kind || ':' || t.term_id) from alerts a
        join alert_terms t on t.alert_id = a.id where a.story_id = m.story_id
        and a.current = 1) as terms
from story_members m where m.story_id in ({ids}) and exists
  (select 1 from alerts c where c.article_id = m.article_id and +c.current = 1)
group by m.story_id
"""


_COLUMNS = ("id", "first_seen_at", "last_seen_at", "first_report_at", "last_report_at",
            "articles", "sources", "languages", "headline", "score", "severity",
            "severity_rank", "actors", "events")
# Only the aggregates change: the centroid and shown_at/shown_rank stay.
_UPSERT = ("insert into stories (%s) values (%s) on conflict(id) do update set %s" % (
    ", ".join(_COLUMNS), ", ".join("?" * len(_COLUMNS)),
    ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])))


def refresh(db: Database, story_ids: Iterable[str]) -> None:
    """Recompute the aggregates of these stories (the survivors of any merge)."""
    asked = sorted(set(story_ids))
    moved = merged_into(db, asked)
    ids = sorted({moved.get(s, s) for s in asked})
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        rows = []
        for (sid, first_seen, last_seen, first_report, last_report, articles, sources,
             langs, headline, best, terms_json) in db.conn.execute(
                _AGGREGATE.format(ids=",".join("?" * len(chunk))), chunk):
            score = story_score(best, sources) if best is not None else None
            sev = severity(score) if score is not None else None
            terms = sorted(json.loads(terms_json or "[]"))
            rows.append((
                sid, first_seen, last_seen, first_report, last_report, articles, sources,
                ",".join(sorted(json.loads(langs or "[]"))), headline, score, sev,
                SEVERITIES.index(sev) if sev else None,
                ",".join(t[6:] for t in terms if t.startswith("actor:")),
                ",".join(t[6:] for t in terms if t.startswith("event:"))))
        db.conn.executemany(_UPSERT, rows)


def backfill(db: Database) -> None:
    """Stories for articles stored before story grouping existed (m003): one each."""
    db.execute("update articles set story_id = 's' || substr(id, 2) where story_id is null")


def story_articles(db: Database, story_id: str) -> list[dict[str, Any]]:
    """The reports of a story, first seen first, with their current alert if any."""
    return list(db.query(
        "select ar.id, ar.title, ar.url, ar.source, ar.published_at, ar.first_seen_at, "
        "m.lang, al.id as alert_id, al.severity from articles ar "
        "left join story_members m on m.article_id = ar.id "
        "left join alerts al on al.article_id = ar.id and al.current = 1 "
        "where ar.story_id = ? order by ar.first_seen_at, ar.id", [resolve(db, story_id)]))


def backfill_event_stories(db: Database) -> None:
    """m006: members for every flagged article, centroids for the recent stories."""
    rows = list(db.query(
        "select ar.*, al.id as alert_id from articles ar join alerts al "
        "on al.article_id = ar.id and al.current = 1 order by ar.first_seen_at, ar.id"))
    if not rows:
        return
    arts = [(r, Article.from_row(r)) for r in rows]
    batch = Batch(db)
    times = {r["id"]: stories.article_time(a, r["first_seen_at"]) for r, a in arts}
    today = stories.day(now_rfc3339())
    recent = min(max(stories.day(t) for t in times.values()), today) - 2 * stories.WINDOW_DAYS
    for r, a in arts:
        sid = r["story_id"] or stories.new_story_id(a.id)
        at_ts = times[a.id]
        if stories.day(at_ts) >= recent:
            terms = db.execute("select kind, term_id from alert_terms where alert_id = ?",
                               [r["alert_id"]]).fetchall()
            raw = stories.profile(a.title, a.text, [t for k, t in terms if k == "actor"],
                                  [t for k, t in terms if k == "event"])
            df, n = batch.df(raw)
            vec = stories.weigh(raw, df, n)
            _grow(batch, sid, raw, vec, stories.day(at_ts), stories.key_terms(vec),
                  r["first_seen_at"])
        _member(batch, a, sid, at_ts, r["first_seen_at"], 0.0, stories.language(a.text))
    batch.flush()
    refresh(db, {r["story_id"] or stories.new_story_id(r["id"]) for r, _ in arts})
