from datetime import date

from monitor.matcher import Matcher
from monitor.rules import decide
from monitor.watchlist import build_watchlist

WL = build_watchlist({
    "context": ["Libya", "Libyan", {"text": "Tripoli", "unless": ["Lebanon", "Lebanese"]}],
    "block": ["Ghana News Agency"],
    "actors": [
        {"id": "haftar", "libyan": True, "aliases": ["Haftar"]},
        {"id": "gna", "libyan": True, "aliases": [
            {"text": "GNA", "needs_context": True},
            {"text": "unity government", "needs_context": True, "until": "2021-03-09"}]},
        {"id": "gnu", "libyan": True, "aliases": [
            {"text": "unity government", "needs_context": True, "from": "2021-03-10"}]},
        {"id": "turkey", "aliases": ["Turkey", "Turkish"]},
        {"id": "wagner", "aliases": ["Wagner"]},
    ],
    "events": [
        {"id": "ceasefire", "aliases": ["ceasefire"]},
        {"id": "airstrike", "aliases": ["drone strike*"]},
    ],
})
M = Matcher(WL.terms())


def d(text, day=None):
    return decide(WL, M.find(text), day)


def test_libyan_actor_counts_anywhere():
    r = d("A Paris court heard the case against Haftar.")
    assert r.alert and set(r.actors) == {"haftar"}
    assert r.actors["haftar"][0].rule.startswith("Libyan actor")


def test_foreign_state_and_event_need_libya_context():
    r = d("Turkish drone strikes hit Syria amid a ceasefire.")
    assert not r.alert and r.actors == {} and r.events == {}
    r = d("Turkish drone strikes hit Libya amid a ceasefire.")
    assert r.alert and set(r.actors) == {"turkey"} and set(r.events) == {"airstrike", "ceasefire"}
    assert "Libya context" in r.events["ceasefire"][0].rule
    assert "offset" in r.events["ceasefire"][0].rule


def test_wagner_outside_libya_is_no_alert():
    assert not d("Wagner fighters in Mali took the town.").alert


def test_tripoli_in_lebanon_is_not_context():
    assert not d("A ceasefire held in Tripoli, north Lebanon.").alert
    assert d("A ceasefire held in Tripoli after clashes.").alert


def test_ambiguous_acronym_needs_other_context():
    assert not d("Accra (GNA) - the minister spoke.").alert
    r = d("In Libya, the GNA said the ceasefire holds.")
    assert set(r.actors) == {"gna"}
    assert "ambiguous alias" in r.actors["gna"][0].rule


def test_date_aware_alias_picks_actor_by_publication_date():
    text = "Libya's unity government rejected the plan."
    assert set(d(text, date(2016, 5, 1)).actors) == {"gna"}
    assert set(d(text, date(2022, 5, 1)).actors) == {"gnu"}


def test_context_alone_is_not_an_alert():
    r = d("Libya is a country in North Africa.")
    assert not r.alert and "no tracked actor" in r.reason


def test_block_phrase_removes_the_only_evidence():
    r = d("The Ghana News Agency said a ceasefire was signed.")
    assert not r.alert
