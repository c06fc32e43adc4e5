from hypothesis import assume, given
from hypothesis import strategies as st

from monitor.matcher import Matcher
from monitor.watchlist import build_watchlist

WL = build_watchlist({
    "context": ["Libya", {"text": "Tripoli", "unless": ["Lebanon"]}],
    "block": ["Gaddafi Stadium"],
    "actors": [
        {"id": "haftar", "libyan": True, "aliases": ["Haftar", "Hifter", "حفتر"]},
        {"id": "muammar_gaddafi", "libyan": True, "aliases": ["Gaddafi", "Kadhafi"]},
        {"id": "saif_gaddafi", "libyan": True, "aliases": ["Saif al-Islam Gaddafi"]},
        {"id": "wagner", "aliases": ["Wagner", "Russian mercenaries"]},
        {"id": "russia", "aliases": ["Russian", "Russia"]},
        {"id": "gna", "libyan": True, "aliases": [{"text": "GNA", "needs_context": True}]},
    ],
    "events": [
        {"id": "abduction", "aliases": ["kidnap*"]},
        {"id": "foreign_fighters", "aliases": ["mercenaries"]},
    ],
})
M = Matcher(WL.terms())


def ids(text, kind=None):
    return [h.term.id for h in M.find(text) if kind is None or h.term.kind == kind]


def test_finds_aliases_with_offsets_into_original_text():
    text = "Forces of Khalifa HIFTER advanced."
    [hit] = M.find(text)
    assert hit.term.id == "haftar"
    assert text[hit.start:hit.end] == "HIFTER" == hit.text


def test_word_boundaries_are_required():
    assert ids("Haftarism and haftars") == []
    assert ids("pro-Haftar forces, Haftar's men, Haftar-led") == ["haftar"] * 3


def test_longest_match_wins_within_a_kind():
    assert ids("Saif al-Islam Gaddafi spoke", "actor") == ["saif_gaddafi"]


def test_kinds_do_not_compete_for_a_span():
    found = {(h.term.kind, h.term.id) for h in M.find("Russian mercenaries arrived")}
    assert ("actor", "wagner") in found and ("event", "foreign_fighters") in found
    assert ("actor", "russia") not in found


def test_block_phrases_swallow_matches_inside_them():
    assert ids("A match at Gaddafi Stadium in Lahore") == []


def test_prefix_alias_extends_to_the_whole_word():
    text = "Gunmen kidnapped two workers"
    [hit] = M.find(text)
    assert hit.text == "kidnapped"


def test_arabic_alias_with_joined_proclitic():
    text = "التقى وحفتر أمس"
    [hit] = M.find(text)
    assert hit.term.id == "haftar" and text[hit.start:hit.end] == "حفتر"


def test_diacritics_in_text_still_match():
    text = "Mouammar Kadhâfi"
    [hit] = M.find(text)
    assert hit.term.id == "muammar_gaddafi" and hit.text == "Kadhâfi"


def test_empty_text_and_empty_watchlist():
    assert M.find("") == []
    assert Matcher([]).find("Haftar") == []


@given(st.text(max_size=60), st.text(max_size=60), st.sampled_from(["Haftar", "Kadhafi", "GNA"]))
def test_inserted_alias_is_found_with_exact_offsets(before, after, alias):
    # Keep the insertion on word boundaries, as the matcher requires.
    text = f"{before} {alias} {after}"
    start = len(before) + 1
    hits = [h for h in M.find(text) if h.start == start]
    assume(not any(h.start < start < h.end for h in M.find(text)))
    assert hits, (text, M.find(text))
    assert text[hits[0].start:hits[0].end] == alias
