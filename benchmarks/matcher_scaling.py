"""Matcher scaling: MB/s of Matcher.find as the watchlist grows, and against `re`.

    python benchmarks/matcher_scaling.py            # default, 2,000 and 20,000 aliases
    python benchmarks/matcher_scaling.py --quick    # smaller text, fewer runs
    python benchmarks/matcher_scaling.py --dev DEV.jsonl   # time over real texts instead

The default watchlist (config.toml) is grown with synthetic alias strings
(made-up syllable names, one synthetic actor each). The same texts are timed
with every size, runs interleaved, best of N. The baseline is one Python `re`
pattern: the same aliases as one alternation, word boundaries, case-insensitive.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tomllib
from pathlib import Path

from common import ROOT, interleaved, synthetic_text, table, target

from monitor.matcher import Matcher
from monitor.normalize import fold_alias
from monitor.watchlist import ACTOR, Term, build_watchlist

SIZES = (2_000, 20_000)
# Consonants the synthetic text's made-up words never use (see common.py): like
# real names, these aliases seldom occur in the text, which is what is measured.
_SYLLABLES = [c + v for c in "ghjpvwxy" for v in "aeiou"]


def synthetic_terms(n: int, seed: int = 3) -> list[Term]:
    """n synthetic aliases ("Dakorimu Venatsu"), each its own actor."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))).title()
                 for _ in range(rng.randint(1, 2))]
        alias = " ".join(words)
        out.append(Term(ACTOR, f"synthetic_{i}", alias, fold_alias(alias)))
    return out


def texts(dev: Path | None, docs: int) -> list[str]:
    if dev:
        rows = [json.loads(x) for x in dev.read_text("utf-8").splitlines() if x.strip()]
        return [f"{r.get('title', '')}\n{r.get('text', '')}" for r in rows]
    rng = random.Random(11)
    return [synthetic_text(rng, 600) for _ in range(docs)]


def alternation(terms: list[Term]) -> re.Pattern[str]:
    keys = sorted({t.alias for t in terms if t.alias}, key=len, reverse=True)
    return re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, keys)), re.IGNORECASE)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller text, fewer runs")
    ap.add_argument("--dev", type=Path, default=None, help="JSONL texts instead of synthetic")
    a = ap.parse_args()
    raw = tomllib.loads((ROOT / "config.toml").read_text("utf-8"))["watchlist"]
    base = build_watchlist(raw).terms()
    docs = texts(a.dev, 30 if a.quick else 250)
    mb = sum(len(d.encode()) for d in docs) / 1e6
    extra = synthetic_terms(max(SIZES))
    lists = {"default": base, **{f"{n:,}": base + extra[:n] for n in SIZES}}
    matchers = {k: Matcher(ts) for k, ts in lists.items()}
    runs = 2 if a.quick else 7
    best = interleaved({k: (lambda m=m: [m.find(d) for d in docs]) for k, m in matchers.items()},
                       runs)
    # `re` is far slower: time it over a slice of the texts, report MB/s.
    sample = docs[:max(2, len(docs) // 25)]
    smb = sum(len(d.encode()) for d in sample) / 1e6
    pats = {k: alternation(ts) for k, ts in lists.items()}
    re_best = interleaved({k: (lambda p=p: [list(p.finditer(d)) for d in sample])
                           for k, p in pats.items()}, 1 if a.quick else 2)
    rows = []
    for k, ts in lists.items():
        rows.append((k, str(len(ts)), f"{mb / best[k]:.2f}", f"{best[k] / best['default']:.2f}",
                     f"{smb / re_best[k]:.3f}", f"{re_best[k] / smb / (best[k] / mb):,.0f}x"))
    print(f"## Matcher scaling ({mb:.1f} MB of {'dev' if a.dev else 'synthetic'} text, "
          f"best of {runs})\n")
    print(table(rows, ("watchlist", "terms", "Matcher MB/s", "time vs default", "re MB/s",
                       "Matcher / re")))
    print()
    big = f"{max(SIZES):,}"
    slow = best[big] / best["default"] - 1
    target(f"Matcher at {big} aliases vs default", f"<= 15% slower, measured {slow:+.0%}",
           slow <= 0.15, a.quick)
    speed = re_best[big] / smb / (best[big] / mb)
    target(f"Matcher vs `re` alternation at {big} aliases", f">= 100x, measured {speed:,.0f}x",
           speed >= 100, a.quick)


if __name__ == "__main__":
    main()
