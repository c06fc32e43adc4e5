"""A write batch places its reports exactly as one batch per report would.

`story_store.assign` keeps what a batch changes (IDF counts, centroids, members)
in memory and writes it once at the end; later reports of the batch must see it
as if it were written: the same weights, candidates, joins and merges.

Every report here is SYNTHETIC (random words of a small newsroom vocabulary),
not news.
"""

from __future__ import annotations

import json
import random

import pytest

from monitor import stories, story_store
from monitor.article import make_article
from monitor.store import open_db, transaction

# Two small vocabularies: reports of one are near-copies of each other (they join,
# and now and then a report proves two of their stories one event: a merge).
CLASHES = ("Haftar Tripoli clashes ceasefire Benghazi forces the of and in said on near "
           "army city talks officials week rival fighters statement residents south north "
           "airstrike").split()
OIL = ("oil port blockade Sharara field exports halted Zawiya refinery tanker crude "
       "output barrels engineers pipeline guards terminal shipments").split()
SEEN = "2020-10-23T12:00:00Z"


def _reports(seed: int, n: int = 60, size: int = 20) -> list:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        vocab, actors, events = ((CLASHES, ["haftar"], ["armed_clash"]) if i % 3 else
                                 (OIL, ["noc"], ["oil_disruption"]))
        # A word of its own in every report: the index row it posts keeps the story's
        # day of then until a later report moves the story's day on.
        body = " ".join(rng.choice(vocab) for _ in range(size)) + f" zq{seed}x{i}."
        art = make_article(title="", body=body, source="synthetic", source_kind="seed",
                           url=f"https://synthetic.example/{seed}/{i}",
                           published_at=f"2020-10-{20 + 4 * i // n}T10:00:00Z")
        out.append((art, actors, events))
    return out


def _place(db_path, reports: list, sizes: list[int]) -> tuple[dict, dict]:
    """Assign `reports` in batches of `sizes`; (article -> story, the story tables)."""
    db = open_db(db_path)
    story_of: dict[str, str] = {}
    start = 0
    for size in sizes:
        batch = reports[start:start + size]
        start += size
        with transaction(db):
            db.table("articles").insert_all(
                {**a.__dict__, "canonical_url": a.canonical_url, "first_seen_at": SEEN,
                 "story_id": "s" + a.id[1:]} for a, _, _ in batch)
            got = story_store.assign(db, batch, SEEN)
            db.conn.executemany("update articles set story_id = ? where id = ?",
                                [(s, a) for a, s in got.items()])
        story_of.update(got)
    assert start == len(reports)
    tables = {
        "stories": [(r[0], json.loads(r[1]) if r[1] else None, *r[2:]) for r in db.execute(
            "select id, centroid, first_day, last_day, merged_into from stories order by id")],
        **{t: [tuple(r) for r in db.execute(q)] for t, q in (
            ("story_df", "select term, df from story_df order by term"),
            ("story_meta", "select key, value from story_meta order by key"),
            ("story_terms", "select term, story_id, last_day from story_terms "
                            "order by term, story_id"),
            ("story_members", "select * from story_members order by article_id"),
            ("articles", "select id, story_id from articles order by id"))}}
    # Each live story's day range is that of its reports (merged ones included).
    for sid, first, last in db.execute(
            "select id, first_day, last_day from stories where merged_into is null"):
        days = [stories.day(r[0]) for r in db.execute(
            "select at from story_members where story_id = ?", [sid])]
        assert (first, last) == (min(days), max(days)), sid
    db.conn.close()
    return story_of, tables


@pytest.mark.parametrize("seed", range(8))
def test_one_batch_places_reports_as_one_batch_each_would(tmp_path, seed):
    reports = _reports(seed)
    rng = random.Random(seed)
    sizes = []
    while sum(sizes) < len(reports):
        sizes.append(min(rng.randint(1, 9), len(reports) - sum(sizes)))
    one = _place(tmp_path / "one.db", reports, [len(reports)])
    each = _place(tmp_path / "each.db", reports, [1] * len(reports))
    mixed = _place(tmp_path / "mixed.db", reports, sizes)
    for name in one[1]:
        assert one[1][name] == each[1][name], name
        assert mixed[1][name] == each[1][name], name
    # What assign returns is where each report lives after the batch's merges.
    assert one[0] == dict(one[1]["articles"])
    # The scenario exercises what the batch keeps in memory: joins of both events.
    live = {s for s in one[0].values()}
    assert 2 <= len(live) < len(reports) / 3
    assert one[1]["story_meta"] == [("reports", len(reports))]


