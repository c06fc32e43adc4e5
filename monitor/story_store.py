"""Stories in SQLite: the signature/band tables for lookup, and story aggregates.

Tables (created by store.m003_stories):
  story_signatures  one row per article: story_id, source_key, at, sig (bottom-k sketch)
  story_bands       LSH band keys -> article_id, indexed for candidate lookup
  stories           one row per story: first/last seen, articles, sources, and the
                    story-level score/severity (best alert score + the sources bonus);
                    shown_at/shown_rank for `digest --new`. Recomputed, never edited by hand.

An article's story is chosen once, when it is first stored, and never changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from . import stories
from .article import Article
from .severity import SEVERITIES, severity, story_score

# Signatures compared per new article: the stored articles sharing the most band
# keys (the likeliest matches). Without a cap, a story with thousands of copies
# makes every new copy compare against all of them: quadratic ingest.
MAX_CANDIDATES = 20


def candidates(db: Database, keys: list[int], at: str) -> list[stories.Candidate]:
    """Stored articles sharing the most band keys with `keys`, within the window."""
    if not keys:
        return []
    lo, hi = stories.window(at)
    sql = ("select s.article_id, s.story_id, s.at, s.sig, count(*) as shared "
           "from story_bands b join story_signatures s on s.article_id = b.article_id "
           "where b.band in (%s) and s.at between ? and ? group by s.article_id "
           "order by shared desc, s.article_id limit ?" % ",".join("?" * len(keys)))
    return [stories.Candidate(r[0], r[1], r[2], stories.unpack(r[3]))
            for r in db.execute(sql, [*keys, lo, hi, MAX_CANDIDATES]).fetchall()]


def assign(db: Database, articles: Iterable[Article], seen_at: str
           ) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Choose each new article's story (reads only); returns ids and rows to save.

    Articles of the same batch can join each other's stories, in order.
    """
    story_of: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    # band key -> story -> this batch's latest article (as story_bands keeps them)
    pending: dict[int, dict[str, stories.Candidate]] = {}
    for a in articles:
        sig = stories.article_signature(a)
        keys = stories.band_keys(sig)
        at = stories.article_time(a, seen_at)
        found = candidates(db, keys, at)
        shared = Counter(c for k in keys for c in pending.get(k, {}).values())
        found += [c for c, _ in shared.most_common(MAX_CANDIDATES)]
        sid = stories.choose_story(sig, at, found) or stories.new_story_id(a.id)
        story_of[a.id] = sid
        cand = stories.Candidate(a.id, sid, at, sig)
        for k in keys:
            pending.setdefault(k, {})[sid] = cand
        rows.append({"article_id": a.id, "story_id": sid, "source_key": stories.source_key(a),
                     "at": at, "seen_at": seen_at, "sig": stories.pack(sig), "keys": keys})
    return story_of, rows


def save(db: Database, rows: list[dict[str, Any]]) -> None:
    """Write signatures and band keys (first write wins: a story never changes)."""
    db.table("story_signatures").insert_all(
        ({k: v for k, v in r.items() if k != "keys"} for r in rows), ignore=True)
    db.table("story_bands").upsert_all(
        ({"band": k, "story_id": r["story_id"], "article_id": r["article_id"]}
         for r in rows for k in r["keys"]), pk=("band", "story_id"))


_AGGREGATE = """
select s.story_id as id, min(s.seen_at) as first_seen_at, max(s.seen_at) as last_seen_at,
       count(*) as articles, count(distinct s.source_key) as sources,
       (select max(a.score) from alerts a where a.story_id = s.story_id and a.current = 1)
         as best
from story_signatures s {where} group by s.story_id
"""


def refresh(db: Database, story_ids: Iterable[str] | None = None) -> None:
    """Recompute the `stories` rows of these stories (all when None)."""
    ids = sorted(set(story_ids)) if story_ids is not None else None
    chunks: list[list[str] | None] = (
        [ids[i:i + 500] for i in range(0, len(ids), 500)] if ids is not None else [None])
    for chunk in chunks:
        if chunk is not None and not chunk:
            continue
        where = ("where s.story_id in (%s)" % ",".join("?" * len(chunk))) if chunk else ""
        rows = []
        for r in db.query(_AGGREGATE.format(where=where), chunk or []):
            score = story_score(r["best"], r["sources"]) if r["best"] is not None else None
            sev = severity(score) if score is not None else None
            rows.append({"id": r["id"], "first_seen_at": r["first_seen_at"],
                         "last_seen_at": r["last_seen_at"], "articles": r["articles"],
                         "sources": r["sources"], "score": score, "severity": sev,
                         "severity_rank": SEVERITIES.index(sev) if sev else None})
        # upsert keeps shown_at/shown_rank: only the aggregates change.
        db.table("stories").upsert_all(rows, pk="id")


def backfill(db: Database) -> None:
    """Give articles stored before story grouping a signature (each keeps its story)."""
    from .pipeline import _article  # local: pipeline imports this module

    rows = []
    for r in db.query("select * from articles where id not in "
                      "(select article_id from story_signatures)"):
        a = _article(r)
        sig = stories.article_signature(a)
        rows.append({"article_id": a.id, "story_id": r["story_id"] or stories.new_story_id(a.id),
                     "source_key": stories.source_key(a),
                     "at": stories.article_time(a, r["first_seen_at"]),
                     "seen_at": r["first_seen_at"], "sig": stories.pack(sig),
                     "keys": stories.band_keys(sig)})
    save(db, rows)
    refresh(db)


def story_articles(db: Database, story_id: str) -> list[dict[str, Any]]:
    """The articles of a story, first seen first, with their current alert if any."""
    return list(db.query(
        "select ar.id, ar.title, ar.url, ar.source, ar.published_at, ar.first_seen_at, "
        "al.id as alert_id, al.severity from articles ar "
        "left join alerts al on al.article_id = ar.id and al.current = 1 "
        "where ar.story_id = ? order by ar.first_seen_at, ar.id", [story_id]))
