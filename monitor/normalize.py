"""Text normalisation for matching, with a map back to the original offsets.

`fold(text)` returns the folded text and, for every folded character, the
index of the original character it came from, so a match found in the folded
text can be reported as `text[start:end]` of the article's stored text.
Folding never reorders characters: it only drops, keeps or expands them.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

# Arabic letter variants folded to one form (the way Arabic search engines do).
_ARABIC = {
    "\u0623": "\u0627",  # alef with hamza above -> alef
    "\u0625": "\u0627",  # alef with hamza below -> alef
    "\u0622": "\u0627",  # alef with madda -> alef
    "\u0671": "\u0627",  # alef wasla -> alef
    "\u0629": "\u0647",  # taa marbuta -> haa
    "\u0649": "\u064a",  # alef maqsura -> yaa
    "\u0624": "\u0648",  # waw with hamza -> waw
    "\u0626": "\u064a",  # yaa with hamza -> yaa
    "\u06cc": "\u064a",  # farsi yeh -> yaa
    "\u06a9": "\u0643",  # keheh -> kaf
    "\u0640": "",  # tatweel (kashida) is decoration
}
# Typographic variants that writers use interchangeably.
_PUNCT = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u02bf": "'", "\u02be": "'", "`": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
}


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """Fold one character: NFKC, case folding, no diacritics, Arabic variants."""
    if ch in _PUNCT:
        return _PUNCT[ch]
    if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
        # Format characters (bidi marks, zero-width joiners) are invisible:
        # treat them as spaces so they can neither hide nor join words.
        return " "
    out = []
    for c in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", ch).casefold()):
        if unicodedata.category(c) == "Mn":  # diacritics, Arabic harakat
            continue
        out.append(_ARABIC.get(c, c))
    return unicodedata.normalize("NFC", "".join(out))


@dataclass(frozen=True)
class Folded:
    """Folded text and the way back to the original offsets.

    `origin[i]` is the original index of folded char i (only when some char
    expanded or vanished); otherwise `shifts` lists (folded_start, shift)
    breakpoints left by collapsed whitespace runs (empty: same offsets).
    """

    text: str
    origin: tuple[int, ...] | None
    length: int  # length of the original text
    shifts: tuple[tuple[int, int], ...] = ()

    def _orig(self, i: int) -> int:
        if self.origin is not None:
            return self.origin[i]
        if not self.shifts:
            return i
        k = bisect_right(self.shifts, (i, float("inf"))) - 1
        return i + (self.shifts[k][1] if k >= 0 else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded [start, end) span back to the original text."""
        return self._orig(start), self._orig(end - 1) + 1


