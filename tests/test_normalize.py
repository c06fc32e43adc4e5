from hypothesis import given
from hypothesis import strategies as st

from monitor.normalize import fold, fold_alias, html_to_text


def test_ascii_fast_path_keeps_offsets():
    f = fold("Haftar's LNA\tadvanced")
    assert f.text == "haftar's lna advanced"
    assert f.span(0, 6) == (0, 6)


def test_diacritics_and_case_are_folded():
    assert fold("Kadhafi KADHÂFI Qadhdhāfī").text == "kadhafi kadhafi qadhdhafi"


def test_arabic_letter_variants_fold():
    # alef with hamza, taa marbuta, alef maqsura, tatweel and harakat
    assert fold_alias("أحمد") == fold_alias("احمد")
    assert fold_alias("طرابلسَ") == fold_alias("طرابلس")
    assert fold_alias("مصطفى") == fold_alias("مصطفي")
    assert fold_alias("حفـــتر") == fold_alias("حفتر")
    assert fold_alias("الجماعة") == fold_alias("الجماعه")


def test_whitespace_runs_collapse_and_offsets_map_back():
    text = "Khalifa  \n  Haftar ـ said"
    f = fold(text)
    assert "khalifa haftar" in f.text
    s = f.text.index("haftar")
    start, end = f.span(s, s + len("haftar"))
    assert text[start:end] == "Haftar"


def test_expanding_characters_map_back_to_one_original():
    text = "Straße Haftar"
    f = fold(text)
    s = f.text.index("haftar")
    assert text[slice(*f.span(s, s + 6))] == "Haftar"


def test_invisible_format_characters_do_not_join_words():
    f = fold("Haf\u200btar")
    assert "haftar" not in f.text


def test_html_to_text_drops_tags_scripts_and_decodes_entities():
    html = "<p>Clashes &amp; <b>strikes</b></p><script>alert(1)</script><p>in Sirte</p>"
    assert html_to_text(html) == "Clashes & strikes\n\nin Sirte"


@given(st.text(max_size=200))
def test_every_folded_char_maps_back_monotonically(text):
    f = fold(text)
    prev = -1
    for i, ch in enumerate(f.text):
        start, end = f.span(i, i + 1)
        assert 0 <= start < end <= len(text) and start >= prev
        prev = start
        if ch.isalnum():
            # The folded letter comes from the original character it maps to.
            assert ch in fold(text[start:end]).text


@given(st.lists(st.sampled_from(["Haftar", " ", "  ", "\n\n", "é", "ß", "حفتر", "\u0640", "x"]),
                max_size=30))
def test_fast_and_slow_paths_agree_on_offsets(parts):
    text = "".join(parts)
    f = fold(text)
    for word in ("haftar", "حفتر"):
        k = f.text.find(word)
        if k >= 0:
            s, e = f.span(k, k + len(word))
            assert fold(text[s:e]).text.strip() == word


from monitor.normalize import fold_slow  # noqa: E402  (kept beside its test)

TRICKY = list("ab Ka\u2019\u00e9\u0640\u064e\u0623 \t\n\u200f\ufb01-\u2014\x1b")


@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=40) | st.text(max_size=40))
def test_fast_fold_paths_agree_with_the_reference(text):
    fast, slow = fold(text), fold_slow(text)
    assert fast.text == slow.text
    for i in range(len(fast.text)):
        assert fast.span(i, i + 1) == slow.span(i, i + 1)


@given(st.text(alphabet=st.characters(max_codepoint=127), min_size=20, max_size=200),
       st.lists(st.sampled_from(TRICKY[4:] + ["`", "\x7f", "  "]), max_size=3))
def test_mostly_ascii_text_folds_like_the_reference(ascii_text, extra):
    # The path for English text with a few accents: ASCII runs folded as bytes.
    text = ascii_text[:7] + "".join(extra) + ascii_text[7:]
    fast, slow = fold(text), fold_slow(text)
    assert fast.text == slow.text
    for i in range(len(fast.text)):
        assert fast.span(i, i + 1) == slow.span(i, i + 1)


@given(st.text(alphabet=st.sampled_from(list("ab<>p/ \t\r\f\v\n\u00a0&;")), max_size=60))
def test_html_blank_runs_squeeze_like_the_regex(markup):
    import re

    from monitor.normalize import _squeeze_blanks

    assert _squeeze_blanks(markup) == re.sub(r"[ \t\r\f\v]+", " ", markup)


def test_html_comments_are_not_text_even_with_markup_inside():
    from monitor.normalize import html_to_text

    assert html_to_text("<p>Storm</p><!-- <b>Haftar</b> said --><p>Derna</p>") == "Storm\n\nDerna"
    assert html_to_text("A <!-- x --> B") == "A B"
    assert html_to_text("Kept <!-- open <b>Haftar</b> to the end") == "Kept"
    assert html_to_text("<!---->x<!-- a -- b -->y") == "x y"


def test_many_comments_and_an_open_one_leave_nothing():
    from monitor.normalize import drop_comments

    assert drop_comments("<!-- a -->" * 20_000 + "<!--" * 20_000).strip() == ""


def test_a_text_too_long_to_remember_leaves_the_recent_folds_alone(monkeypatch):
    from monitor import normalize

    monkeypatch.setattr(normalize, "_RECENT", {})
    monkeypatch.setattr(normalize, "_recent_chars", 0)
    monkeypatch.setattr(normalize, "RECENT_CHARS", 100)
    normalize.remember("Synthetic Tripoli", "synthetic tripoli")
    normalize.remember("x" * 101, "x" * 101)
    assert normalize._RECENT == {"Synthetic Tripoli": "synthetic tripoli"}
