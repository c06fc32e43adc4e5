"""Shared helpers for the benchmarks: synthetic input, timing, the results table.

All input here is synthetic (generated words, not news) and says so in its text.
"""

from __future__ import annotations

import itertools
import os
import platform
import random
import resource
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("the of and to in a is that for on with as was by at from his an were are which "
         "government forces city officials said statement according week report council "
         "minister agency meeting people country region international security").split()
TRACKED = ["Haftar", "the Libyan National Army", "Tripoli", "a ceasefire", "clashes",
           "Dbeibah", "the NOC", "Benghazi", "an airstrike", "migrants"]


# A news-sized vocabulary: the function words above plus 20,000 made-up words
# drawn with Zipf-like frequencies, so texts share common words as real ones do
# but not every pair of words (a 40-word vocabulary makes every text a near-copy
# of every other, which no real feed does).
_SYLLABLES = ("ba", "ko", "ri", "ta", "mun", "sel", "do", "fa", "ne", "lir", "que", "zo")
_VOCAB = ["".join(p) for p in itertools.product(_SYLLABLES, repeat=4)][:20000]
_CUM = list(itertools.accumulate(1 / (r + 10) for r in range(len(_VOCAB))))


def _word(rng: random.Random) -> str:
    if rng.random() < 0.45:
        return rng.choice(WORDS)
    return rng.choices(_VOCAB, cum_weights=_CUM)[0]


def synthetic_text(rng: random.Random, words: int, tracked_every: int = 40,
                   flagged: bool = True) -> str:
    out = []
    for i in range(words):
        tracked = flagged and i % tracked_every == 7
        out.append(rng.choice(TRACKED) if tracked else _word(rng))
    return "Synthetic benchmark text. " + " ".join(out) + "."


def rss_mib() -> float:
    """Current resident memory of this process, MiB (Linux /proc, else peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    """The machine, without anything that identifies it (no host name, no paths)."""
    return (f"{platform.python_implementation()} {platform.python_version()}, "
            f"{platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs")


def target(what: str, value: str, ok: bool, quick: bool) -> str:
    """One target line; run_all.py fails `make bench` on any MISSED (full mode only)."""
    verdict = "not checked (quick mode)" if quick else ("met" if ok else "MISSED")
    line = f"- target {what}: {value}: {verdict}"
    print(line)
    return line


def interleaved(fns: dict[str, Callable[[], object]], repeat: int,
                pick: Callable[[list[float]], float] = min) -> dict[str, float]:
    """Best-of-`repeat` seconds of each function (or another `pick` of its runs, e.g.
    statistics.median), runs interleaved (a b a b ...)

    so a burst of load from other work on the machine hits every side alike.
    """
    runs: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            runs[k].append(time.perf_counter() - t0)
    return {k: pick(v) for k, v in runs.items()}


def table(rows: list[tuple[str, ...]], head: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
            for r in rows]
    return "\n".join([line, sep, *body])
