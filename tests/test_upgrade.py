"""Upgrade safety: a database written by the previous release opens, migrates, keeps everything.

The fixture is SYNTHETIC (tests/fixtures/make_release_db.py wrote it with release
0.1.0's code); every migration added since runs on it here.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from monitor import schemas
from monitor.migrations import migrations
from monitor.store import open_db

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "release-0.1.0.synthetic.db"


def _rows(path: Path, table: str) -> dict[str, dict]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return {r["id"]: dict(r) for r in con.execute(f"select * from {table}")}
    finally:
        con.close()


def _applied(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("select name from _sqlite_migrations")}
    finally:
        con.close()


def _old_db(tmp_path: Path) -> Path:
    path = tmp_path / "state" / "monitor.db"
    path.parent.mkdir()
    shutil.copyfile(FIXTURE, path)
    return path


def test_previous_release_database_migrates_and_keeps_every_article_and_alert(tmp_path):
    path = _old_db(tmp_path)
    before = {t: _rows(path, t) for t in ("articles", "alerts", "stories")}
    assert len(before["articles"]) == 7 and len(before["alerts"]) == 6
    applied = _applied(path)
    assert "m001_core" in applied

    db = open_db(path)  # runs every migration the fixture lacks
    assert not migrations.pending(db)
    db.conn.close()
    assert _applied(path) >= applied
    after = {t: _rows(path, t) for t in before}
    for table, rows in before.items():
        assert set(after[table]) >= set(rows), f"{table}: rows lost"
        for key, old in rows.items():
            new = after[table][key]
            for col, value in old.items():
                # Columns keep their values (new columns may be added beside them).
                assert new.get(col) == value, (table, key, col)
    # The stored text is byte for byte as it was received (controls and all).
    assert any("\u202eevil\u202c" in r["title"] for r in after["articles"].values())


def test_previous_release_database_works_with_every_reader(project, run, tmp_path):
    path = _old_db(tmp_path)
    cfg = project()
    r = run("digest", "--all", "--include-acked", "--format", "json", config=cfg)
    assert r.exit_code == 0, r.output
    alerts = json.loads(r.stdout)
    assert len(alerts) == 6
    for alert in alerts:
        assert schemas.errors("alert", alert) == []
        assert run("show", alert["id"], config=cfg).exit_code == 0
    assert len(json.loads(run("digest", "--all", "--format", "json", config=cfg).stdout)) == 5
    for args in (["feeds"], ["trends", "--days", "366"], ["status", "--format", "json"]):
        assert "Traceback" not in run(*args, config=cfg).output
    # New articles join the old database; rescan keeps every alert.
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"title": "Synthetic: Haftar and the NOC in Libya",
                               "text": "Synthetic text. Khalifa Haftar met the National Oil "
                                       "Corporation in Benghazi, Libya."}) + "\n", "utf-8")
    assert run("ingest", str(new), config=cfg).exit_code == 0
    assert run("rescan", config=cfg).exit_code == 0
    con = sqlite3.connect(path)
    assert con.execute("select count(*) from articles").fetchone()[0] == 8
    assert con.execute("select count(*) from alerts where current = 1").fetchone()[0] == 7
