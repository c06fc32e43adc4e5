"""One `story_store.assign` call's changes, held until the end of the call.

Later reports of a write batch read them as if they were written (the same IDF,
centroids and index): a batch places its reports exactly as one batch per report
would (tests/test_story_batches.py). `flush` writes them once, inside the
caller's write transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from . import stories

INSERT_MEMBER = ("insert or replace into story_members (article_id, story_id, at, seen_at, "
                 "source_key, lang, score, title) values (?, ?, ?, ?, ?, ?, ?, ?)")


class Batch:
    """What one `assign` call has placed but not yet written: later reports of the
    batch read it as if it were written (the same IDF, centroids and index).

    story_df, story_meta, the changed centroids and the member rows are written
    once, by `flush`, inside the caller's transaction.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.stored_df: dict[str, int] = {}  # story_df rows as stored (0: none)
        self.df_add: Counter[str] = Counter()  # ... and what this batch adds
        row = db.execute("select value from story_meta where key = 'reports'").fetchone()
        self.reports, self.added = (row[0] if row else 0), 0
        # Stories this batch read or grew: [centroid, norm or None, first_day, last_day],
        # None when its centroid is null; centroids parsed once, written once (never
        # mutated: `stories.add` makes a new one).
        self.stories: dict[str, list[Any] | None] = {}
        self.dirty: set[str] = set()
        self.indexed: dict[str, int] = {}  # every story_terms row of story reaches this day
        self.merged: dict[str, str] = {}  # younger -> older, merges of this batch
        self.members: list[list[Any]] = []

    def df(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """Document frequencies of these terms, and the number of reports counted."""
        stored, add = self.stored_df, self.df_add
        missing = [t for t in terms if t not in stored]
        if missing:
            # One statement for any number of terms (a JSON array).
            found = dict(self.db.conn.execute(
                "select term, df from story_df where term in (select value from json_each(?))",
                [json.dumps(missing)]).fetchall())
            stored.update((t, found.get(t, 0)) for t in missing)
        return {t: c for t in terms if (c := stored[t] + add[t])}, self.reports + self.added

    def load(self, ids: Iterable[str]) -> None:
        """Read the stories this batch has not read yet (one statement)."""
        missing = [s for s in ids if s not in self.stories]
        if not missing:
            return
        self.stories.update(dict.fromkeys(missing))  # None: no row, or no centroid
        for sid, text, first, last in self.db.conn.execute(
                "select id, centroid, first_day, last_day from stories where id in "
                "(select value from json_each(?)) and centroid is not null",
                [json.dumps(missing)]):
            self.stories[sid] = [*_centroid(text), first, last]

    def story(self, sid: str) -> list[Any] | None:
        """A story's [centroid, norm, first_day, last_day] as this batch sees it."""
        self.load((sid,))
        return self.stories[sid]

    def survivor(self, sid: str) -> str:
        while sid in self.merged:
            sid = self.merged[sid]
        return sid

    def flush(self) -> None:
        """Write what the batch changed: centroids, members, IDF, report count."""
        db = self.db
        db.conn.executemany("update stories set centroid = ? where id = ?", [
            (json.dumps(st[0], separators=(",", ":")), sid) for sid in sorted(self.dirty)
            if (st := self.stories[sid]) is not None])
        for m in self.members:
            m[1] = self.survivor(m[1])
        db.conn.executemany(INSERT_MEMBER, self.members)
        db.conn.executemany("insert into story_df (term, df) values (?, ?) on conflict(term) "
                            "do update set df = df + excluded.df",
                            sorted(t for t in self.df_add.items() if t[1]))
        if self.added:
            db.execute("insert into story_meta (key, value) values ('reports', ?) "
                       "on conflict(key) do update set value = value + excluded.value",
                       [self.added])
        self.dirty, self.members, self.df_add, self.added = set(), [], Counter(), 0


@lru_cache(maxsize=1024)  # about 15 MB at most (120 terms each)
def _centroid(text: str) -> tuple[dict[str, float], float]:
    """A stored centroid and its norm, parsed once while it is unchanged (never mutated)."""
    centroid: dict[str, float] = json.loads(text)
    return centroid, stories.norm(centroid)
