"""Story grouping, pure: one story per real-world event.

An article's *profile* is a weighted bag of terms: the content words of its
title and text (boilerplate lines dropped, stop words of eleven languages
dropped, words cut to their first STEM characters so "attack/attacks/attacked"
and "conférence/conferenza/conference" meet, a place's names in several
languages made one: data/exonyms.json), capitalised words (names, places)
counted double, and the tracked actors and events the matcher found
(`@a:haftar`, `@e:ceasefire`), which read the same in every language.
Weighted by TF-IDF with the document frequencies of the stored stories
(`story_store.py` keeps them current) and L2-normalised.

A story's *centroid* is the sum of its reports' profiles (the CENTROID
heaviest terms kept). A new flagged article is compared with the centroids of
the stories found through its key terms, each score damped by the days between
the article and the story's time range (`decay`). It joins the best story when

  * the best score is at least JOIN_CLEAR, or
  * the best score is at least JOIN and leads the runner-up by MARGIN:
    on a busy day many Libya stories run side by side, and a report that
    is about as close to two of them belongs to neither until more is known;

otherwise it founds a story. A report scoring MERGE with two alike stories
(MERGE_PAIR) proves them one event: they merge. Measured on eval/stories-dev.jsonl: see
docs/digest.md, "Story grouping", for the methods tried and their scores.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import mul
from pathlib import Path
from urllib.parse import urlsplit

from .article import Article
from .normalize import fold, folded_text

STEM = 5  # characters kept of each word: a crude stemmer that also bridges cognates
WORDS = 400  # words of the (cleaned) text read
NAME_WEIGHT = 2.0  # capitalised words (names, places) in the text
ENTITY_WEIGHT = 2.0  # a tracked actor or event id (language-independent)
CENTROID = 120  # terms kept in a story's centroid
KEY_TERMS = 24  # an article's heaviest terms used to find candidate stories
MAX_CANDIDATES = 30  # stories compared per article
JOIN = 0.12  # cosine to join a story that clearly leads the others...
MARGIN = 0.08  # ...by this much
JOIN_CLEAR = 0.30  # cosine to join whatever the others score
MERGE = 0.50  # a report this close to two stories proves them one: they merge...
MERGE_PAIR = JOIN  # ...when the two are themselves alike (a round-up of two events is not)
WINDOW_DAYS = 7  # a story is found only by articles at most this far from its time range
DECAY_DAYS = 2.0  # scores fall by e each DECAY_DAYS beyond one day from the story's range
_WORD = re.compile(r"\w+")
# A capital letter not starting a sentence. The lookahead first: the lookbehinds are
# then tried only where a capital stands (the same matches, three times faster).
_NAME = re.compile(r"(?=[A-ZÀ-ÖØ-ÞĀ-Ž])(?<![.!?:]\s)(?<!^)\b([A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+)")
_LINE_SUFFIX = re.compile(r":\d+$")
_SENTENCE_END = (".", "!", "?", ":", '"', "”", "»", "»", "。", "؟")
_DATA = Path(__file__).with_name("data") / "stopwords.json"
_EXONYMS = Path(__file__).with_name("data") / "exonyms.json"

Profile = dict[str, float]


@lru_cache(maxsize=1)
def stopwords() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """All stop words (folded), and each language's 100 most frequent words."""
    raw: dict[str, list[str]] = json.loads(_DATA.read_text("utf-8"))
    every = frozenset(fold(w).text for ws in raw.values() for w in ws)
    top = {lang: frozenset(fold(w).text for w in ws[:100]) for lang, ws in raw.items()}
    return every, top


@lru_cache(maxsize=1)
def exonyms() -> dict[str, str]:
    """Folded place names -> one name per place (Genève, Ginevra, Genf -> geneva)."""
    raw = json.loads(_EXONYMS.read_text("utf-8"))
    return {fold(v).text: name for name, vs in raw["places"].items() for v in vs}


