"""The web view: the SQL views, and `monitor serve` as a real subprocess on 127.0.0.1.

Articles other than the seed are SYNTHETIC, written for these tests.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from browser import Served
from click.testing import CliRunner
from conftest import SEED, default_raw_config, dump_toml

from monitor import views
from monitor.cli import cli
from monitor.store import open_db
from monitor.web import app

SEED_TITLE = "US officials push Libya’s Haftar for ceasefire in first meeting"
# SYNTHETIC: vocalised Arabic ("Derna floods: the two dams collapsed").
ARABIC = {"title": "سُيُول دَرْنَة: انهيار السدين",
          "text": "قال مسؤولون إن انهيار السدين في مدينة دَرْنَة أدى إلى فيضانات، "
                  "وأعلن المجلس الرئاسي الحداد.",
          "url": "https://synthetic.example/derna"}
# SYNTHETIC, ingested while the server runs.
LATE = {"title": "Tripoli clashes resume near the airport",
        "text": "Armed clashes broke out again in Tripoli, Libya, between forces of the "
                "Government of National Unity and a militia, witnesses said.",
        "url": "https://synthetic.example/late"}

needs_datasette = pytest.mark.skipif(
    not app.available() and os.environ.get("CI") != "true",
    reason="the web extra is not installed (pip install -e '.[web]')")


def make_project(folder: Path) -> tuple[Path, CliRunner]:
    raw = default_raw_config()
    raw.pop("feeds", None)
    raw["storage"] = {"database": "state/monitor.db"}
    raw["seeds"] = {"paths": []}
    cfg = folder / "config.toml"
    cfg.write_text(dump_toml(raw), "utf-8")
    (folder / "arabic.jsonl").write_text(json.dumps(ARABIC, ensure_ascii=False) + "\n", "utf-8")
    runner = CliRunner()
    r = runner.invoke(cli, ["--config", str(cfg), "ingest", str(SEED),
                            str(folder / "arabic.jsonl")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return cfg, runner


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`monitor serve` on a free port over the seed and a synthetic Arabic article."""
    if not app.available():
        pytest.fail("CI=true but the web extra (datasette) is not installed")
    folder = tmp_path_factory.mktemp("web")
    cfg, runner = make_project(folder)
    with Served("--config", str(cfg)) as s:
        s.cfg, s.runner, s.folder = cfg, runner, folder  # type: ignore[attr-defined]
        yield s


def rows(s: Served, path: str, **params: str) -> list[dict]:
    qs = urllib.parse.urlencode({**params, "_shape": "array"})
    return json.loads(s.get(f"{path}.json?{qs}"))


def test_views_present_stories_and_alerts_like_the_digest(tmp_path):
    cfg, runner = make_project(tmp_path)
    digest = json.loads(runner.invoke(cli, ["--config", str(cfg), "digest", "--all",
                                            "--format", "json"]).output)
    db = open_db(tmp_path / "state" / "monitor.db")
    stories = {r["story"]: r for r in db.query("select * from story_view")}
    alerts = {r["alert"]: r for r in db.query("select * from alert_view")}
    assert len(stories) == len(alerts) == len(digest) == 2
    for a in digest:
        s, v = stories[a["story_id"]], alerts[a["id"]]
        assert s["headline"] == v["headline"] == a["article"]["title"]
        assert s["severity"] == a["story"]["severity"] and v["severity"] == a["severity"]
        assert json.loads(v["actors"]) == sorted(x["id"] for x in a["actors"])
        assert json.loads(s["events"]) == sorted(x["id"] for x in a["events"])
        assert s["sources"] == 1 and s["reports"] == 1 and s["day"] == s["first_seen"][:10]
        assert v["link"] == a["article"]["url"]


def test_views_follow_views_sql(tmp_path):
    path = tmp_path / "m.db"
    db = open_db(path)
    db.execute("drop view story_view")
    db.execute("create view story_view as select 1 as outdated")
    db.conn.commit()
    assert views.stale(db) == ["story_view"]
    db.conn.close()
    db = open_db(path)  # a writable open brings the view back in step
    assert views.stale(db) == []
    assert "headline" in [c.name for c in db.view("story_view").columns]


@needs_datasette
def test_served_on_localhost_only(served):
    assert served.host == "127.0.0.1"
    assert "read-only" in served.stderr()


