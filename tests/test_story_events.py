"""Stories are events: one story per real event across outlets and wordings; different
events with the same actors stay apart; merges; the score on the real story set.

The reports below are SYNTHETIC, written for these tests in the way wire and outlet
copy is written; they are not real news.
"""

from __future__ import annotations

import json

from conftest import shared_path
from localserver import Reply, rss

from monitor import stories, story_store
from monitor.article import make_article
from monitor.store import open_db, transaction

CEASEFIRE = [  # one event, three outlets, three wordings
    ("Rival Libyan forces sign permanent ceasefire in Geneva",
     "The two sides in Libya's war signed a permanent ceasefire in Geneva on Friday, the "
     "United Nations said, after five days of military talks between officers of the "
     "Government of National Accord and Khalifa Haftar's Libyan National Army. Foreign "
     "fighters must leave within three months, acting UN envoy Stephanie Williams said."),
    ("UN: Libya's warring parties agree nationwide truce",
     "Libya's warring parties agreed a nationwide truce in Geneva on Friday. Stephanie "
     "Williams, the acting UN envoy, said the deal requires all foreign fighters and "
     "mercenaries to leave Libya within three months. Delegations of the Tripoli-based "
     "Government of National Accord and of Haftar's forces signed the text."),
    ("Geneva deal: GNA and LNA commit to lasting ceasefire",
     "Military delegations of the GNA and Khalifa Haftar's LNA committed in Geneva to a "
     "lasting ceasefire across Libya, the UN mission said on Friday. Stephanie Williams "
     "called it a historic moment; mercenaries and foreign fighters are to depart."),
]
BERLIN = ("Leaders agree in Berlin to respect Libya arms embargo",
          "World leaders meeting in Berlin on Sunday agreed to respect the UN arms embargo "
          "on Libya and to stop military support to the warring parties, Chancellor Angela "
          "Merkel said after the conference. Khalifa Haftar and Fayez al-Sarraj attended "
          "but did not meet face to face.")
MOSCOW = ("Haftar leaves Moscow without signing truce deal",
          "Khalifa Haftar left Moscow on Tuesday without signing a ceasefire agreement "
          "that Russia and Turkey had brokered, the Russian foreign ministry said. Fayez "
          "al-Sarraj had signed the document on Monday evening after talks with Sergei Lavrov.")


def _story_of(db) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute("select url, story_id from articles").fetchall()}


def test_three_feeds_three_wordings_one_story(feedserver, poll):
    urls = []
    for i, (title, text) in enumerate(CEASEFIRE):
        body = rss(f"Synthetic outlet {i}", [{
            "title": title, "link": f"http://outlet{i}.example/geneva", "guid": f"o{i}-1",
            "description": text, "pubDate": f"Fri, 23 Oct 2020 1{i}:00:00 GMT"}])
        urls.append(feedserver.route(f"/o{i}", Reply(200, body)))
    p = poll([{"url": u, "name": f"outlet{i}"} for i, u in enumerate(urls)])
    assert "3 alerts" in p.once()
    db = p.db()
    assert len(set(_story_of(db).values())) == 1
    (story,) = db.query("select * from stories where merged_into is null")
    assert story["articles"] == 3 and story["sources"] == 3
    assert "ceasefire" in story["events"].split(",")
    assert {"haftar", "gna", "lna"} <= set(story["actors"].split(","))


def _ingest(run, cfg, tmp_path, name, records):
    f = tmp_path / name
    f.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    r = run("ingest", str(f), config=cfg)
    assert r.exit_code == 0, r.output


def test_different_events_with_the_same_actors_days_apart_stay_apart(project, run, tmp_path):
    cfg = project()
    _ingest(run, cfg, tmp_path, "a.jsonl", [
        {"title": MOSCOW[0], "text": MOSCOW[1], "url": "https://one.example/moscow",
         "published_at": "2020-01-14T10:00:00Z"},
        {"title": BERLIN[0], "text": BERLIN[1], "url": "https://two.example/berlin",
         "published_at": "2020-01-19T18:00:00Z"}])
    db = open_db(tmp_path / "state" / "monitor.db")
    assert len(set(_story_of(db).values())) == 2
    # The same event reported again a day later still joins its story.
    _ingest(run, cfg, tmp_path, "b.jsonl", [
        {"title": "Berlin conference: leaders back Libya arms embargo", "text":
         "Chancellor Angela Merkel said leaders at the Berlin conference agreed to respect "
         "the arms embargo on Libya; Khalifa Haftar and Fayez al-Sarraj did not meet.",
         "url": "https://three.example/berlin", "published_at": "2020-01-20T08:00:00Z"}])
    s = _story_of(db)
    assert s["https://three.example/berlin"] == s["https://two.example/berlin"]
    assert s["https://one.example/moscow"] != s["https://two.example/berlin"]