def test_a_merge_inside_a_batch_places_as_one_batch_each_would(tmp_path, monkeypatch):
    # A copy that does not join (as on a busy day, when a close second blocks it)
    # founds a second story; a later report close to both proves them one event.
    # The merge moves the centroid, index rows and members the batch holds.
    real = stories.choose

    def busy_day(vec, at, cands):
        return stories.Choice(None, 0.0) if "loner" in vec else real(vec, at, cands)

    monkeypatch.setattr(stories, "choose", busy_day)
    reports = _reports(3, n=30)
    x = reports[1]
    # A day after x: the loner's story is the younger one.
    y = (make_article(title="", body=x[0].text + " loner", source="synthetic",
                      source_kind="seed", url="https://synthetic.example/y",
                      published_at="2020-10-21T10:00:00Z"), x[1], x[2])
    bridge = (make_article(title="", body=x[0].text + " " + x[0].text, source="synthetic",
                           source_kind="seed", url="https://synthetic.example/bridge",
                           published_at="2020-10-22T11:00:00Z"), x[1], x[2])
    # Both come last (any near-copy after the loner could merge it first): the index
    # rows the merge moves over must still reach the survivor's latest day, though no
    # later report moves that day on.
    reports = reports + [y, bridge]
    one = _place(tmp_path / "one.db", reports, [len(reports)])
    each = _place(tmp_path / "each.db", reports, [1] * len(reports))
    mixed = _place(tmp_path / "mixed.db", reports, [5, 9, 4, 9, 5])
    assert [r[0] for r in one[1]["stories"] if r[4] is not None] == [
        "s" + y[0].id[1:]]  # the loner's story merged into the older one
    survivor = one[0][y[0].id]
    assert survivor == one[0][x[0].id] == one[0][bridge[0].id] != "s" + y[0].id[1:]
    # The survivor holds the younger story's terms (its centroid moved over).
    assert "loner" in next(r[1] for r in one[1]["stories"] if r[0] == survivor)
    for name in one[1]:
        assert one[1][name] == each[1][name], name
        assert mixed[1][name] == each[1][name], name
    # What assign returns is where each report lives after the batch's merges.
    assert one[0] == dict(one[1]["articles"])


def test_two_reports_in_one_batch_or_two_count_the_same(tmp_path):
    a, b = _reports(99, n=3, size=30)[1:]
    one = _place(tmp_path / "one.db", [a, b], [2])
    two = _place(tmp_path / "two.db", [a, b], [1, 1])
    assert one[0] == two[0]
    # The second report counted the first's terms: every shared term has df 2.
    df = dict(one[1]["story_df"])
    assert df == dict(two[1]["story_df"])
    shared = set(stories.profile("", a[0].text)) & set(
        stories.profile("", b[0].text))
    assert shared and all(df[t] == 2 for t in shared)
    assert one[1]["stories"] == two[1]["stories"]


def test_a_merge_on_its_own_writes_the_summed_centroid(tmp_path):
    reports = _reports(5, n=6)
    _, before = _place(tmp_path / "x.db", reports, [6])
    live = [r for r in before["stories"] if r[4] is None]
    (a, ca, *_), (b, cb, *_) = live[:2]
    db = open_db(tmp_path / "x.db")
    with transaction(db):
        old = story_store.merge(db, a, b)
    young = b if old == a else a
    rows = {r[0]: r for r in db.execute("select id, centroid, merged_into from stories")}
    assert json.loads(rows[old][1]) == stories.add(*((ca, cb) if old == a else (cb, ca)))
    assert rows[young][1:] == (None, old)