@needs_datasette
def test_stories_alerts_and_facets(served):
    (story,) = [r for r in rows(served, "/monitor/story_view") if r["headline"] == SEED_TITLE]
    assert story["severity"] in ("medium", "high", "critical")
    assert "haftar" in json.loads(story["actors"])
    page = json.loads(served.get("/monitor/story_view.json"))
    assert {"severity", "actors", "events", "day"} <= set(page["facet_results"])
    actors = {f["value"] for f in page["facet_results"]["actors"]["results"]}
    assert {"haftar", "presidential_council"} <= actors
    alerts = rows(served, "/monitor/alert_view", severity=story["severity"])
    assert SEED_TITLE in {a["headline"] for a in alerts}


@needs_datasette
def test_csv_export(served):
    text = served.get("/monitor/alert_view.csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert SEED_TITLE in {r["headline"] for r in table}
    assert {"headline", "severity", "actors", "events", "first_seen", "link"} <= set(table[0])


@needs_datasette
def test_canned_queries(served):
    today = rows(served, "/monitor/todays_stories")
    assert SEED_TITLE in {r["headline"] for r in today}
    story = next(r["story"] for r in today if r["headline"] == SEED_TITLE)
    (report,) = rows(served, "/monitor/story_reports", story=story)
    assert report["headline"] == SEED_TITLE and report["alert"]
    assert SEED_TITLE in {r["headline"] for r in rows(served, "/monitor/actor_alerts",
                                                      actor="haftar")}
    assert rows(served, "/monitor/actor_alerts", actor="nobody") == []


@needs_datasette
@pytest.mark.parametrize("q", ["درنة", "دَرْنَة", "DERNA OR درنه"])
def test_search_query_ignores_arabic_diacritics(served, q):
    (hit,) = rows(served, "/monitor/search", q=q)
    assert hit["headline"] == ARABIC["title"]
    assert "**دَرْنَة**" in hit["snippet"]


@needs_datasette
def test_search_pages(served):
    html = served.get("/monitor/search?q=" + urllib.parse.quote("haftar ceasefire"))
    assert "<mark>Haftar</mark>" in html and "**" not in html
    assert rows(served, "/monitor/search", q="") == []  # the empty form: no error
    found = rows(served, "/monitor/articles", _search="Haftar")
    assert [r["title"] for r in found] == [SEED_TITLE]


@needs_datasette
def test_sees_what_the_daemon_writes_meanwhile(served):
    late = served.folder / "late.jsonl"
    late.write_text(json.dumps(LATE) + "\n", "utf-8")
    r = served.runner.invoke(cli, ["--config", str(served.cfg), "ingest", str(late)],
                             catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert LATE["title"] in {s["headline"] for s in rows(served, "/monitor/story_view")}
    # Searchable once the index catches up: the serve thread's next round (or a daemon
    # job) does what this round does.
    app.index_once(lambda: open_db(served.folder / "state" / "monitor.db"))
    assert [h["headline"] for h in rows(served, "/monitor/search", q="airport")] == [
        LATE["title"]]


@needs_datasette
def test_the_connection_is_read_only(tmp_path):
    make_project(tmp_path)
    ds = app.build(tmp_path / "state" / "monitor.db")
    conn = ds.databases["monitor"].connect()
    assert conn.execute("select count(*) from articles").fetchone()[0] == 2
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("delete from articles")


@needs_datasette
def test_public_warns_and_binds_every_interface(tmp_path):
    cfg, _ = make_project(tmp_path)
    # A listener on 127.0.0.1:port makes binding 0.0.0.0:port fail at once, so the
    # test checks the address asked for without ever listening on the network.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        s = Served("--config", str(cfg), args=("--public", "--port", str(port)), wait=False)
        try:
            s.proc.wait(60)
        finally:
            s.stop()
        err = s.stderr()
    assert "warning: serving on every network interface" in err
    assert f"0.0.0.0:{port}" in err and s.proc.returncode != 0


def test_without_the_web_extra_serve_says_how_to_install_it(tmp_path):
    cfg, _ = make_project(tmp_path)
    # This interpreter, with datasette made unimportable: as if the extra were absent.
    code = ("import sys; sys.modules['datasette'] = None; from monitor.cli import main; "
            f"sys.argv = ['monitor', '--config', {str(cfg)!r}, 'serve']; main()")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "pip install 'libya-monitor[web]'" in r.stderr
