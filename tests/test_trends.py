"""Trends: bucketing per day (pure) and the chart."""

import json
from datetime import date

from monitor import trends


def test_bucket_puts_counts_on_their_day_and_drops_the_rest():
    today = date(2019, 11, 30)
    rows = [("2019-11-30", "haftar", 3), ("2019-11-28", "haftar", 1),
            ("2019-11-30", "gna", 2), ("2019-10-01", "gna", 9)]  # outside 5 days
    got = trends.bucket(rows, today, 5)
    assert got == {"haftar": [0, 0, 1, 0, 3], "gna": [0, 0, 0, 0, 2]}


def test_sparkline_shows_the_spike():
    assert trends.sparkline([0, 1, 0, 8]) == " ▁ █"
    assert trends.sparkline([0, 0]) == "  "
    line = trends.sparkline([1, 1, 1, 1, 20, 1])
    assert line.index("█") == 4 and line.count("█") == 1


def test_render_sorts_busiest_first_with_totals():
    out = trends.render({"gna": [0, 2], "haftar": [1, 3]}, date(2019, 11, 30), 2, "Actor")
    lines = out.splitlines()
    assert lines[1].startswith("haftar") and "total 4, peak 3" in lines[1]
    assert lines[2].startswith("gna") and "total 2" in lines[2]


def test_trends_command(project, run, tmp_path):
    f = tmp_path / "synthetic.jsonl"  # SYNTHETIC records
    f.write_text("".join(json.dumps({"title": f"Haftar item {i}", "text": f"Khalifa Haftar "
                                     f"said {i} things about the ceasefire in Libya today "
                                     f"{'and ' * i}more."}) + "\n" for i in range(3)), "utf-8")
    cfg = project()
    run("ingest", str(f), config=cfg)
    out = run("trends", "--days", "7", "--actor", "haftar", config=cfg).output
    assert "haftar" in out and "total 3, peak 3" in out and "█" in out
    assert "ceasefire" not in out  # only the asked-for actor
    both = run("trends", "--days", "7", config=cfg).output
    assert "ceasefire" in both
    bad = run("trends", "--actor", "nobody", config=cfg)
    assert bad.exit_code == 2 and "nobody" in bad.output


def test_trends_count_by_published_day_where_known(project, run, tmp_path):
    from datetime import UTC, datetime, timedelta

    from monitor.store import open_db

    today = datetime.now(UTC).date()
    ago = (today - timedelta(days=3)).isoformat()
    long_ago = (today - timedelta(days=400)).isoformat()
    f = tmp_path / "synthetic.jsonl"  # SYNTHETIC records: two dated 3 days ago, one undated,
    recs = [(ago, 0), (ago, 1), (None, 2), (long_ago, 3)]  # one dated long before the window
    f.write_text("".join(json.dumps({
        "title": f"Haftar item {i}", "published_at": day,
        "text": f"Khalifa Haftar said {i} things about the ceasefire in Libya {'and ' * i}."})
        + "\n" for day, i in recs), "utf-8")
    cfg = project()
    assert run("ingest", str(f), config=cfg).exit_code == 0
    db = open_db(tmp_path / "state" / "monitor.db")
    first = trends.day_range(today, 7)[0]
    rows = sorted(trends.query(db, "actor", first, ["haftar"]))
    assert rows == [(ago, "haftar", 2), (today.isoformat(), "haftar", 1)]
    out = run("trends", "--days", "7", "--actor", "haftar", config=cfg).output
    assert "total 3, peak 2" in out
