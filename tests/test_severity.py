"""The severity model on real examples (the seed article, labelled eval records)."""

import json

from conftest import SEED, default_raw_config, shared_path

from monitor.severity import score, severity, story_score


def _dev(record_id):
    for line in shared_path("eval", "dev.jsonl").read_text("utf-8").splitlines():
        r = json.loads(line)
        if r["id"] == record_id:
            return r
    raise KeyError(record_id)


def _libyan(actors):
    libyan = {"haftar", "lna", "gna", "gnu", "sarraj", "dbeibah", "bashagha", "hor",
              "aguila_saleh", "presidential_council", "muammar_gaddafi", "saif_gaddafi",
              "unsmil", "noc"}
    return sum(1 for a in actors if a in libyan)


def test_labelled_airstrike_is_high_and_talks_alone_low():
    strike = _dev("nix:eb47f07d9381")  # real: a U.S. airstrike in Derna (labelled airstrike)
    talks = _dev("nix:ee982f6678bf")  # real: delegates sign a U.N.-brokered agreement (talks)
    assert severity(score(strike["events"], _libyan(strike["actors"]))) == "high"
    assert severity(score(talks["events"], _libyan(talks["actors"]))) == "low"


def test_synthetic_airstrike_is_high_and_talks_alone_low():
    # SYNTHETIC labels (the shape of the real records above): runs standing alone.
    assert severity(score(["airstrike"], 1)) == "high"
    assert severity(score(["talks"], 2)) == "low"


def test_sources_raise_a_story_but_repetition_never_makes_talks_severe():
    assert severity(story_score(0.8, 1)) == "high"
    assert severity(story_score(0.8, 3)) == "critical"  # a killing confirmed by three outlets
    assert severity(story_score(0.3, 50)) == "medium"  # talks, however often repeated
    assert story_score(0.3, 1) == 0.3


def _seed_alert(project, run, tmp_path, watchlist):
    (tmp_path / "seeds").mkdir(exist_ok=True)
    (tmp_path / "seeds" / SEED.name).write_bytes(SEED.read_bytes())
    cfg = project(seeds=["seeds"], watchlist=watchlist)
    assert run("once", config=cfg).exit_code == 0
    (alert,) = json.loads(run("digest", "--all", "--format", "json", config=cfg).output)
    return alert


def test_seed_is_high_with_the_default_watchlist(project, run, tmp_path):
    # An offensive and a drone shot down, among talks: high, not critical.
    alert = _seed_alert(project, run, tmp_path, default_raw_config()["watchlist"])
    assert {"offensive", "aircraft_downed", "ceasefire", "talks"} <= {
        e["id"] for e in alert["events"]}
    assert alert["severity"] == "high"


def test_seed_is_medium_without_its_violent_events(project, run, tmp_path):
    wl = default_raw_config()["watchlist"]
    violent = {"offensive", "aircraft_downed", "armed_clash", "killing", "bombing", "airstrike"}
    wl["events"] = [e for e in wl["events"] if e["id"] not in violent]
    alert = _seed_alert(project, run, tmp_path, wl)
    assert not violent & {e["id"] for e in alert["events"]}
    assert alert["severity"] == "medium"
