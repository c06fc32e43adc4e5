import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, SEED

from monitor import schemas


@pytest.fixture
def seeded(project, run, tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / SEED.name).write_bytes(SEED.read_bytes())
    # Synthetic articles for the CLI tests (not real news).
    (tmp_path / "seeds" / "synthetic.jsonl").write_text(
        json.dumps({"title": "Synthetic: Haftar forces and a ceasefire in Libya",
                    "text": "Synthetic text. \x1b[31mHaftar\x1b[0m agreed a ceasefire.",
                    "url": "https://example.org/synthetic/1",
                    "published_at": "2020-01-12"}) + "\n"
        + json.dumps({"title": "Synthetic: weather in Oslo", "text": "Rain."}) + "\n"
        + "{broken line\n")
    cfg = project(seeds=["seeds"])
    r = run("once", config=cfg)
    assert r.exit_code == 0, r.output
    return cfg


def test_once_summarises_and_second_run_adds_nothing(seeded, run):
    r = run("once", config=seeded)
    assert "seeds: 3 articles read, 0 new, 0 alerts, 1 problems" in r.output


def test_digest_json_validates_and_is_newest_first(seeded, run):
    out = json.loads(run("digest", "--all", "--format", "json", config=seeded).output)
    assert len(out) == 2
    for alert in out:
        assert schemas.errors("alert", alert) == []
        for ev in alert["evidence"]:
            assert ev["end"] > ev["start"]
    assert [a["first_seen_at"] for a in out] == sorted((a["first_seen_at"] for a in out),
                                                       reverse=True)


def test_digest_filters(seeded, run):
    def ids(*args):
        return {a["article"]["title"][:20] for a in
                json.loads(run("digest", "--all", "--format", "json", *args,
                               config=seeded).output)}
    assert len(ids("--actor", "haftar")) == 2
    assert len(ids("--actor", "russia")) == 1
    assert len(ids("--actor", "russia", "--actor", "haftar")) == 2
    assert len(ids("--event", "ceasefire", "--limit", "1")) == 1
    assert ids("--since", "2000-01-01") == ids()
    r = run("digest", "--actor", "nobody", config=seeded)
    assert r.exit_code == 2 and "unknown id 'nobody'" in r.output


def test_digest_since_uses_first_seen(seeded, run):
    assert json.loads(run("digest", "--since", "24h", "--format", "json",
                          config=seeded).output)
    r = run("digest", "--since", "2999-01-01", "--format", "json", config=seeded)
    assert json.loads(r.output) == []
    r = run("digest", "--since", "lately", config=seeded)
    assert r.exit_code == 2 and "--since" in r.output


def test_table_and_markdown_are_inert(seeded, run):
    for fmt in ("table", "markdown"):
        r = run("digest", "--all", "--format", fmt, config=seeded)
        assert r.exit_code == 0 and "\x1b" not in r.output
        assert "Synthetic" in r.output


def test_digest_new_marks_shown(seeded, run):
    first = json.loads(run("digest", "--new", "--format", "json", config=seeded).output)
    again = json.loads(run("digest", "--new", "--format", "json", config=seeded).output)
    assert len(first) == 2 and again == []


def test_show_prints_evidence_and_rules(seeded, run):
    alerts = json.loads(run("digest", "--all", "--format", "json", config=seeded).output)
    aid = next(a["id"] for a in alerts if "Synthetic" in a["article"]["title"])
    r = run("show", aid, config=seeded)
    assert r.exit_code == 0
    assert "rule: Libyan actor" in r.output and "[event] ceasefire" in r.output
    assert "\x1b" not in r.output
    r = run("show", "a0000000000000000", config=seeded)
    assert r.exit_code == 1 and "no alert" in r.output


def test_ingest_command_reports_problems(project, run, tmp_path):
    cfg = project()
    f = tmp_path / "in.jsonl"
    f.write_text('{"title": "Synthetic Haftar item", "text": "x"}\n{oops\n')
    r = run("ingest", str(f), config=cfg)
    assert r.exit_code == 0
    assert "2 articles read" not in r.output and "1 articles read, 1 new, 1 alerts" in r.output


def test_check_ok_and_bad_config_exit_2(project, run, tmp_path):
    cfg = project()
    r = run("check", config=cfg)
    assert r.exit_code == 0 and ": ok (" in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[storage]\ndatabase = "x.db"\nverbose = true\n')
    r = run("check", config=bad)
    assert r.exit_code == 2 and "storage: unknown key 'verbose'" in r.output


def test_rescan_reports(seeded, run):
    r = run("rescan", config=seeded)
    assert r.exit_code == 0 and "0 alerts added, 0 removed" in r.output


def test_console_script_bad_config_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[feeds]\nurl = 3\n")
    env = dict(os.environ, MONITOR_CONFIG=str(bad))
    p = subprocess.run([sys.executable, "-m", "monitor", "digest"], capture_output=True,
                       text=True, env=env, cwd=ROOT)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "feeds" in p.stderr
    assert p.stdout == ""
