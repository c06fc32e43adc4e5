"""Transliteration variants of a romanised Arabic name, generated, not listed.

`variants("Qaddafi")` yields the spellings writers use for the same Arabic
letters: q/g/k/gh/kh for qaf, dh/d/th/z for dhal, doubled or single
consonants, ou/u/oo/o, ei/ai/e/ay/ey, a/e/i, a final -h dropped, and
hyphen/space/joined word breaks. At most MAX_EDITS units change from the
canonical form and at most MAX_VARIANTS keys come out of one alias, so the
automaton stays small; variants that are common English words are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations, product

from .normalize import fold_alias

MAX_EDITS = 3  # units changed from the canonical spelling, at most
MAX_VARIANTS = 600  # keys generated from one alias, at most
MIN_LENGTH = 4  # shorter variants are too likely to be some other word
COMMON_ZIPF = 3.5  # wordfreq Zipf frequency at which an English word is "common"

# Interchangeable spellings; a unit in several classes gets their union.
CLASSES: tuple[tuple[str, ...], ...] = (
    ("q", "g", "k", "gh", "kh"),  # qaf (and the Egyptian hard g)
    ("dh", "d", "th", "z"),  # dhal
    ("sh", "ch", "sch"),  # shin in English, French, German
    ("j", "dj", "dsch"),  # jim in English, French, German
    ("u", "ou", "oo", "o"),
    ("ei", "ai", "e", "ay", "ey"),
    ("ee", "i"),
    ("a", "e", "i"),
)
_DIGRAPHS = ("dsch", "sch", "gh", "kh", "dh", "th", "sh", "ch", "dj", "ou", "oo", "ei", "ai",
             "ay", "ey", "ee")
_VOWELS = set("aeiouy")
_SEPARATORS = (" ", "-", "")


def _units(word: str) -> list[str]:
    """Split a word into spelling units: digraphs first, then single letters."""
    out, i = [], 0
    while i < len(word):
        for d in _DIGRAPHS:
            if word.startswith(d, i):
                out.append(d)
                i += len(d)
                break
        else:
            out.append(word[i])
            i += 1
    return out


def _class(unit: str) -> list[str]:
    """The unit first, then every spelling it may be written as."""
    alts = [unit]
    for cls in CLASSES:
        if unit in cls:
            alts.extend(a for a in cls if a not in alts)
    return alts


def _slots(word: str) -> list[list[str]]:
    """Per unit of one word, its alternatives (the canonical spelling first)."""
    units = _units(word)
    slots: list[list[str]] = []
    i = 0
    while i < len(units):
        u = units[i]
        doubled = i + 1 < len(units) and units[i + 1] == u and u not in _VOWELS
        alts = _class(u)
        if doubled:
            # dd -> d, dh, dhdh, ddh ...: doubled or single, any of the class.
            ds = [u + u] + [x for a in alts for x in (a + a, a, a[0] + a) if x != u + u]
            slots.append(list(dict.fromkeys(ds)))
            i += 2
            continue
        last = i == len(units) - 1
        if last and u == "h" and i > 0:
            alts = ["h", ""]  # Dbeibah / Dbeiba, Misratah / Misrata
        elif last and u == "i":
            alts = alts + ["y"]  # Khadafi / Khadafy
        slots.append(alts)
        i += 1
    return slots


def _alias_slots(key: str) -> list[list[str]]:
    """Alternatives for each unit of a multiword alias, separators included."""
    slots: list[list[str]] = []
    for n, word in enumerate(key.replace("-", " ").split()):
        if n:
            slots.append(list(_SEPARATORS))
        slots.extend(_slots(word))
    return slots


def _spellings(slots: list[list[str]]) -> Iterator[str]:
    """Spellings with 0..MAX_EDITS units changed, fewest changes first."""
    variable = [i for i, s in enumerate(slots) if len(s) > 1]
    base = [s[0] for s in slots]
    for edits in range(MAX_EDITS + 1):
        for where in combinations(variable, edits):
            for choice in product(*(slots[i][1:] for i in where)):
                word = list(base)
                for i, alt in zip(where, choice, strict=True):
                    word[i] = alt
                yield "".join(word)


@lru_cache(maxsize=1)
def _zipf() -> object | None:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # the collision check is skipped, not the variants
        return None
    return zipf_frequency


def is_common_word(key: str) -> bool:
    """Whether `key` is a common English word (a variant that would misfire)."""
    zipf = _zipf()
    if zipf is None:
        return False
    return all(zipf(w, "en") >= COMMON_ZIPF for w in key.split())  # type: ignore[operator]


Generated = tuple[tuple[str, ...], tuple[str, ...]]
_KNOWN: dict[str, Generated] = {}  # alias -> variant_keys(alias), this process


def variant_keys(alias: str) -> Generated:
    """(variants, dropped): folded variant keys of `alias`, and the common words cut."""
    hit = _KNOWN.get(alias)
    if hit is None:
        hit = _KNOWN[alias] = _generate(alias)
    return hit


def preload(known: dict[str, Generated]) -> None:
    """Take variant keys computed earlier (variant_cache.py) instead of generating them."""
    _KNOWN.update(known)


def known() -> dict[str, Generated]:
    """Every alias's variant keys generated or preloaded in this process."""
    return dict(_KNOWN)


def _generate(alias: str) -> Generated:
    key = fold_alias(alias)
    if not key.isascii():
        return (), ()  # Arabic script: normalize.fold already unifies the letters
    seen = {key}
    out: list[str] = []
    dropped: list[str] = []
    for v in _spellings(_alias_slots(key)):
        v = " ".join(v.split())
        if v in seen or len(v) < MIN_LENGTH:
            continue
        seen.add(v)
        if is_common_word(v):
            dropped.append(v)
            continue
        out.append(v)
        if len(out) >= MAX_VARIANTS:
            break
    return tuple(out), tuple(dropped)


def variants(alias: str) -> list[str]:
    """The variant keys of `alias` (folded, without the alias itself)."""
    return list(variant_keys(alias)[0])
