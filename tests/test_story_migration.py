"""m006_event_stories on a database from before event-level stories: nothing is lost,
every article keeps its story, and a new report of a recent event joins it."""

import json

from monitor.store import open_db

_M005_COLUMNS = {"centroid", "first_day", "last_day", "merged_into", "headline", "languages",
                 "first_report_at", "last_report_at", "actors", "events"}


def _as_before_m005(path):
    """Turn a current database back into the shape m001-m004 left it in."""
    db = open_db(path)
    for t in ("story_members", "story_terms", "story_df", "story_meta"):
        db.table(t).drop()
    db.execute("drop index if exists idx_stories_merged_into")
    db.table("stories").transform(drop=_M005_COLUMNS)
    db.table("story_signatures").create({"article_id": str, "story_id": str, "source_key": str,
                                         "at": str, "seen_at": str, "sig": bytes},
                                        pk="article_id")
    db.table("story_bands").create({"band": int, "story_id": str, "article_id": str},
                                   pk=("band", "story_id"))
    db.execute("delete from _sqlite_migrations where name = 'm006_event_stories'")
    db.conn.commit()
    db.conn.close()


def test_old_stories_survive_and_new_reports_join_them(project, run, tmp_path):
    # SYNTHETIC article, stored first by a database as it was before m005.
    text = ("Forces loyal to Khalifa Haftar agreed to a ceasefire around Tripoli on Sunday "
            "after weeks of fighting, officials of the Libyan National Army said.")
    cfg = project()
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"title": "Haftar agrees ceasefire", "text": text,
                             "url": "https://one.example/a",
                             "published_at": "2020-01-12T08:00:00Z"}) + "\n", "utf-8")
    run("ingest", str(f), config=cfg)
    path = tmp_path / "state" / "monitor.db"
    before = open_db(path)
    (art,) = before.query("select id, story_id from articles")
    (alert,) = before.query("select id, severity from alerts where current = 1")
    before.conn.close()
    _as_before_m005(path)

    db = open_db(path)  # runs m005: members, centroids, index
    assert "story_signatures" not in db.table_names()
    (story,) = db.query("select * from stories")
    assert story["id"] == art["story_id"] and story["severity"] == alert["severity"]
    assert story["centroid"] and story["headline"] == "Haftar agrees ceasefire"
    assert [r["id"] for r in db.query("select id from alerts")] == [alert["id"]]
    g = tmp_path / "b.jsonl"
    g.write_text(json.dumps({"title": "Ceasefire agreed by Haftar", "text": "TRIPOLI - " + text,
                             "url": "https://two.example/b",
                             "published_at": "2020-01-12T10:00:00Z"}) + "\n", "utf-8")
    run("ingest", str(g), config=cfg)
    assert {r["story_id"] for r in db.query("select story_id from articles")} == {story["id"]}


def test_a_date_an_old_release_stored_badly_does_not_stop_the_upgrade(project, run, tmp_path):
    # Old releases wrote year 202 as "202-05-01T00:00:00Z" (no four-digit year).
    cfg = project()
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"title": "Haftar agrees ceasefire (synthetic)", "text":
                             "Forces loyal to Khalifa Haftar agreed to a ceasefire in Libya.",
                             "url": "https://one.example/a"}) + "\n", "utf-8")
    run("ingest", str(f), config=cfg)
    path = tmp_path / "state" / "monitor.db"
    db = open_db(path)
    db.execute("update articles set published_at = '202-05-01T00:00:00Z'")
    db.conn.commit()
    db.conn.close()
    _as_before_m005(path)
    db = open_db(path)  # m006 places it by its first-seen day instead
    (m,) = db.query("select at, seen_at from story_members")
    assert m["at"] == m["seen_at"]
    assert db.execute("select count(*) from stories where centroid is not null").fetchone()[0]