class _FoldTable(dict[int, str]):
    """str.translate table that folds each character once, then remembers it."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        self[code] = folded
        if len(folded) != 1:
            IRREGULAR.add(chr(code))
        return folded


IRREGULAR: set[str] = set()  # characters whose fold is not exactly one character
_TABLE = _FoldTable()


def _collapse(t: str, length: int) -> Folded:
    """Collapse runs of spaces in a one-to-one folded text, keeping offsets."""
    if "  " not in t:
        return Folded(t, None, length)
    parts: list[str] = []
    shifts: list[tuple[int, int]] = []
    pos = shift = 0
    n = len(t)
    # str.find jumps to the next run in C; a regex scan stops at every single space.
    start = t.find("  ")
    while start >= 0:
        end = start + 2
        while end < n and t[end] == " ":
            end += 1
        parts.append(t[pos:start + 1])
        shift += end - start - 1
        pos = end
        shifts.append((pos - shift, shift))
        start = t.find("  ", end)
    parts.append(t[pos:])
    return Folded("".join(parts), None, length, tuple(shifts))


# ASCII folds byte for byte: controls and whitespace become spaces, letters lower
# case, and the backtick (the one ASCII character fold_char changes beyond case)
# an apostrophe. As bytes.translate, a C loop (a regex substitution per space
# cost 20 times more).
_ASCII_FOLD = bytes.maketrans(bytes(range(32)) + b"\x7f`" + bytes(range(65, 91)),
                              b" " * 33 + b"'" + bytes(range(97, 123)))
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_ascii(text: str) -> str:
    return text.encode("ascii").translate(_ASCII_FOLD).decode("ascii")


def _translate(text: str) -> str:
    """`text.translate(_TABLE)`, the ASCII runs of mostly-ASCII text folded as bytes."""
    if len(text.encode("utf-8")) - len(text) > len(text) // 16:
        return text.translate(_TABLE)  # mostly another script: one pass
    out: list[str] = []
    pos = 0
    for m in _NON_ASCII.finditer(text):
        out += [_fold_ascii(text[pos:m.start()]), m.group().translate(_TABLE)]
        pos = m.end()
    out.append(_fold_ascii(text[pos:]))
    return "".join(out)


def fold(text: str) -> Folded:
    """Fold `text` for matching; whitespace runs become one space."""
    if text.isascii():
        # Most English news: lower() keeps offsets; whitespace maps one-to-one.
        return _collapse(_fold_ascii(text), len(text))
    t = _translate(text)
    if len(t) == len(text) and IRREGULAR.isdisjoint(text):
        return _collapse(t, len(text))
    return fold_slow(text)


# Texts folded lately and their folded text: the matcher folds an article's text,
# and the search index's trigger (search.fold_text) asks for the same text again
# when the article is stored a moment later. Bounded in entries and characters.
_RECENT: dict[str, str] = {}
_RECENT_LOCK = threading.Lock()
RECENT_ITEMS = 1024
RECENT_CHARS = 8_000_000
_recent_chars = 0


def remember(text: str, folded: str) -> None:
    """Keep `fold(text).text` for `folded_text` (the oldest entries go first)."""
    global _recent_chars
    if len(text) > RECENT_CHARS:  # never kept: the cache is not emptied for it
        return
    with _RECENT_LOCK:
        if text in _RECENT:
            return
        while _RECENT and (len(_RECENT) >= RECENT_ITEMS
                           or _recent_chars + len(text) > RECENT_CHARS):
            old = next(iter(_RECENT))
            _recent_chars -= len(old)
            del _RECENT[old]
        _RECENT[text] = folded
        _recent_chars += len(text)


def folded_text(text: str) -> str:
    """`fold(text).text`, without folding again a text folded lately."""
    hit = _RECENT.get(text)
    return hit if hit is not None else fold(text).text


def fold_slow(text: str) -> Folded:
    """Fold character by character, tracking offsets (the reference algorithm)."""
    chars: list[str] = []
    origin: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        f = _TABLE[ord(ch)]
        if f == " ":
            if prev_space:
                continue
            prev_space = True
        elif f:
            prev_space = False
        for c in f:
            chars.append(c)
            origin.append(i)
    return Folded("".join(chars), tuple(origin), len(text))


def fold_alias(alias: str) -> str:
    """Fold an alias the same way as article text (and trim it)."""
    return fold(alias.strip()).text.strip()


# Every pattern here stops at the next '<' and every closing tag is looked for
# once per element name, so hostile markup ("<script>" x 40,000, "<p" with no
# '>') costs one pass over the text, not one pass per tag.
_TAGS = re.compile(r"<[^<>]*>")
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr|p|div|li|h[1-6])\b[^<>]*>", re.I)
_DROPPED = ("script", "style", "head", "noscript", "applet", "template")
_BLANKS = str.maketrans("\t\r\f\v", "    ")
_MANY_NL = re.compile(r"\n\s*\n+")


@lru_cache(maxsize=32)
def _closing(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{name}\s*>", re.I)


@lru_cache(maxsize=32)
def _opening(names: tuple[str, ...], whole_tag: bool) -> re.Pattern[str]:
    return re.compile(rf"<({'|'.join(names)})\b" + (r"[^<>]*>" if whole_tag else ""), re.I)


def drop_elements(markup: str, names: tuple[str, ...], repl: str = " ") -> str:
    """`markup` without the elements `names` and their content (unclosed ones stay)."""
    opening = _opening(names, False)
    out: list[str] = []
    pos = search = 0
    unclosed: set[str] = set()  # no closing tag after some point: none after a later one
    while (m := opening.search(markup, search)) is not None:
        name = m.group(1).lower()
        close = None if name in unclosed else _closing(name).search(markup, m.end())
        if close is None:
            unclosed.add(name)
            search = m.end()
            continue
        out += [markup[pos:m.start()], repl]
        pos = search = close.end()
    return "".join(out) + markup[pos:] if out else markup


def drop_comments(markup: str) -> str:
    """`markup` without HTML comments; one left open runs to the end, as in a browser.

    Feed HTML comes to us unsanitised (feedparse.py): a comment's words are not
    the article's. One pass: each comment's end is looked for once."""
    if "<!--" not in markup:
        return markup
    out: list[str] = []
    pos = 0
    while (start := markup.find("<!--", pos)) >= 0:
        out += [markup[pos:start], " "]
        end = markup.find("-->", start + 4)
        if end < 0:
            return "".join(out)
        pos = end + 3
    return "".join(out) + markup[pos:]


def element_text(markup: str, name: str) -> str | None:
    """The raw content of the first `name` element that is closed, or None."""
    m = _opening((name,), True).search(markup)
    close = _closing(name).search(markup, m.end()) if m else None
    return markup[m.end():close.start()] if m and close else None


def _squeeze_blanks(s: str) -> str:
    """Each run of blanks (space, tab, CR, FF, VT) as one space: C loops, not a regex
    substitution at every single space."""
    if "\t" in s or "\r" in s or "\f" in s or "\v" in s:  # translate is per character
        s = s.translate(_BLANKS)
    while "  " in s:
        s = s.replace("  ", " ")
    return s


def html_to_text(markup: str) -> str:
    """Turn HTML into plain text: no tags, entities decoded, paragraphs kept."""
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    s = drop_elements(drop_comments(markup), _DROPPED)
    s = _BREAKS.sub("\n", s)
    s = _TAGS.sub("", s)
    s = html.unescape(s)
    s = "\n".join(line.strip() for line in _squeeze_blanks(s).split("\n"))
    return _MANY_NL.sub("\n\n", s).strip()


def is_word_char(ch: str) -> bool:
    """True for letters and digits of any script (the parts of a word)."""
    return ch.isalnum() or unicodedata.category(ch) == "Mn"