def test_a_report_close_to_two_stories_proves_them_one_event():
    v = {"genev": 0.8, "@e:ceasefire": 0.6}
    day = stories.day("2020-10-23")
    a = stories.Candidate("s_a", v, day, day)
    b = stories.Candidate("s_b", {**v, "truce": 0.1}, day, day)
    choice = stories.choose(v, day, [a, b])
    assert choice.story_id == "s_a" and choice.merge == ("s_b",)
    far = stories.Candidate("s_far", {"oil": 1.0}, day, day)
    assert stories.choose(v, day, [a, far]).merge == ()


def test_merged_stories_show_once_and_follow_the_survivor(project, run, tmp_path):
    cfg = project()
    geneva, truce = CEASEFIRE[0], CEASEFIRE[1]
    _ingest(run, cfg, tmp_path, "a.jsonl", [
        {"title": geneva[0], "text": geneva[1], "url": "https://one.example/a",
         "published_at": "2020-10-23T10:00:00Z"}])
    # Far outside the window: founds a story of its own (as a split story would be).
    _ingest(run, cfg, tmp_path, "b.jsonl", [
        {"title": truce[0], "text": truce[1], "url": "https://two.example/b",
         "published_at": "2020-12-23T12:00:00Z"}])
    db = open_db(tmp_path / "state" / "monitor.db")
    s = _story_of(db)
    old, young = s["https://one.example/a"], s["https://two.example/b"]
    assert old != young
    young_alert = db.execute("select id from alerts where story_id = ?", [young]).fetchone()[0]
    with transaction(db):
        assert story_store.merge(db, young, old) == old  # the younger points to the older
        story_store.refresh(db, [old])
    assert db.execute("select merged_into from stories where id = ?", [young]).fetchone()[0] == old
    assert set(_story_of(db).values()) == {old} and story_store.resolve(db, young) == old
    assert not db.execute("select 1 from story_terms where story_id = ?", [young]).fetchall()
    out = json.loads(run("digest", "--all", "--format", "json", "--per", "story",
                         config=cfg).output)
    assert [r["story_id"] for r in out] == [old] and out[0]["story"]["reports"] == 2
    assert "Story " + old + ": 2 articles" in run("show", young_alert, config=cfg).output
    # Acking the younger story's alert handles the merged story: nothing is left to show.
    assert run("ack", young_alert, config=cfg).exit_code == 0
    assert json.loads(run("digest", "--format", "json", config=cfg).output) == []


def test_story_scores_on_the_real_story_set():
    """B-cubed on the shared story set, stories-dev.jsonl (real reports of 20 real events)."""
    path = shared_path("eval", "stories-dev.jsonl")
    from monitor.eval_stories import evaluate

    res = evaluate(path)
    p, r, f = res["real dates"][0]
    assert f >= 0.90 and p >= 0.90, res["real dates"][0]
    assert res["one date"][0][2] >= 0.80, res["one date"][0]


def test_a_round_up_of_two_events_merges_nothing():
    day = stories.day("2020-10-23")
    truce = stories.Candidate("s_truce", {"genev": 0.8, "@e:ceasefire": 0.6}, day, day)
    oil = stories.Candidate("s_oil", {"shara": 0.8, "@e:oil_disruption": 0.6}, day, day)
    both = {"genev": 0.5, "@e:ceasefire": 0.5, "shara": 0.5, "@e:oil_disruption": 0.5}
    choice = stories.choose(both, day, [truce, oil])
    assert choice.merge == ()


def _placed(db, text: str, url: str, seen: str):
    art = make_article(title="", body=text, source="test", source_kind="seed", url=url,
                       published_at="2020-10-23T10:00:00Z")
    db.table("articles").insert({**art.__dict__, "canonical_url": art.canonical_url,
                                 "first_seen_at": seen, "story_id": "s" + art.id[1:]})
    return art, ["haftar", "gna"], ["ceasefire"]


