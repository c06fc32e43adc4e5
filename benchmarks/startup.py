"""CLI start-up: `monitor --help` and `monitor digest` on a small database, whole processes.

    python benchmarks/startup.py            # median of 15 runs each
    python benchmarks/startup.py --quick    # median of 3

Beside each command, a bare `python -c pass` measured in the same run (the
interpreter's own start-up, which no change to the project can remove), and
the heavy libraries each command imported (`python -X importtime`): a command
loads only what it needs. The small database holds the repository's seed
corpus (synthetic test articles) ingested once.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, interleaved, table, target

HEAVY = ("feedparser", "httpx", "apscheduler", "jsonschema", "fastjsonschema", "datasette",
         "wordfreq", "sqlite_utils", "ahocorasick", "apprise")


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT)


def _imported(args: list[str]) -> list[str]:
    """The HEAVY top-level packages a `python -X importtime -m monitor ...` run imported."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True,
                          text=True, cwd=ROOT, check=True)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0]
             for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return sorted(n for n in HEAVY if n in names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="3 runs each, for CI")
    a = ap.parse_args()
    reps = 3 if a.quick else 15
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "small.db")
        base = ["-m", "monitor", "--config", str(ROOT / "config.toml"), "--db", db]
        subprocess.run([sys.executable, *base, "ingest", str(ROOT / "seeds")], check=True,
                       capture_output=True, cwd=ROOT)
        commands = {"monitor --help": [*base, "--help"],
                    "monitor digest (small database)": [*base, "digest"]}
        bare_label = "python -c pass (the interpreter alone)"
        secs = interleaved({label: lambda args=args: _run([sys.executable, *args])
                            for label, args in {**commands, bare_label: ["-c", "pass"]}.items()},
                           reps, statistics.median)
        bare = secs[bare_label]
        rows = []
        for label, args in commands.items():
            rows.append((label, f"{secs[label]:.3f}", f"{secs[label] / bare:.1f}x",
                         ", ".join(_imported(args)) or "none of them"))
        rows.append((bare_label, f"{bare:.3f}", "1.0x", ""))
    print("## CLI start-up\n")
    print(f"Whole processes, median of {reps} runs (interleaved); heavy libraries checked: "
          f"{', '.join(HEAVY)}.\n")
    print(table(rows, ("command", "seconds", "vs bare python", "heavy libraries imported")))
    print()
    for label, goal in (("monitor --help", 0.15), ("monitor digest (small database)", 0.25)):
        target(f"{label} start-up", f"<= {goal:.2f} s, measured {secs[label]:.3f} s",
               secs[label] <= goal, a.quick)


if __name__ == "__main__":
    main()
