"""One bad file or one huge article never stalls or sinks a run.

Every input here is synthetic, generated below: not real news.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from conftest import ROOT
from sqlite_utils import Database

from monitor.sources import Problem
from monitor.sources.files import read_file, read_paths
from monitor.sources.limits import MAX_TEXT_CHARS, MAX_TITLE_CHARS

GOOD = {"title": "Synthetic: Haftar forces agree to a ceasefire in Libya",
        "text": "Synthetic test record. Khalifa Haftar said the Libyan National Army would "
                "observe a ceasefire around Tripoli."}


def db_of(tmp_path: Path) -> Database:
    return Database(tmp_path / "state" / "monitor.db")


def rejected(tmp_path: Path) -> list[dict]:
    return list(db_of(tmp_path).query("select * from rejected order by source"))


def cli(cfg: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess: a reader that blocks fails the test, not the suite."""
    return subprocess.run([sys.executable, "-m", "monitor", "--config", str(cfg), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


# --- the two cases of the issue ----------------------------------------------------

def test_deeply_nested_json_beside_a_good_file(project, run, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a_nested.json").write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    (seeds / "b_good.json").write_text(json.dumps(GOOD), "utf-8")
    cfg = project(seeds=["seeds"])
    r = run("ingest", str(seeds), config=cfg)
    assert r.exit_code == 0, r.output
    assert "1 alerts, 1 problems" in r.output
    [alert] = json.loads(run("digest", "--all", "--format", "json", config=cfg).output)
    assert alert["article"]["title"] == GOOD["title"]
    [problem] = rejected(tmp_path)
    assert problem["source"].endswith("a_nested.json") and problem["level"] == "error"
    assert "nested too deeply" in problem["error"]


def test_a_long_article_dense_with_mentions_is_matched_whole(project, run, tmp_path):
    # 1.9 MB, 240,000 mentions: quadratic overlap resolution took hours on this.
    n = 80_000
    path = tmp_path / "dense.txt"
    path.write_text("Synthetic dense article\n" + "Libya Haftar ceasefire. " * n, "utf-8")
    assert path.stat().st_size > 1_900_000
    cfg = project()
    r = run("ingest", str(path), config=cfg)
    assert r.exit_code == 0 and "1 alerts" in r.output, r.output
    [alert] = json.loads(run("digest", "--all", "--format", "json", config=cfg).output)
    assert {a["id"]: a["mentions"] for a in alert["actors"]} == {"haftar": n}
    assert {e["id"]: e["mentions"] for e in alert["events"]} == {"ceasefire": n}
    kept = [e for e in alert["evidence"] if e["kind"] != "context"]
    assert len(kept) == 6  # three spans per id
    assert alert["evidence_omitted"] == 2 * n - 6
    text = db_of(tmp_path).execute("select text from articles").fetchone()[0]
    assert all(text[e["start"]:e["end"]] == e["text"] for e in alert["evidence"])
    shown = run("show", alert["id"], config=cfg).output
    assert f"{2 * n - 6} more spans not listed" in shown


def test_article_over_the_text_limit_is_cut_with_a_warning(project, run, tmp_path):
    path = tmp_path / "long.txt"
    body = "Synthetic filler words about Libya. " * (MAX_TEXT_CHARS // 36 + 5_000)
    path.write_text("Synthetic long report\n" + body + "Haftar at the very end.", "utf-8")
    cfg = project()
    assert run("ingest", str(path), config=cfg).exit_code == 0
    text = db_of(tmp_path).execute("select text from articles").fetchone()[0]
    assert len(text) <= MAX_TEXT_CHARS and "Haftar at the very end" not in text
    assert text.split()[-1] in {"Synthetic", "filler", "words", "about", "Libya."}  # whole
    [warning] = rejected(tmp_path)
    assert warning["level"] == "warning"
    full = len("Synthetic long report\n\n") + len(body) + len("Haftar at the very end.")
    assert f"text of {full:,} characters cut" in warning["error"]


def test_huge_title_line_is_cut(tmp_path):
    path = tmp_path / "oneline.txt"
    path.write_text("Synthetic Haftar " * 300_000, "utf-8")  # 5 MB, no line break
    items = list(read_file(path))
    [warning] = [i for i in items if isinstance(i, Problem)]
    [article] = [i for i in items if not isinstance(i, Problem)]
    assert len(article.title) <= MAX_TITLE_CHARS and article.title.endswith("…")
    assert len(article.text) <= MAX_TEXT_CHARS
    assert "title of 5,099,999 characters cut" in warning.error


# --- special files in a seed folder ---------------------------------------------

def test_fifo_and_device_in_a_seed_folder_are_never_opened(project, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    os.mkfifo(seeds / "pipe.txt")  # reading it would wait for a writer forever
    os.symlink("/dev/zero", seeds / "zero.txt")  # reading it would never end
    (seeds / "good.json").write_text(json.dumps(GOOD), "utf-8")
    cfg = project(seeds=["seeds"])
    r = cli(cfg, "ingest", str(seeds), timeout=60)
    assert r.returncode == 0, r.stderr
    assert "1 alerts, 2 problems" in r.stdout
    errors = {Path(p["source"]).name: p["error"] for p in rejected(tmp_path)}
    assert errors == {"pipe.txt": "not a regular file (named pipe); not read",
                      "zero.txt": "not a regular file (character device); not read"}
    r = cli(cfg, "ingest", str(seeds / "pipe.txt"), "/dev/null", timeout=60)
    assert r.returncode == 0
    assert "not a regular file (named pipe)" in r.stderr
    assert "not a regular file (character device)" in r.stderr


def test_a_name_that_became_a_pipe_after_listing_is_not_waited_on(tmp_path):
    fifo = tmp_path / "late.txt"
    os.mkfifo(fifo)
    out: list = []
    t = threading.Thread(target=lambda: out.extend(read_file(fifo)), daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive(), "read_file blocked on a named pipe"
    assert [p.error for p in out] == ["not a regular file (named pipe); not read"]


_REWRITER = """
import os, sys
path, n = sys.argv[1], int(sys.argv[2])
data = [open(f"{path}.v{i}", "rb").read() for i in range(n)]
i = 0
while True:  # rewritten in place: truncated, then the next version in one write
    i += 1
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    os.write(fd, data[i % n])
    os.close(fd)
"""


def test_file_rewritten_while_being_read_is_never_read_torn(tmp_path):
    path = tmp_path / "busy.txt"
    # About 1.5 MB each: long enough that a read and a write overlap.
    versions = [f"Synthetic version {i}\n" + f"Haftar {i} " * (150_000 + i * 20_000) + f"END {i}"
                for i in range(4)]
    for i, v in enumerate(versions):
        Path(f"{path}.v{i}").write_text(v, "utf-8")
    path.write_text(versions[0], "utf-8")
    # Another program rewrites the file all the time. (One that pauses half way
    # through a write cannot be told from a finished file: the README asks
    # writers to rename finished files into the folder.)
    writer = subprocess.Popen([sys.executable, "-c", _REWRITER, str(path), str(len(versions))])
    try:
        results = [list(read_file(path)) for _ in range(60)]
    finally:
        writer.kill()
        writer.wait()
    outcomes = set()
    for items in results:
        for item in items:
            if isinstance(item, Problem):
                assert item.error in ("empty file",
                                      "file kept changing while being read; not read this time")
                outcomes.add(item.error)
            else:
                i = int(item.title.removeprefix("Synthetic version "))
                # Never a mixture of two versions (a change during the read is seen).
                # A writer paused half way through cannot be told from a finished
                # file (documented): such a read is a prefix of one version.
                full = " ".join(versions[i].split())
                assert full.startswith(" ".join(item.text.split())), "a torn read was taken"
                outcomes.add("article" if item.text.endswith(f"END {i}") else "prefix")
    assert "article" in outcomes


# --- bytes and encodings ----------------------------------------------------------

def test_nul_bytes_and_invalid_utf8_are_warnings(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(b"Synthetic Haftar\x00 title\n\nbody \xff\xfe in Libya\x00\x00")
    items = list(read_file(path))
    [warning] = [i for i in items if isinstance(i, Problem)]
    [article] = [i for i in items if not isinstance(i, Problem)]
    assert warning.level == "warning"
    assert "2 undecodable byte(s)" in warning.error and "3 NUL character(s)" in warning.error
    assert "\x00" not in article.text and article.title == "Synthetic Haftar title"


def test_utf16_with_a_byte_order_mark_is_decoded(tmp_path):
    text = "Synthetic: Haftar in Libya\n\nالمشير حفتر في ليبيا"
    for i, enc in enumerate(("utf-16", "utf-16-be", "utf-32")):
        path = tmp_path / f"u{i}.txt"
        bom = "\ufeff" if enc.endswith("be") else ""
        path.write_bytes((bom + text).encode(enc))
        [article] = list(read_file(path))
        assert article.text == text, enc


def test_invalid_utf16_becomes_replacement_characters(tmp_path):
    path = tmp_path / "bad16.txt"
    # A lone high surrogate, then an odd trailing byte.
    path.write_bytes(b"\xff\xfe" + "Synthetic Haftar\n".encode("utf-16-le") + b"\x00\xd8A\x00B")
    items = list(read_file(path))
    [warning] = [i for i in items if isinstance(i, Problem)]
    assert "undecodable" in warning.error and "(not UTF-16)" in warning.error
    [article] = [i for i in items if not isinstance(i, Problem)]
    assert article.title == "Synthetic Haftar"


def test_lone_surrogates_and_odd_file_names_are_stored(project, run, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    rec = dict(GOOD, title="Synthetic \\ud800 Haftar in Libya \\u0000")
    (seeds / "s.jsonl").write_text(json.dumps(rec).replace("\\\\", "\\") + "\n", "utf-8")
    odd = os.fsencode(seeds) + b"/bad\xffname.txt"
    with open(odd, "wb") as f:
        f.write(b"Synthetic Haftar ceasefire in Libya\n\nbody")
    cfg = project(seeds=["seeds"])
    r = run("ingest", str(seeds), config=cfg)
    assert r.exit_code == 0 and "2 alerts" in r.output, r.output
    titles = sorted(t for (t,) in db_of(tmp_path).execute("select title from articles"))
    assert titles == ["Synthetic Haftar ceasefire in Libya",
                      "Synthetic \ufffd Haftar in Libya"]
    sources = [s for (s,) in db_of(tmp_path).execute("select source from articles")]
    assert any("bad\ufffdname.txt" in s for s in sources)


def test_bad_records_in_jsonl_cost_only_their_line(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = [json.dumps(GOOD),
             "[" * 50_000 + "]" * 50_000,
             json.dumps(dict(GOOD, title="Synthetic second")).replace('"title"',
                                                                   '"id": ' + "9" * 5000
                                                                   + ', "title"'),
             json.dumps(dict(GOOD, title="Synthetic huge line", text="Libya " * 1_000_000)),
             json.dumps(dict(GOOD, title="Synthetic last"))]
    path.write_text("\n".join(lines), "utf-8")
    items = list(read_paths([path]))
    titles = [i.title for i in items if not isinstance(i, Problem)]
    assert titles == [GOOD["title"], "Synthetic huge line", "Synthetic last"]
    errors = [(i.line, i.error) for i in items if isinstance(i, Problem)]
    assert [line for line, _ in errors] == [2, 3, None]
    assert "nested too deeply" in errors[0][1] and "digits" in errors[1][1]
    assert "text of 6,000,0" in errors[2][1]  # the huge line is kept, cut to the limit


def test_hostile_html_is_read_in_one_pass(tmp_path):
    path = tmp_path / "evil.html"
    path.write_text("<title>Synthetic Haftar page</title>" + "<script>" * 40_000
                    + "<p" * 40_000 + "<link rel=x " * 20_000 + "Libya ceasefire", "utf-8")
    [article] = list(read_file(path))
    assert article.title == "Synthetic Haftar page"
    assert article.text.endswith("Libya ceasefire")


def test_a_local_feed_that_is_a_pipe_fails_alone(project, tmp_path):
    fifo = tmp_path / "feed.xml"
    os.mkfifo(fifo)
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "good.json").write_text(json.dumps(GOOD), "utf-8")
    cfg = project(seeds=["seeds"], feeds=[{"url": str(fifo), "name": "pipe"}])
    r = cli(cfg, "once", timeout=60)
    assert r.returncode == 0, r.stderr
    assert "seeds: 1 articles read, 1 new, 1 alerts" in r.stdout
    assert "feed pipe: not a regular file (named pipe); not read" in r.stdout


def test_a_feed_file_item_over_the_limits_gives_one_warning(tmp_path):
    path = tmp_path / "long.rss"
    title = "Synthetic Haftar " * 200
    body = "Libya ceasefire " * 200_000
    path.write_text(f"<?xml version='1.0'?><rss version='2.0'><channel><title>S</title><item>"
                    f"<title>{title}</title><description>{body}</description></item>"
                    "</channel></rss>", "utf-8")
    items = list(read_file(path))
    [warning] = [i for i in items if isinstance(i, Problem)]
    [article] = [i for i in items if not isinstance(i, Problem)]
    assert "title of 3,399 characters cut to 1,000" in warning.error
    assert "text of 3,20" in warning.error
    assert len(article.title) <= MAX_TITLE_CHARS and len(article.text) <= MAX_TEXT_CHARS
