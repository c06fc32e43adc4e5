"""Rules for the suite itself: it stands alone, and real data is reached only through the guard.

A test that reads the shared folder beside the project must go through conftest's
shared_path() (or the `shared` fixture): absent folder -> skip with the reason, and
with CI=true -> an error, so the real-data tests can never silently stop running in CI.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import shared_path

TESTS = Path(__file__).resolve().parent
# Ways a test could reach the shared folder without the guard. Built from pieces so this
# file does not match itself.
_WORD = "sha" + "red"
UNGUARDED = re.compile(
    r"\b_?%s\b|[\"']%s[\"']|\.\./%s|DEFAULT_" "DEV|%s/eval|%s/feeds"
    % (_WORD.upper(), _WORD, _WORD, _WORD, _WORD))


def test_no_test_reaches_the_shared_folder_without_the_guard():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == "conftest.py":
            continue  # the guard itself
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if UNGUARDED.search(line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, "use conftest.shared_path() instead:\n" + "\n".join(offenders)


def test_the_rule_catches_an_unguarded_path():
    # SYNTHETIC lines: what the rule above must flag, and what it must let through.
    assert UNGUARDED.search('dev = ROOT.parent / "%s" / "eval"' % _WORD)
    assert UNGUARDED.search("from conftest import %s" % _WORD.upper())
    assert UNGUARDED.search("open('../%s/eval/dev.jsonl')" % _WORD)
    assert not UNGUARDED.search('dev = shared_path("eval", "dev.jsonl")')
    assert not UNGUARDED.search("def test_lint_reports_a_variant_shared_by_two_ids():")


def test_missing_shared_data_skips_alone_and_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        shared_path("no-such-folder-synthetic")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="absent"):
        shared_path("no-such-folder-synthetic")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="absent"):
        shared_path("no-such-folder-synthetic")
