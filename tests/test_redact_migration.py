"""m007 on a database written before URLs were redacted: secrets go, data stays.

All feed data here is synthetic.
"""

from __future__ import annotations

import json

from localserver import Reply, item, rss
from sqlite_utils import Database

from monitor.config import load_config
from monitor.migrations import migrations
from monitor.pipeline import Engine, ingest
from monitor.sources.feedparse import parse_feed
from monitor.store import open_db

SECRET = "synthetic-old-secret-88aa"


def test_old_rows_lose_their_secrets_and_polling_resumes(project, run, feedserver, tmp_path):
    # Absolute GUIDs: the poller resolves relative ones against the feed URL, the direct
    # parse below would not, and the two would then be different items.
    body = rss("Synthetic", [{**item(n, flagged=True), "guid": f"urn:synthetic:{n}"}
                             for n in (1, 2)])
    url = feedserver.route(f"/f.xml?apikey={SECRET}", Reply(200, body))
    cfg_path = project(feeds=[{"url": url, "name": "old"}], fetch={"timeout": "2s"})
    path = tmp_path / "state" / "monitor.db"
    path.parent.mkdir()
    db = Database(path)
    migrations.apply(db, stop_before="m007_redact_urls")  # the previous release's schema
    # What the previous release stored: the URL with its key everywhere.
    articles, _, _ = parse_feed(body, url)
    ingest(db, Engine(load_config(cfg_path).watchlist), articles)
    db.table("feeds").insert({"url": url, "current_url": url + "&moved=1", "name": "old",
                              "failures": 2, "etag": '"v1"'})
    db.table("jobs").insert({"id": f"feed:{url}", "name": f"feed {url}", "runs": 3})
    dump = "\n".join(db.conn.iterdump())
    assert SECRET in dump
    db.conn.close()

    db = open_db(path)  # applies m007
    dump = "\n".join(db.conn.iterdump())
    assert SECRET not in dump
    assert db.table("articles").count == 2 and db.table("alerts").count == 2
    (row,) = db.query("select * from feeds")
    assert row["url"].endswith("/f.xml?apikey=***") and row["current_url"] is None
    assert row["failures"] == 2 and row["etag"] == '"v1"'  # the rest of its state kept
    for (data,) in db.execute("select data from alerts"):
        assert json.loads(data)["article"]["source"].endswith("apikey=***")
    db.conn.close()

    r = run("once", config=cfg_path)
    assert r.exit_code == 0 and "0 feeds failed" in r.output, r.output
    (row,) = Database(path).query("select * from feeds")
    assert row["failures"] == 0 and Database(path).table("articles").count == 2
