"""Real-world and adversarial feed files through `monitor ingest` and over HTTP.

feedparser's own test files (synthetic, not news) and four captured real feeds
live in the shared folder beside the project (conftest's shared_path: skipped without it,
an error when CI=true).
"""

from __future__ import annotations

import pytest
from conftest import shared_path
from localserver import Reply
from sqlite_utils import Database


@pytest.mark.slow
def test_every_corpus_file_is_ingested_without_a_crash(project, run, tmp_path):
    corpus, real = shared_path("feeds", "feedparser-tests"), shared_path("feeds", "real")
    files = [p for p in corpus.rglob("*") if p.is_file() and p.suffix == ".xml"]
    assert len(files) > 2000
    cfg = project()
    r = run("ingest", str(corpus), str(real), config=cfg)
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output
    db = Database(tmp_path / "state" / "monitor.db")
    read = int(r.output.split("ingest: ")[1].split(" articles read")[0])
    assert read > 700 and db.table("articles").count > 300  # many test entries repeat
    for feed in sorted(real.glob("*.xml")):
        n = db.execute("select count(*) from articles where source = ?",
                       [str(feed)]).fetchone()[0]
        assert n > 0, f"{feed.name} gave no articles"


def test_real_feeds_over_http_yield_articles_and_alerts(feedserver, project, run, tmp_path):
    real = shared_path("feeds", "real")
    feeds = []
    for i, path in enumerate(sorted(real.glob("*.xml"))):
        url = feedserver.route(f"/real{i}", Reply(200, path.read_bytes()))
        feeds.append({"url": url, "name": path.stem})
    assert len(feeds) == 4
    cfg = project(feeds=feeds)
    r = run("once", config=cfg)
    assert r.exit_code == 0 and "0 feeds failed, 4 polled" in r.output, r.output
    db = Database(tmp_path / "state" / "monitor.db")
    for f in feeds:
        row = db.table("feeds").get(f["url"])
        assert row["entries_seen"] > 0 and row["last_status"] == "200"
    libya = db.execute("select count(*) from articles where title like '%Liby%'").fetchone()[0]
    assert libya >= 3  # three of the four hold Libya items
