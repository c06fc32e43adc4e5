"""Story grouping: near-duplicates from several sources share a story; distinct news never."""

import json

from conftest import SEED, shared_path

from monitor import stories
from monitor.article import make_article
from monitor.store import open_db


def _synthetic_copies() -> list[dict]:
    """SYNTHETIC: the seed article as three other outlets might run it (edited by hand here)."""
    title, _, body = SEED.read_text("utf-8").partition("\n")
    paras = [p for p in body.split("\n") if p.strip()]
    return [
        {"title": "US delegation urges Haftar to agree ceasefire", "url":
         "https://synthetic-wire.example/haftar-us-meeting",
         "text": "\n".join(paras[2:]) + "\nReporting by a synthetic wire desk.",
         "published_at": "2019-11-25T09:00:00Z"},
        {"title": title.upper(), "url": "https://synthetic-daily.example/news/1",
         "text": "TRIPOLI (Synthetic Daily) - " + "\n".join(paras[:-2]),
         "published_at": "2019-11-25T12:30:00Z"},
        {"title": "Washington meets Libya's Haftar for the first time", "url":
         "https://synthetic-post.example/a?utm_source=x",
         "text": "\n".join(p for i, p in enumerate(paras) if i != 4),
         "published_at": "2019-11-26T07:00:00Z"},
    ]


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")


def _stories_of(cfg_dir):
    db = open_db(cfg_dir / "state" / "monitor.db")
    return {r["id"]: r["story_id"] for r in db.query("select id, story_id from articles")}, db


def test_synthetic_copies_from_several_sources_are_one_story(project, run, tmp_path):
    seed = tmp_path / "seed.jsonl"
    _write_jsonl(seed, [{"title": SEED.read_text("utf-8").partition("\n")[0],
                         "text": SEED.read_text("utf-8"), "url": "https://seed.example/x",
                         "published_at": "2019-11-25T08:00:00Z"}])
    copies = tmp_path / "copies.jsonl"
    _write_jsonl(copies, _synthetic_copies())
    cfg = project()
    assert run("ingest", str(seed), config=cfg).exit_code == 0
    assert run("ingest", str(copies), config=cfg).exit_code == 0
    by_article, db = _stories_of(tmp_path)
    assert len(by_article) == 4
    assert len(set(by_article.values())) == 1
    (story,) = db.query("select * from stories")
    assert story["sources"] == 4 and story["articles"] == 4
    # The story is named after its first article, which did not move.
    first = next(i for i in by_article if db.execute(
        "select url from articles where id = ?", [i]).fetchone()[0] == "https://seed.example/x")
    assert story["id"] == stories.new_story_id(first)
    # The digest shows the story once, with its four sources; the alert's story_id is the story.
    out = json.loads(run("digest", "--all", "--format", "json", "--per", "story",
                         config=cfg).output)
    assert len(out) == 1 and out[0]["sources"] == 4 and out[0]["story_id"] == story["id"]
    # `show` lists the story's articles.
    shown = run("show", out[0]["id"], config=cfg).output
    assert "Story " + story["id"] + ": 4 articles" in shown
    assert "synthetic-daily.example" in shown


def test_real_distinct_items_do_not_merge(project, run, tmp_path):
    dev = shared_path("eval", "dev.jsonl")
    cfg = project()
    assert run("ingest", str(dev), config=cfg).exit_code == 0
    by_article, _ = _stories_of(tmp_path)
    n = sum(1 for line in dev.read_text("utf-8").splitlines() if line.strip())
    assert len(by_article) == n
    assert len(set(by_article.values())) == n  # 299 distinct news items, 299 stories


def test_an_article_never_changes_story(project, run, tmp_path):
    """A later, closer article joins the existing story; nothing stored is reshuffled."""
    recs = _synthetic_copies()
    cfg = project()
    f1, f2 = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    _write_jsonl(f1, recs[:1])
    _write_jsonl(f2, recs[1:])
    run("ingest", str(f1), config=cfg)
    before, _ = _stories_of(tmp_path)
    run("ingest", str(f2), config=cfg)
    after, _ = _stories_of(tmp_path)
    assert all(after[k] == v for k, v in before.items())
    assert set(after.values()) == set(before.values())


def test_same_text_outside_the_window_is_a_new_story():
    a = make_article(title="Clashes in Tripoli", body="Heavy clashes erupted " * 20,
                     source="x", source_kind="file", published_at="2019-11-01T00:00:00Z")
    sig = stories.article_signature(a)
    old = stories.Candidate("u1", "s1", "2019-11-01T00:00:00Z", sig)
    assert stories.choose_story(sig, "2019-11-03T23:00:00Z", [old]) == "s1"
    assert stories.choose_story(sig, "2019-11-04T01:00:00Z", [old]) is None


def test_similarity_estimates_jaccard():
    base = [f"w{i}" for i in range(200)]
    x = stories.signature(set(base))
    y = stories.signature(set(base[:100] + [f"v{i}" for i in range(100)]))  # J = 1/3
    assert stories.similarity(x, x) == 1.0
    assert abs(stories.similarity(x, y) - 1 / 3) < 0.15
    assert stories.similarity(x, ()) == 0.0
    assert stories.unpack(stories.pack(x)) == x
    assert len(stories.band_keys(x)) == stories.KEYS
    small = stories.signature({"a b", "b c", "c d"})
    assert stories.similarity(small, stories.signature({"a b", "b c"})) == 2 / 3  # exact


def test_best_story_wins():
    sig = stories.signature({f"w{i}" for i in range(100)})
    near = stories.signature({f"w{i}" for i in range(90)})
    far = stories.signature({f"w{i}" for i in range(50)})
    at = "2020-01-01T00:00:00Z"
    cands = [stories.Candidate("a", "s_far", at, far), stories.Candidate("b", "s_near", at, near)]
    assert stories.choose_story(sig, at, cands) == "s_near"


def test_source_key_is_the_publisher():
    a = make_article(title="t", body="b", source="feeds/x.xml", source_kind="file",
                     url="https://www.example.com/a?utm_source=1")
    b = make_article(title="t", body="b", source="dev.jsonl:12", source_kind="file")
    assert stories.source_key(a) == "example.com"
    assert stories.source_key(b) == "dev.jsonl"