def test_a_merge_inside_one_batch_moves_its_batch_mates_too(tmp_path, monkeypatch):
    db = open_db(tmp_path / "x.db")
    x, y = CEASEFIRE[0][1], CEASEFIRE[1][1]
    with transaction(db):
        a1 = _placed(db, x, "https://one.example/a", "2020-10-23T10:00:00Z")
        s1 = story_store.assign(db, [a1], "2020-10-23T10:00:00Z")[a1[0].id]
    # A second wording that did not join (as on a busy day): a story of its own.
    monkeypatch.setattr(stories, "JOIN_CLEAR", 2.0)
    monkeypatch.setattr(stories, "JOIN", 2.0)
    with transaction(db):
        a2 = _placed(db, y, "https://two.example/b", "2020-10-23T11:00:00Z")
        s2 = story_store.assign(db, [a2], "2020-10-23T11:00:00Z")[a2[0].id]
    monkeypatch.undo()
    assert s1 != s2
    with transaction(db):
        a3 = _placed(db, y.replace("Friday", "Friday evening"), "https://three.example/c",
                     "2020-10-23T12:00:00Z")
        a4 = _placed(db, x + "\n" + y + "\n" + y, "https://four.example/d",
                     "2020-10-23T12:00:00Z")
        got = story_store.assign(db, [a3, a4], "2020-10-23T12:00:00Z")
    assert db.execute("select merged_into from stories where id = ?", [s2]).fetchone()[0] == s1
    # The batch-mate placed in the younger story before the merge follows the survivor.
    assert got == {a3[0].id: s1, a4[0].id: s1}
    assert {r[0] for r in db.execute("select story_id from story_members")} == {s1}


def test_a_story_counts_only_reports_still_flagged(project, run, tmp_path):
    cfg = project()
    _ingest(run, cfg, tmp_path, "a.jsonl", [
        {"title": t, "text": x, "url": f"https://outlet{i}.example/geneva",
         "published_at": "2020-10-23T10:00:00Z"} for i, (t, x) in enumerate(CEASEFIRE)])
    db = open_db(tmp_path / "state" / "monitor.db")
    (sid,) = {r[0] for r in db.execute("select story_id from articles").fetchall()}
    assert db.execute("select sources from stories where id = ?", [sid]).fetchone()[0] == 3
    # A rescan under a stricter watchlist drops one report's alert: the story shrinks.
    with transaction(db):
        db.execute("update alerts set current = 0 where article_id = (select id from "
                   "articles where url = 'https://outlet2.example/geneva')")
        story_store.refresh(db, [sid])
    row = db.execute("select articles, sources from stories where id = ?", [sid]).fetchone()
    assert tuple(row) == (2, 2)


def test_a_merge_during_rescan_moves_the_re_raised_alerts_too(project, run, tmp_path,
                                                              monkeypatch):
    import copy

    from conftest import default_raw_config

    from monitor.pipeline import Engine
    from monitor.rescan import rescan
    from monitor.watchlist import build_watchlist

    x, y = CEASEFIRE[0][1], CEASEFIRE[1][1]
    cfg = project()
    # Two wordings of one event that did not join (as on a busy day): two stories.
    monkeypatch.setattr(stories, "JOIN_CLEAR", 2.0)
    monkeypatch.setattr(stories, "JOIN", 2.0)
    _ingest(run, cfg, tmp_path, "a.jsonl", [
        {"title": "", "text": t, "url": f"https://o{i}.example/g",
         "published_at": "2020-10-23T10:00:00Z"} for i, t in enumerate((x, y))])
    monkeypatch.undo()
    db = open_db(tmp_path / "state" / "monitor.db")
    assert len({r[0] for r in db.execute("select story_id from alerts").fetchall()}) == 2
    # A report stored before it could be placed (no member row), which bridges them.
    bridge = make_article(title="", body=x + "\n" + y + "\n" + y, source="test",
                          source_kind="seed", url="https://o9.example/g",
                          published_at="2020-10-23T12:00:00Z")
    with transaction(db):
        db.table("articles").insert({**bridge.__dict__, "canonical_url": bridge.canonical_url,
                                     "first_seen_at": "2020-10-23T12:00:00Z",
                                     "story_id": "s" + bridge.id[1:]})
    raw = copy.deepcopy(default_raw_config()["watchlist"])
    raw["context"].append("Synthetic-Libya-alias")  # a new watchlist version: new alert ids
    rescan(db, Engine(build_watchlist(raw)))
    current = db.execute("select story_id, data from alerts where current = 1").fetchall()
    assert len(current) == 3
    assert len({sid for sid, _ in current}) == 1  # one event, one story
    assert all(json.loads(data)["story_id"] == sid for sid, data in current)
