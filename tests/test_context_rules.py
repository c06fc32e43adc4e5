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


# --- event filters: hedges, sport, victims, placement (synthetic sentences) ---

EV_RAW = {
    "context": ["Libya", "Libyan*"],
    "hedge": ["threaten*", "fears of", {"text": "is feared", "after": True}],
    "sport": ["football", "qualifier*", "stadium"],
    "victims": ["civilians"],
    "actors": [{"id": "haftar", "libyan": True, "aliases": ["Haftar"]},
               {"id": "egypt", "aliases": ["Egypt"]}],
    "events": [
        {"id": "offensive", "aliases": ["offensive"]},
        {"id": "armed_clash", "aliases": ["clashes", "clash with"]},
        {"id": "talks", "hedged": False, "aliases": ["talks"]},
        {"id": "killing", "aliases": [{"text": "killed", "defer": ["armed_clash"]}]},
    ],
}
EV = build_watchlist(EV_RAW)
EM = Matcher(EV.terms())


def ev(text, day=None):
    return decide(EV, EM.find(text), day, text)


def test_hedged_event_does_not_count_but_unhedged_events_do():
    assert set(ev("Haftar threatened to launch an offensive in Libya.").events) == set()
    assert set(ev("Haftar launched an offensive in Libya.").events) == {"offensive"}
    assert set(ev("In Libya, an offensive is feared.").events) == set()
    assert set(ev("Haftar threatened to quit the talks in Libya.").events) == {"talks"}
    # A hedge in the sentence before does not reach the event.
    assert set(ev("Haftar threatened Libya. The offensive began.").events) == {"offensive"}


def test_sports_report_drops_events_and_foreign_states():
    r = ev("Libya's clash with Egypt in the football qualifier at the stadium.")
    assert not r.alert and r.events == {} and r.actors == {}
    # One sport word is not a sports report.
    assert set(ev("Clashes near the stadium in Libya.").events) == {"armed_clash"}
    assert set(ev("Haftar watched the football qualifier in Libya.").actors) == {"haftar"}


def test_death_word_next_to_civilians_is_a_killing_whatever_caused_it():
    assert set(ev("In Libya, clashes killed five fighters.").events) == {"armed_clash"}
    assert set(ev("In Libya, clashes killed five civilians.").events) == {"armed_clash", "killing"}


def test_event_counts_within_one_sentence_of_the_libya_evidence():
    text = "Haftar spoke in Libya. Clashes followed. Markets were calm. Talks began in Oslo."
    assert set(ev(text).events) == {"armed_clash"}
    assert set(ev("Talks began in Oslo. Clashes followed. Libya's Haftar spoke.").events) == {
        "armed_clash"}


def test_sentence_bounds_skip_abbreviations_and_initialisms():
    from monitor.event_filters import paragraph_bounds, sentence_bounds
    text = "The U.S. envoy met Gen. Haftar. He left.\n\nNext para."
    b = sentence_bounds(text)
    assert [text[i:i + 4] for i in b] == ["He l", "Next"]
    assert [text[i:i + 4] for i in paragraph_bounds(text)] == ["Next"]
