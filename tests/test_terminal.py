from monitor.terminal import clean, truncate


def test_escape_sequences_are_removed():
    s = "A\x1b[31mred\x1b[0m title\x1b]0;pwned\x07 end\x9b2J"
    assert clean(s) == "Ared title end"


def test_control_and_bidi_characters_are_removed():
    assert clean("evil\u202etxt.exe\x00\x08 ok") == "eviltxt.exe ok"


def test_newlines_kept_only_on_request():
    assert clean("a\nb") == "a b"
    assert clean("a\n\x1b[2Kb", keep_newlines=True) == "a\nb"


def test_truncate():
    assert truncate("abcdef", 4) == "abc…" and truncate("ab", 4) == "ab"
