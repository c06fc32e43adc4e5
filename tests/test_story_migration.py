"""m003_stories on a database from before story grouping: every article keeps its story."""

import json

from monitor.store import open_db


def test_old_articles_get_signatures_and_new_copies_join_them(project, run, tmp_path):
    # SYNTHETIC article, stored first by a database as it was before m003.
    text = ("Forces loyal to Khalifa Haftar agreed to a ceasefire around Tripoli on Sunday "
            "after weeks of fighting, officials of the Libyan National Army said.")
    cfg = project()
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"title": "Haftar agrees ceasefire", "text": text,
                             "url": "https://one.example/a"}) + "\n", "utf-8")
    run("ingest", str(f), config=cfg)
    path = tmp_path / "state" / "monitor.db"
    db = open_db(path)
    for t in ("story_signatures", "story_bands", "stories", "notifications"):
        db.table(t).drop()
    db.execute("drop index if exists idx_articles_story_id")
    db.execute("delete from _sqlite_migrations where name = 'm003_stories'")
    db.conn.commit()
    db.conn.close()

    db = open_db(path)  # runs m003 again: backfill
    (story,) = db.query("select * from stories")
    (art,) = db.query("select id, story_id from articles")
    (alert,) = db.query("select severity from alerts where current = 1")
    assert story["id"] == art["story_id"] and story["severity"] == alert["severity"]
    g = tmp_path / "b.jsonl"
    g.write_text(json.dumps({"title": "Ceasefire agreed by Haftar", "text": "TRIPOLI - " + text,
                             "url": "https://two.example/b"}) + "\n", "utf-8")
    run("ingest", str(g), config=cfg)
    assert {r["story_id"] for r in db.query("select story_id from articles")} == {story["id"]}
