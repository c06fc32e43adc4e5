"""Find watchlist terms in text: one Aho-Corasick pass, word boundaries, longest match.

`Matcher(terms).find(text)` returns every `Hit` with offsets into the
original `text` (so `text[hit.start:hit.end]` is the matched words).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import ahocorasick

from .normalize import fold, is_word_char
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
        folded = fold(text)
        ft = folded.text
        n = len(ft)
        candidates: list[tuple[int, int, Term]] = []
        for last, (key, terms) in self._automaton.iter(ft):
            start = last - len(key) + 1
            if not _left_ok(ft, start, key):
                continue
            end = last + 1
            right_ok = end >= n or not is_word_char(ft[end])
            for term in terms:
                if term.prefix:
                    e = end
                    while e < n and is_word_char(ft[e]):
                        e += 1
                    candidates.append((start, e, term))
                elif right_ok:
                    candidates.append((start, end, term))
        hits = _resolve(candidates)
        out = []
        for s, e, term in hits:
            os, oe = folded.span(s, e)
            out.append(Hit(term, os, oe, text[os:oe]))
        return out


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
    """
    blocks = [(s, e) for s, e, t in cands if t.kind == BLOCK]
    by_kind: dict[str, list[tuple[int, int, Term]]] = defaultdict(list)
    for s, e, t in cands:
        if t.kind == BLOCK or any(s < be and bs < e for bs, be in blocks):
            continue
        by_kind[t.kind].append((s, e, t))
    kept: list[tuple[int, int, Term]] = []
    for group in by_kind.values():
        group.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken: list[tuple[int, int]] = []
        for s, e, t in group:
            if any(s < te and ts < e for ts, te in taken if (ts, te) != (s, e)):
                continue
            taken.append((s, e))
            kept.append((s, e, t))
    kept.sort(key=lambda c: (c[0], c[1]))
    return kept
