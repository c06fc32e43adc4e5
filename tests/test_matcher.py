from hypothesis import assume, given, settings
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


def _resolve_pairwise(cands):
    """The reference: every candidate compared with every kept one (quadratic)."""
    from collections import defaultdict

    from monitor.watchlist import BLOCK

    blocks = [(s, e) for s, e, t in cands if t.kind == BLOCK]
    by_kind = defaultdict(list)
    for s, e, t in cands:
        if t.kind == BLOCK or any(s < be and bs < e for bs, be in blocks):
            continue
        by_kind[t.kind].append((s, e, t))
    kept = []
    for group in by_kind.values():
        group.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken = []
        for s, e, t in group:
            if any(s < te and ts < e for ts, te in taken if (ts, te) != (s, e)):
                continue
            taken.append((s, e))
            kept.append((s, e, t))
    kept.sort(key=lambda c: (c[0], c[1]))
    return kept


_TERMS = [t for t in WL.terms() if t.kind in ("actor", "event", "block", "context")]


@settings(max_examples=500)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8), st.sampled_from(_TERMS)),
                max_size=40))
def test_linear_overlap_resolution_equals_the_pairwise_reference(raw):
    from monitor.matcher import _resolve

    cands = [(s, s + n, t) for s, n, t in raw]
    assert _resolve(cands) == _resolve_pairwise(list(cands))


def test_dense_text_resolves_every_mention():
    # Synthetic: one sentence repeated, three tracked words in each.
    n = 2000
    hits = M.find("Libya Haftar kidnapped mercenaries. " * n)
    assert len(hits) == 4 * n
    assert [h.term.id for h in hits[:4]] == ["Libya", "haftar", "abduction", "foreign_fighters"]