def body_lines(text: str) -> str:
    """The text without boilerplate lines (menus, captions, bylines).

    Kept: the first line (the title), lines of at least 8 words, and lines of at
    least 4 words that end like a sentence.
    """
    keep = []
    for i, line in enumerate(text.split("\n")):
        n = len(line.split())
        if i == 0 or n >= 8 or (n >= 4 and line.rstrip().endswith(_SENTENCE_END)):
            keep.append(line)
    return "\n".join(keep)


def _stem(word: str) -> str:
    return word if word.isdigit() else word[:STEM]


@lru_cache(maxsize=8192)
def _fold_name(name: str) -> str:
    """A capitalised word folded (names recur: folded once)."""
    return fold(name).text


def profile(title: str, text: str, actors: Iterable[str] = (),
            events: Iterable[str] = ()) -> Profile:
    """Raw term weights (1 + log tf; names and entities weighted up), before IDF."""
    stop, _ = stopwords()
    body = body_lines(text if not title or text.startswith(title) else f"{title}\n{text}")
    places = exonyms()
    words = [places.get(w, w) for w in _WORD.findall(folded_text(body))[:WORDS]]
    head = " ".join(body.split(None, WORDS)[:WORDS])  # the first WORDS words
    names = {_stem(places.get(n, n)) for n in map(_fold_name, _NAME.findall(head))}
    # Counted in order of first appearance (the profile's order is the order of sums).
    tf = Counter(map(_stem, [w for w in words if w not in stop
                             and (len(w) >= 3 or w.isdigit())]))
    out = {w: (1 + math.log(n)) * (NAME_WEIGHT if w in names else 1.0) for w, n in tf.items()}
    out.update({f"@a:{a}": ENTITY_WEIGHT for a in actors})
    out.update({f"@e:{e}": ENTITY_WEIGHT for e in events})
    return out


Prepared = tuple[Profile, str | None]  # a report's raw profile and its language


def prepare(title: str, text: str, actors: Iterable[str] = (),
            events: Iterable[str] = ()) -> Prepared:
    """What placing a report needs from its text alone (pure: done where it is read)."""
    return profile(title, text, actors, events), language(text)


def idf(df: int, n: int) -> float:
    """Inverse document frequency of a term in `df` of `n` stored reports."""
    return math.log((n + 1) / (df + 0.5))


def weigh(raw: Profile, df: Mapping[str, int], n: int) -> Profile:
    """TF-IDF, L2-normalised. `df` counts the reports already stored (not this one)."""
    v = {t: x * idf(df.get(t, 0) + 1, n + 1) for t, x in raw.items()}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items() if x > 0}


