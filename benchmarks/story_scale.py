"""Story grouping cost per flagged article as the store grows, and in a storm of copies.

    python benchmarks/story_scale.py            # 10k and 1M stored reports; 5,000-copy storm
    python benchmarks/story_scale.py --quick    # 1k and 10k; 1,000-copy storm

Synthetic databases (made up here, nothing real): the real schema (store.open_db
runs the migrations); the story index (`stories` with centroids, `story_terms`,
`story_df`) filled by bulk inserts shaped like `story_store.assign`'s, RATE
reports a day, so a bigger store is a longer history and the last week holds
the same number of stories at every size. Then `story_store.assign` places
PROBE new synthetic reports of today (in a transaction rolled back after):
median time per report at each size, one report per call, and the mean when
all PROBE are placed in one call (one write batch, as ingest places them: what
the batch changes is written once at its end). The storm assigns copies of one
report (small edits) one batch after another through the same function: time
per report of the last batch against the first.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from common import _VOCAB, synthetic_text, table, target

from monitor import stories, story_store
from monitor.article import make_article
from monitor.store import open_db, transaction

RATE = 900  # stored reports (one story each, the worst case) per day
PROBE = 200
TODAY = stories.day("2026-11-30")
ACTORS = ["haftar", "gna", "lna", "russia", "turkey", "dbeibah"]
EVENTS = ["armed_clash", "talks", "ceasefire", "offensive", "killing"]


def _fill(db, n: int, rng: random.Random) -> None:
    """n stored stories over n / RATE days up to yesterday, with their index rows."""
    df: dict[str, int] = {}
    for start in range(0, n, 20000):
        stories_rows, term_rows = [], []
        for i in range(start, min(n, start + 20000)):
            d = TODAY - 1 - (n - i) // RATE
            terms = {w[:stories.STEM]: rng.random() for w in rng.sample(_VOCAB, 60)}
            terms[f"@a:{rng.choice(ACTORS)}"] = 0.3
            terms[f"@e:{rng.choice(EVENTS)}"] = 0.3
            for t in terms:
                df[t] = df.get(t, 0) + 1
            stories_rows.append({"id": f"s{i:012}", "centroid": json.dumps(terms),
                                 "first_day": d, "last_day": d, "articles": 1, "sources": 1,
                                 "first_seen_at": "2026-11-29T00:00:00Z",
                                 "last_seen_at": "2026-11-29T00:00:00Z"})
            term_rows += [{"term": t, "story_id": f"s{i:012}", "last_day": d}
                          for t in stories.key_terms(terms, stories.KEY_TERMS)]
        with transaction(db):
            db.table("stories").insert_all(stories_rows)
            db.table("story_terms").insert_all(term_rows)
    with transaction(db):
        db.table("story_df").insert_all(({"term": t, "df": c} for t, c in df.items()),
                                        replace=True)
        db.table("story_meta").insert({"key": "reports", "value": n}, replace=True)


def _report(rng: random.Random, i: int, text: str | None = None):
    a = make_article(title=f"Synthetic report {i}", body=text or synthetic_text(rng, 300),
                     source="bench", source_kind="seed", url=f"https://bench.invalid/{i}",
                     published_at="2026-11-30T10:00:00Z")
    return a, [rng.choice(ACTORS)], [rng.choice(EVENTS)]


def per_report(db, reports) -> float:
    """Median seconds per report of story_store.assign (rolled back)."""
    times = []
    db.conn.execute("BEGIN")
    try:
        for r in reports:
            t0 = time.perf_counter()
            story_store.assign(db, [r], "2026-11-30T10:00:00Z")
            times.append(time.perf_counter() - t0)
    finally:
        db.conn.execute("ROLLBACK")
    return statistics.median(times)


def batched(db, reports) -> float:
    """Mean seconds per report when all are placed in one assign call (rolled back)."""
    db.conn.execute("BEGIN")
    try:
        t0 = time.perf_counter()
        story_store.assign(db, reports, "2026-11-30T10:00:00Z")
        return (time.perf_counter() - t0) / len(reports)
    finally:
        db.conn.execute("ROLLBACK")


def storm(db, n: int, rng: random.Random) -> tuple[float, float, int]:
    """Copies of one report, batch after batch: (first batch s/report, last, stories)."""
    base = synthetic_text(rng, 300)
    batch, out = max(1, n // 10), []
    for b in range(0, n, batch):
        reps = []
        for i in range(b, min(n, b + batch)):
            words = base.split()
            words[rng.randrange(len(words))] = f"edit{i}"  # a small edit in every copy
            reps.append(_report(rng, 10_000_000 + i, " ".join(words)))
        t0 = time.perf_counter()
        with transaction(db):
            story_store.assign(db, reps, "2026-11-30T10:00:00Z")
        out.append((time.perf_counter() - t0) / len(reps))
    n_stories = db.execute("select count(*) from stories where merged_into is null "
                           "and first_day = ?", [TODAY]).fetchone()[0]
    return out[0], out[-1], n_stories


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    small, big, copies = (1_000, 10_000, 1_000) if a.quick else (10_000, 1_000_000, 5_000)
    rng = random.Random(7)
    probes = [_report(rng, i) for i in range(PROBE)]
    rows, secs = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (small, big):
            db = open_db(Path(tmp) / f"s{n}.db")
            t0 = time.perf_counter()
            _fill(db, n, random.Random(n))
            built = time.perf_counter() - t0
            secs[n] = per_report(db, probes)
            one_batch = batched(db, probes)
            rows.append((f"{n:,}", f"{built:.0f}", f"{secs[n] * 1000:.2f}",
                         f"{one_batch * 1000:.2f}"))
            db.conn.close()
        db = open_db(Path(tmp) / "storm.db")
        first, last, n_stories = storm(db, copies, rng)
    print(f"## Stories at scale ({PROBE} new reports placed; synthetic index)\n")
    print(table(rows, ("stored reports", "build s", "ms per new report (median)",
                       f"ms per report, {PROBE} in one batch")))
    print(f"\nStorm of {copies:,} near-copies in batches of {max(1, copies // 10):,}: "
          f"{first * 1000:.2f} ms per report in the first batch, {last * 1000:.2f} in the "
          f"last; {n_stories} stories.\n")
    ratio = secs[big] / secs[small]
    target(f"story placement at {big:,} vs {small:,} stored reports", "<= 1.5x, measured "
           f"{ratio:.2f}x", ratio <= 1.5, a.quick)
    target(f"storm of {copies:,} copies, last batch vs first", f"<= 2x, measured "
           f"{last / first:.2f}x", last / first <= 2, a.quick)
    target("storm copies form one story", f"1, measured {n_stories}", n_stories == 1, a.quick)


if __name__ == "__main__":
    main()
