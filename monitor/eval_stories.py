"""Score story grouping on a JSONL set of reports labelled with their real event.

`python -m monitor.eval_stories [STORIES.jsonl] [--config PATH]` ingests the
records with `monitor ingest` into a scratch database, twice: with their real
dates, and with one date for every report (then text alone must separate the
events). Each report's story is read back by its record id (the article's
guid); a report without an alert is a story of its own. Prints B-cubed
precision, recall and F1 for both runs, and with `--errors` the reports that
were split from their event or merged into another.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from .evaluate import load_records

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT.parent / "shared" / "eval" / "stories-dev.jsonl"
DEFAULT_CONFIG = ROOT / "config.toml"
ONE_DATE = "2020-06-01"


def bcubed(gold: dict[str, str], pred: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of clustering `pred` against `gold` (id -> label)."""
    by_gold: dict[str, set[str]] = defaultdict(set)
    by_pred: dict[str, set[str]] = defaultdict(set)
    for i in gold:
        by_gold[gold[i]].add(i)
        by_pred[pred[i]].add(i)
    p = sum(len(by_gold[gold[i]] & by_pred[pred[i]]) / len(by_pred[pred[i]]) for i in gold)
    r = sum(len(by_gold[gold[i]] & by_pred[pred[i]]) / len(by_gold[gold[i]]) for i in gold)
    p, r = p / len(gold), r / len(gold)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cli_stories(records: list[dict[str, Any]], config: Path, workdir: Path) -> dict[str, str]:
    """Ingest the records via the CLI; record id -> story id (solo for unflagged)."""
    path = workdir / "reports.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    db = workdir / "stories.db"
    subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), "--db", str(db),
                    "ingest", str(path)], check=True, capture_output=True, text=True)
    from sqlite_utils import Database

    rows = Database(db).execute("select guid, story_id from articles").fetchall()
    found = {guid: sid for guid, sid in rows}
    return {r["id"]: found.get(r["id"], "missing:" + r["id"]) for r in records}


def evaluate(path: Path = DEFAULT_SET, config: Path = DEFAULT_CONFIG
             ) -> dict[str, tuple[tuple[float, float, float], dict[str, str]]]:
    """{'real dates': (scores, story of each record), 'one date': ...}."""
    records = load_records(path)
    gold = {r["id"]: r["story"] for r in records}
    out = {}
    for name, recs in (("real dates", records),
                       ("one date", [{**r, "date": ONE_DATE} for r in records])):
        with tempfile.TemporaryDirectory() as tmp:
            pred = cli_stories(recs, config, Path(tmp))
        out[name] = (bcubed(gold, pred), pred)
    return out


def errors(records: list[dict[str, Any]], pred: dict[str, str]) -> list[str]:
    """One line per predicted story that mixes events, and per event split in parts."""
    lines = []
    by_pred: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for r in records:
        by_pred[pred[r["id"]]].append(r)
        by_gold[r["story"]].add(pred[r["id"]])
    for sid, rs in sorted(by_pred.items()):
        events = sorted({r["story"] for r in rs})
        if len(events) > 1:
            lines.append(f"  merged {sid}: " + ", ".join(
                f"{e} ({sum(r['story'] == e for r in rs)})" for e in events))
    for event, sids in sorted(by_gold.items()):
        if len(sids) > 1:
            lines.append(f"  split  {event}: {len(sids)} stories")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print B-cubed scores with real dates and with one date."""
    ap = argparse.ArgumentParser(prog="python -m monitor.eval_stories", description=__doc__)
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT_SET)
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    ap.add_argument("--errors", action="store_true", help="list merged and split events")
    args = ap.parse_args(argv)
    if not args.path.exists():
        print(f"no story set at {args.path}", file=sys.stderr)
        return 2
    records = load_records(args.path)
    for name, ((p, r, f), pred) in evaluate(args.path, args.config).items():
        print(f"{name:10} stories={len(set(pred.values())):3} events="
              f"{len({x['story'] for x in records}):3} P={p:.3f} R={r:.3f} F1={f:.3f}")
        if args.errors:
            print("\n".join(errors(records, pred)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
