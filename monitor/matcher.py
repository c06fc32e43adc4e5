"""Find watchlist terms in text: one Aho-Corasick pass, word boundaries, longest match.

`Matcher(terms).find(text)` returns every `Hit` with offsets into the
original `text` (so `text[hit.start:hit.end]` is the matched words).
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import ahocorasick

from .normalize import fold, is_word_char, remember
from .watchlist import BLOCK, Term

# One-letter Arabic proclitics (and, with, for, so, like) written joined to
# the next word: "وحفتر" is "and Haftar".
_ARABIC_PROCLITICS = frozenset("وبلفك")


@dataclass(frozen=True)
class Hit:
    term: Term
    start: int  # offsets into the original text
    end: int
    text: str  # the original words, text[start:end]


class Matcher:
    """An automaton over every term's folded key, built once per watchlist."""

    def __init__(self, terms: list[Term]) -> None:
        by_key: dict[str, list[Term]] = defaultdict(list)
        for t in terms:
            if t.key:
                by_key[t.key].append(t)
        self._automaton = ahocorasick.Automaton()
        for key, ts in by_key.items():
            self._automaton.add_word(key, (key, tuple(ts)))
        if by_key:
            self._automaton.make_automaton()
        self._empty = not by_key

    def find(self, text: str) -> list[Hit]:
        """All term hits in `text`: block phrases win, then longest per kind."""
        if self._empty or not text:
            return []
        with _no_cyclic_gc():
            return self._find(text)

    def _find(self, text: str) -> list[Hit]:
        folded = fold(text)
        ft = folded.text
        remember(text, ft)  # the search index folds this text again when it is stored
        n = len(ft)
        candidates: list[tuple[int, int, Term]] = []
        word_end: dict[int, int] = {}  # prefix aliases: where the word at an offset ends
        for last, (key, terms) in self._automaton.iter(ft):
            start = last - len(key) + 1
            if not _left_ok(ft, start, key):
                continue
            end = last + 1
            right_ok = end >= n or not is_word_char(ft[end])
            for term in terms:
                if term.prefix:
                    # Every prefix alias starting here ends where the word ends:
                    # walk a long word once, not once per alias.
                    e = word_end.get(end)
                    if e is None:
                        e = end
                        while e < n and is_word_char(ft[e]):
                            e += 1
                        word_end[end] = e
                    candidates.append((start, e, term))
                elif right_ok:
                    candidates.append((start, end, term))
        hits = _resolve(candidates)
        out = []
        for s, e, term in hits:
            os, oe = folded.span(s, e)
            out.append(Hit(term, os, oe, text[os:oe]))
        return out


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while matching.

    A long dense text gives a million hits, each a few small objects that
    never form cycles; the collector's passes over them grow with the text
    (measured: time per MB +50% at 10 MB). Reference counting frees them as
    usual; the collector resumes afterwards (if another thread paused it,
    it resumes when that thread is done).
    """
    global _pausing
    with _pause_lock:
        first = _pausing == 0 and gc.isenabled()
        if first or _pausing:
            _pausing += 1
        if first:
            gc.disable()
    try:
        yield
    finally:
        with _pause_lock:
            if _pausing:
                _pausing -= 1
                if _pausing == 0:
                    gc.enable()


_pause_lock = threading.Lock()
_pausing = 0  # matchers running with the collector paused (by us)


def _left_ok(ft: str, start: int, key: str) -> bool:
    if start == 0 or not is_word_char(ft[start - 1]):
        return True
    # An Arabic alias may carry one joined proclitic letter.
    return (
        "\u0600" <= key[0] <= "\u06ff"
        and ft[start - 1] in _ARABIC_PROCLITICS
        and (start == 1 or not is_word_char(ft[start - 2]))
    )


def _resolve(cands: list[tuple[int, int, Term]]) -> list[tuple[int, int, Term]]:
    """Drop hits inside block phrases, then keep the longest per kind.

    Kinds do not compete: "Russian mercenaries" can be an actor (wagner) and
    an event (foreign_fighters) at once. Terms on exactly the same span are
    all kept (date-bounded aliases are chosen later, by the article's date).

    Linear in the text: kept spans of a kind never overlap, so each kind marks
    the characters it has taken in a bytearray, and a candidate is checked
    against its own characters only (a candidate is at most one alias or one
    word long). Spans are visited longest first through buckets by length, and
    the candidates arrive in order of their end: every sort here is of nearly
    sorted runs, which Python sorts in about linear time.
    """
    if not cands:
        return []
    size = max(e for _, e, _ in cands)
    marks = bytearray(size)
    for s, e, t in cands:
        if t.kind == BLOCK:
            marks[s:e] = b"\x01" * (e - s)
    # Per kind, distinct spans by length (each list in the order found).
    by_kind: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    seen: set[tuple[int, int, str]] = set()
    for s, e, t in cands:
        if t.kind == BLOCK or (s, e, t.kind) in seen or marks.find(1, s, e) >= 0:
            continue
        seen.add((s, e, t.kind))
        by_kind[t.kind][e - s].append((s, e))
    marks[:] = bytes(size)  # from here: the characters the current kind has taken
    kept: set[tuple[int, int, str]] = set()
    for kind, by_length in by_kind.items():
        mine: list[tuple[int, int]] = []
        # Longest first, then leftmost: the same order as comparing every pair.
        for length in sorted(by_length, reverse=True):
            for s, e in sorted(by_length[length]):
                if marks.find(1, s, e) < 0:
                    marks[s:e] = b"\x01" * length
                    mine.append((s, e))
        for s, e in mine:
            kept.add((s, e, kind))
            marks[s:e] = bytes(e - s)
    # Every term on a kept span, in text order; on one span, kinds in the order
    # they were first found, and each kind's terms in the order found.
    rank = {kind: i for i, kind in enumerate(by_kind)}
    out = [c for c in cands if (c[0], c[1], c[2].kind) in kept]
    out.sort(key=lambda c: (c[0], c[1], rank[c[2].kind]))
    return out
