"""The context and disambiguation rules added for matching quality."""

from datetime import date

from monitor.matcher import Matcher
from monitor.rules import decide
from monitor.watchlist import build_watchlist, watchlist_version

KILL_DEFERS = ["armed_clash", "airstrike"]
RAW = {
    "context": ["Libya", "Libyan*", "Benghazi"],
    "weak": ["Libyan border", "border with Libya"],
    "people": ["workers", "Christians", "teacher*"],
    "actors": [
        {"id": "haftar", "libyan": True, "aliases": ["Haftar"]},
        {"id": "lna", "libyan": True, "aliases": [
            "Libyan National Army", {"text": "Haftar's forces", "implies": ["haftar"]}]},
        {"id": "gna", "libyan": True, "aliases": [
            {"text": "unity government", "needs_context": True, "until": "2021-03-09"}]},
        {"id": "gnu", "libyan": True, "aliases": [
            {"text": "unity government", "needs_context": True, "from": "2021-03-10"}]},
        {"id": "hor", "libyan": True, "aliases": [
            {"text": "House of Representatives", "needs_context": True, "from": "2014-06-01"}]},
        {"id": "egypt", "aliases": ["Egypt", "Egyptian"]},
    ],
    "events": [
        {"id": "armed_clash", "aliases": ["clash*"]},
        {"id": "airstrike", "aliases": ["airstrike*"]},
        {"id": "killing", "aliases": [{"text": "kill*", "defer": KILL_DEFERS}, "assassinat*"]},
    ],
}
WL = build_watchlist(RAW)
M = Matcher(WL.terms())


def d(text, day=None):
    return decide(WL, M.find(text), day)


def test_border_mention_is_not_libya_context():
    r = d("Egyptian troops clash with militants near the Libyan border.")
    assert not r.alert and r.context is None
    r = d("Five soldiers are killed in Ben Gardane, near the border with Libya.")
    assert not r.alert
    # Another Libya term still makes the article about Libya.
    assert d("Clashes near the Libyan border spread to Benghazi.").alert


def test_possessive_forces_alias_names_both_actors():
    r = d("Haftar's forces advanced in Libya.")
    assert set(r.actors) == {"lna", "haftar"}
    assert "named by" in r.actors["haftar"][0].rule
    assert r.actors["haftar"][0].hit.term.id == "haftar"


def test_casualty_word_defers_to_the_event_that_caused_it():
    r = d("Nine people are killed in clashes in Benghazi.")
    assert set(r.events) == {"armed_clash"}
    r = d("Nine people are killed in Benghazi.")
    assert set(r.events) == {"killing"}
    # A firm killing alias is not deferred.
    r = d("A colonel was assassinated and two killed in clashes in Benghazi.")
    assert set(r.events) == {"armed_clash", "killing"}
    assert [c.hit.text for c in r.events["killing"]] == ["assassinated"]


def test_nationals_are_not_the_state():
    r = d("Seven Egyptian Christians are found dead in Libya.")
    assert "egypt" not in r.actors
    r = d("Egyptian workers and Egypt's government in Libya.")
    assert set(r.actors) == {"egypt"} and r.actors["egypt"][0].hit.text == "Egypt"
    assert set(d("Egyptian airstrikes hit Libya.").actors) == {"egypt"}


def test_undated_article_ignores_aliases_whose_actor_depends_on_the_date():
    text = "Libya's unity government met the House of Representatives."
    assert set(d(text).actors) == {"hor"}
    assert set(d(text, date(2016, 5, 1)).actors) == {"gna", "hor"}
    assert set(d(text, date(2022, 5, 1)).actors) == {"gnu", "hor"}
    assert set(d(text, date(2012, 5, 1)).actors) == {"gna"}


def test_rules_version_is_part_of_the_watchlist_version(monkeypatch):
    import monitor.watchlist as w
    before = watchlist_version(RAW)
    monkeypatch.setattr(w, "RULES_VERSION", w.RULES_VERSION + 1)
    assert watchlist_version(RAW) != before