def key_terms(vec: Profile, k: int = KEY_TERMS) -> list[str]:
    """The article's heaviest terms: where to look for its story."""
    return [t for t, _ in sorted(vec.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def norm(centroid: Mapping[str, float]) -> float:
    """The L2 norm of a centroid."""
    values = centroid.values()
    return math.sqrt(sum(map(mul, values, values)))


def cosine(vec: Mapping[str, float], centroid: Mapping[str, float],
           norm_: float | None = None, order: Mapping[str, int] | None = None) -> float:
    """Cosine of a normalised profile and an (unnormalised) centroid of norm `norm_`.

    `order`: each term of `vec` -> its position (`positions(vec)`), for comparing one
    profile with many centroids."""
    # The products of the shared terms, summed in the order of `vec` as C loops: the
    # same sum, bit for bit, as over every term (the others add exactly 0.0).
    norm_ = norm(centroid) if norm_ is None else norm_
    if not norm_:
        return 0.0
    if order is None:
        shared = list(filter(centroid.__contains__, vec))
    else:  # the intersection walks the smaller of the two (a centroid is short)
        shared = sorted(vec.keys() & centroid.keys(), key=order.__getitem__)
    return sum(map(mul, map(vec.__getitem__, shared), map(centroid.__getitem__, shared))
               ) / norm_


def positions(vec: Mapping[str, float]) -> dict[str, int]:
    return {t: i for i, t in enumerate(vec)}


def alike(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two centroids."""
    na = norm(a)
    return cosine(a, b) / na if na else 0.0


def add(centroid: Mapping[str, float], vec: Mapping[str, float],
        keep: int = CENTROID) -> dict[str, float]:
    """The centroid with `vec` added, cut to its `keep` heaviest terms."""
    out = dict(centroid)
    for t, x in vec.items():
        out[t] = out.get(t, 0.0) + x
    if len(out) > keep:
        out = dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))[:keep])
    return out


def day(ts: str) -> int:
    """Day number of an RFC 3339 time or ISO date."""
    return date.fromisoformat(ts[:10]).toordinal()


def decay(at: int, first: int, last: int) -> float:
    """How much a story's time range still counts for an article on day `at`."""
    gap = max(first - at, at - last, 0)
    return math.exp(-max(0, gap - 1) / DECAY_DAYS) if gap <= WINDOW_DAYS else 0.0


@dataclass(frozen=True)
class Candidate:
    """A stored story, as the index returns it."""

    story_id: str
    centroid: Mapping[str, float]
    first: int  # day numbers of its first and latest report
    last: int
    norm: float | None = None  # the centroid's norm, if known (else computed when compared)


@dataclass(frozen=True)
class Choice:
    story_id: str | None  # None: found a new story
    score: float  # the winner's score (0 when founding)
    merge: tuple[str, ...] = ()  # other stories this report proves to be the same event


def choose(vec: Profile, at: int, candidates: Iterable[Candidate]) -> Choice:
    """The story this article joins (see the module docstring), and stories to merge."""
    cands = list(candidates)
    order = positions(vec)
    scored = sorted(((cosine(vec, c.centroid, c.norm, order) * decay(at, c.first, c.last),
                      c.story_id) for c in cands), key=lambda x: (-x[0], x[1]))
    if not scored:
        return Choice(None, 0.0)
    best, sid = scored[0]
    runner = scored[1][0] if len(scored) > 1 else 0.0
    if best >= JOIN_CLEAR or (best >= JOIN and best - runner >= MARGIN):
        centroid = {c.story_id: c.centroid for c in cands}
        merge = tuple(s for x, s in scored[1:] if x >= MERGE
                      and alike(centroid[sid], centroid[s]) >= MERGE_PAIR
                      ) if best >= MERGE else ()
        return Choice(sid, best, merge)
    return Choice(None, 0.0)


def language(text: str) -> str | None:
    """The article's language by its most frequent words (None if unsure)."""
    words = _WORD.findall(folded_text(text[:3000]))
    if not words:
        return None
    _, top = stopwords()
    seen = Counter(words)  # a language's 100 words looked up, not every word per language
    counts = {lang: sum(map(seen.__getitem__, seen.keys() & ws)) for lang, ws in top.items()}
    lang, n = max(counts.items(), key=lambda kv: (kv[1], kv[0] == "en"))
    return lang if n >= 3 and n >= 0.1 * len(words) else None


def source_key(a: Article) -> str:
    """Who published it: the URL's host, else the source without a line number."""
    url = a.canonical_url
    if url:
        return urlsplit(url).netloc
    src = a.source
    if src.startswith(("http://", "https://")):
        return urlsplit(src).netloc.lower() or src
    return _LINE_SUFFIX.sub("", src)


def article_time(a: Article, seen_at: str) -> str:
    """The time that places an article: published (when readable), else first seen.

    Rows stored by old releases may hold dates no longer accepted ("202-05-01").
    """
    return a.published_at if a.published_at and a.published_date else seen_at


def new_story_id(article_id: str) -> str:
    """A story founded by an article is named after it."""
    return "s" + article_id[1:]

