"""The seed article is flagged with the actors and events a reader sees in it."""

import json

from conftest import SEED

EXPECTED_ACTORS = {"haftar", "lna", "gna", "sarraj", "muammar_gaddafi", "russia", "turkey",
                   "qatar", "united_states"}
EXPECTED_EVENTS = {"ceasefire", "offensive", "talks", "aircraft_downed", "foreign_fighters"}


def test_seed_article_is_flagged_with_its_actors_and_events(project, run, tmp_path):
    config = project(seeds=[str(SEED)])
    assert run("once", config=config).exit_code == 0
    out = run("digest", "--all", "--format", "json", config=config)
    [alert] = json.loads(out.output)
    actors = {a["id"] for a in alert["actors"]}
    events = {e["id"] for e in alert["events"]}
    assert EXPECTED_ACTORS <= actors, EXPECTED_ACTORS - actors
    assert EXPECTED_EVENTS <= events, EXPECTED_EVENTS - events
    # Every counted hit names the rule that made it count.
    assert all(e["rule"] for e in alert["evidence"])
