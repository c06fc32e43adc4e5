"""Score the watchlist on a labelled JSONL set through the real CLI.

`python -m monitor.evaluate [DEV.jsonl] [--config PATH]` ingests the records
into a scratch database with `monitor ingest`, reads `monitor digest --all
--format json`, maps alerts back to records by `article.guid` (the record's
`id`) and prints alert-, actor- and event-level scores plus every miss and
false alarm with the alert's reason and evidence rules.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
DEFAULT_CONFIG = ROOT / "config.toml"


@dataclass
class Counts:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Share of flagged items that were right (1.0 when nothing was flagged)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of labelled items that were flagged (1.0 when none were labelled)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class PerId:
    """One actor or event id: its counts and the records behind each error."""

    counts: Counts = field(default_factory=Counts)
    fp_ids: list[str] = field(default_factory=list)  # records that got the id wrongly
    fn_ids: list[str] = field(default_factory=list)  # records whose id was missed


@dataclass
class Report:
    """The scores and the records behind every error."""

    alerts: Counts = field(default_factory=Counts)
    actors: Counts = field(default_factory=Counts)
    events: Counts = field(default_factory=Counts)
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_alarms: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    wrong_ids: list[tuple[dict[str, Any], dict[str, Any], set[str], set[str]]] = field(
        default_factory=list)
    per_id: dict[str, PerId] = field(default_factory=dict)  # "actor:haftar" -> its scores


def load_records(path: Path) -> list[dict[str, Any]]:
    """The labelled records of a JSONL file."""
    lines = path.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def cli_alerts(dev: Path, config: Path, workdir: Path) -> list[dict[str, Any]]:
    """Ingest `dev` into a scratch database via the CLI; return the digest's alerts."""
    base = [sys.executable, "-m", "monitor", "--config", str(config),
            "--db", str(workdir / "eval.db")]
    subprocess.run([*base, "ingest", str(dev)], check=True, capture_output=True, text=True)
    out = subprocess.run([*base, "digest", "--all", "--format", "json"], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def score(records: list[dict[str, Any]], alerts: list[dict[str, Any]]) -> Report:
    """Compare alerts with the labels; records labelled null are not scored."""
    by_guid = {a["article"].get("guid"): a for a in alerts}
    rep = Report()
    for rec in records:
        if rec.get("alert") is None:
            continue
        alert = by_guid.get(rec["id"])
        if rec["alert"] and alert:
            rep.alerts.tp += 1
        elif rec["alert"]:
            rep.alerts.fn += 1
            rep.misses.append(rec)
        elif alert:
            rep.alerts.fp += 1
            rep.false_alarms.append((rec, alert))
        gold_a = set(rec.get("actors") or []) if rec["alert"] else set()
        gold_e = set(rec.get("events") or []) if rec["alert"] else set()
        got_a = {x["id"] for x in alert["actors"]} if alert else set()
        got_e = {x["id"] for x in alert["events"]} if alert else set()
        for kind, counts, gold, got in (("actor", rep.actors, gold_a, got_a),
                                        ("event", rep.events, gold_e, got_e)):
            counts.tp += len(gold & got)
            counts.fp += len(got - gold)
            counts.fn += len(gold - got)
            _per_id(rep.per_id, kind, rec["id"], gold, got)
        if alert and rec["alert"] and (gold_a != got_a or gold_e != got_e):
            rep.wrong_ids.append((rec, alert, gold_a ^ got_a, gold_e ^ got_e))
    return rep


def _per_id(table: dict[str, PerId], kind: str, rec_id: str, gold: set[str],
            got: set[str]) -> None:
    for i in gold | got:
        row = table.setdefault(f"{kind}:{i}", PerId())
        if i in gold and i in got:
            row.counts.tp += 1
        elif i in got:
            row.counts.fp += 1
            row.fp_ids.append(rec_id)
        else:
            row.counts.fn += 1
            row.fn_ids.append(rec_id)


def evaluate(dev: Path = DEFAULT_DEV, config: Path = DEFAULT_CONFIG) -> Report:
    """Run the whole evaluation in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        alerts = cli_alerts(dev, config, Path(tmp))
    return score(load_records(dev), alerts)


def _evidence(alert: dict[str, Any]) -> list[str]:
    return [f"    {e['kind']}:{e['id']} {e['text']!r} <- {e.get('rule', '')}"
            for e in alert["evidence"]]


def render_per_id(rep: Report) -> list[str]:
    """One line per actor and event id: P, R, counts, then the records behind errors."""
    out = [f"\n{'id':28} {'P':>5} {'R':>5} {'tp':>4} {'fp':>3} {'fn':>3}  errors (record ids)"]
    for key in sorted(rep.per_id, key=lambda k: (k.split(":")[0], k)):
        row = rep.per_id[key]
        c = row.counts
        errs = [f"+{r}" for r in row.fp_ids] + [f"-{r}" for r in row.fn_ids]
        out.append(f"{key:28} {c.precision:5.2f} {c.recall:5.2f} {c.tp:4} {c.fp:3} {c.fn:3}"
                   + (f"  {' '.join(errs)}" if errs else ""))
    out.append("(+record: id given but not labelled; -record: labelled id missed)")
    return out


def render(rep: Report, ids: bool = False) -> str:
    """The report as text: scores, per-id scores, then each miss and false alarm."""
    out = []
    for name, c in (("alerts", rep.alerts), ("actors", rep.actors), ("events", rep.events)):
        out.append(f"{name:7} P={c.precision:.3f} R={c.recall:.3f} F1={c.f1:.3f} "
                   f"(tp={c.tp} fp={c.fp} fn={c.fn})")
    out.extend(render_per_id(rep))
    out.append(f"\nmisses ({len(rep.misses)}):")
    for rec in rep.misses:
        out.append(f"  {rec['id']} [{rec.get('date')}] {rec['title'][:110]}")
        out.append(f"    want actors={rec.get('actors')} events={rec.get('events')}")
    out.append(f"\nfalse alarms ({len(rep.false_alarms)}):")
    for rec, alert in rep.false_alarms:
        out.append(f"  {rec['id']} [{rec.get('date')}] {rec['title'][:110]}")
        out.append(f"    reason: {alert['reason']}")
        out.extend(_evidence(alert))
    if ids:
        out.append(f"\nwrong actor/event ids ({len(rep.wrong_ids)}), +extra -missing:")
        for rec, alert, da, de in rep.wrong_ids:
            got = {x["id"] for x in alert["actors"] + alert["events"]}
            diff = sorted(("+" if i in got else "-") + i for i in da | de)
            out.append(f"  {rec['id']} {rec['title'][:90]}: {' '.join(diff)}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: print the report."""
    ap = argparse.ArgumentParser(prog="python -m monitor.evaluate", description=__doc__)
    ap.add_argument("dev", nargs="?", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    ap.add_argument("--ids", action="store_true", help="also list wrong actor/event ids")
    args = ap.parse_args(argv)
    print(render(evaluate(args.dev, args.config), ids=args.ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
