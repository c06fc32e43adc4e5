"""Dense text: matching time per MB from 10 KB to 10 MB must stay flat (linear).

    python benchmarks/dense_matching.py            # 10 KB, 100 KB, 1 MB, 10 MB
    python benchmarks/dense_matching.py --quick    # up to 1 MB, fewer runs

The text is synthetic: a few sentences, each naming several tracked terms
(actors, events, context, a prefix alias, Arabic, a blocked phrase), repeated
to the size wanted: about one hit every 8 characters, the worst case a long
document can be. `find` is Matcher.find (matching and overlap resolution);
`article` adds the policy and the alert record (rules, evidence, snippets).
Each size runs for at least MIN_SECONDS, so small sizes are timed over many calls;
sizes are interleaved, best of N, in CPU seconds of this process.
"""

from __future__ import annotations

import argparse
import time
import tomllib
from collections.abc import Callable

from common import ROOT, table, target

from monitor.alerts import build_alert
from monitor.article import Article, make_article
from monitor.pipeline import Engine
from monitor.watchlist import build_watchlist

SENTENCES = ("Synthetic: Libya Haftar ceasefire. ", "Clashes near Tripoli killed fighters. ",
             "حفتر يعلن وقف إطلاق النار في ليبيا. ", "Wagner mercenaries kidnapped workers. ",
             "A match at Gaddafi Stadium. ")
SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
MIN_SECONDS = 1.0  # each size is timed over at least this long (best of runs); quick: 0.2
# Targets. Linear (or n log n) work keeps the time per MB flat; what remains is
# one step, between 100 KB and 1 MB, where the working set outgrows the CPU
# caches (Matcher.find shows it too, with the garbage collector paused).
STEP = 1.5  # seconds per MB at the largest size / at the size before it (10x smaller)
FLAT = 2.5  # seconds per MB at the largest size / at the smallest (1000x smaller)


def dense(chars: int) -> str:
    unit = "".join(SENTENCES)
    return (unit * (chars // len(unit) + 1))[:chars]


def per_mb(fn: Callable[[], object], mb: float, min_seconds: float) -> float:
    """CPU seconds per MB of `fn`, repeated for at least `min_seconds` (small texts).

    CPU time of this process, not wall time: other work on a shared machine
    then slows every size alike instead of whichever ran during a burst.
    """
    t0 = time.process_time()
    fn()
    once = time.process_time() - t0
    reps = max(1, int(min_seconds / max(once, 1e-6)))
    if reps == 1:
        return once / mb
    t0 = time.process_time()
    for _ in range(reps):
        fn()
    return (time.process_time() - t0) / reps / mb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="up to 1 MB, fewer runs")
    a = ap.parse_args()
    raw = tomllib.loads((ROOT / "config.toml").read_text("utf-8"))["watchlist"]
    wl = build_watchlist(raw)
    engine = Engine(wl)
    sizes = SIZES[:3] if a.quick else SIZES
    runs = 1 if a.quick else 3
    least = 0.2 if a.quick else MIN_SECONDS
    arts, hits, mbs = {}, {}, {}
    for n in sizes:
        text = dense(n)
        mbs[n] = len(text.encode()) / 1e6
        arts[n] = make_article(title="Synthetic dense", body=text, source="bench",
                               source_kind="file")
        hits[n] = len(engine.matcher.find(arts[n].text))

    def whole(art: Article) -> None:
        build_alert(art, engine.decide(art), wl, story_id="s1")

    find_rate = {n: float("inf") for n in sizes}
    art_rate = dict(find_rate)
    for _ in range(runs):  # sizes interleaved, best of `runs`
        for n in sizes:
            a_n = arts[n]
            find_rate[n] = min(find_rate[n], per_mb(lambda a=a_n: engine.matcher.find(a.text),
                                                    mbs[n], least))
            art_rate[n] = min(art_rate[n], per_mb(lambda a=a_n: whole(a), mbs[n], least))
    rows = [(f"{n / 1000:,.0f} KB", f"{mbs[n]:.2f}", f"{hits[n]:,}", f"{find_rate[n]:.2f}",
             f"{find_rate[n] / find_rate[sizes[0]]:.2f}", f"{art_rate[n]:.2f}",
             f"{art_rate[n] / art_rate[sizes[0]]:.2f}") for n in sizes]
    print(f"## Dense text: matching time per MB (CPU seconds, best of {runs})\n")
    print(table(rows, ("text", "MB", "hits", "find s/MB", "vs smallest", "article s/MB",
                       "vs smallest")))
    print()
    big, prev, small = sizes[-1], sizes[-2], sizes[0]
    step = art_rate[big] / art_rate[prev]
    target(f"per-MB time of a whole article at {big / 1e6:g} MB vs {prev / 1e6:g} MB",
           f"<= {STEP}x (quadratic: 10x), measured {step:.2f}x", step <= STEP, a.quick)
    ratio = art_rate[big] / art_rate[small]
    target(f"per-MB time of a whole article at {big / 1e6:g} MB vs {small / 1000:g} KB",
           f"<= {FLAT}x (quadratic: 1000x), measured {ratio:.2f}x", ratio <= FLAT, a.quick)

if __name__ == "__main__":
    main()
