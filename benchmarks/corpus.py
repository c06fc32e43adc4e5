"""The ingest benchmarks' corpus: news-like synthetic RSS, seeded.

Every item is synthetic benchmark text, not news. Words are drawn by their
English frequency (`wordfreq`, a dependency of the project), so texts share
common words as real articles do; one item in five carries one to three
sentences about Libya built from templates and the watchlist's names, so
about that share is flagged. `storm` is the worst case for grouping: every
item a near-copy of every other (a 27-word vocabulary, all flagged).
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from xml.sax.saxutils import escape

from wordfreq import top_n_list, word_frequency

FULL_BYTES = 4800  # full-content items: about 4.8 KB of text each
SUMMARY_BYTES = 300  # summary-only items: a lead paragraph
LIBYA_SHARE = 0.2

_TOP = top_n_list("en", 20000)
_CUM = list(itertools.accumulate(word_frequency(w, "en") for w in _TOP))

# Sentence templates about Libya (synthetic: filled with the watchlist's names).
_WHO = ["Khalifa Haftar", "the Libyan National Army", "Abdul Hamid Dbeibah",
        "the Government of National Unity", "the National Oil Corporation",
        "the Presidential Council", "the House of Representatives", "Saif al-Islam Gaddafi"]
_WHERE = ["Tripoli", "Benghazi", "Misrata", "Sirte", "Sabha", "Derna", "Zawiya", "Ajdabiya"]
_TEMPLATES = [
    "Fighters loyal to {who} clashed with rival forces near {where} on {day}, residents said.",
    "{Who} said talks on a ceasefire around {where} would resume next week.",
    "An airstrike hit a position south of {where}, according to a statement from {who}.",
    "Oil exports from {where} were halted after a blockade by groups aligned with {who}.",
    "The United Nations called on {who} to protect migrants held in {where}.",
    "Officials in {where} said {who} had agreed to a prisoner exchange.",
    "Protesters gathered in {where} to demand elections, and {who} promised a vote.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# The storm's whole vocabulary: 27 words, tracked names among them, so every item
# is flagged and every item is a near-copy of every other.
_STORM = ("Haftar Tripoli clashes ceasefire Benghazi forces the of and in said on near "
          "army city talks officials week rival fighters statement residents oil port "
          "south north airstrike").split()


def text_of(rng: random.Random, size: int) -> str:
    """About `size` characters of frequency-drawn English words (no sentences)."""
    words: list[str] = []
    n = 0
    while n < size:
        chunk = rng.choices(_TOP, cum_weights=_CUM, k=64)
        words += chunk
        n += sum(map(len, chunk)) + len(chunk)
    out = " ".join(words)[:size]
    return out[:out.rfind(" ")] + "."


def libya_sentences(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(1, 3)):
        who = rng.choice(_WHO)
        s = rng.choice(_TEMPLATES).format(who=who, Who=who[0].upper() + who[1:],
                                          where=rng.choice(_WHERE), day=rng.choice(_DAYS))
        out.append(s)
    return " ".join(out)


def item_text(rng: random.Random, size: int, share: float = LIBYA_SHARE) -> str:
    body = text_of(rng, size)
    if rng.random() < share:
        cut = rng.randrange(len(body) // 2 + 1)
        cut = body.find(" ", cut) + 1 if body.find(" ", cut) >= 0 else len(body)
        body = body[:cut] + libya_sentences(rng) + " " + body[cut:]
    return body


def storm_text(rng: random.Random, size: int) -> str:
    words: list[str] = []
    n = 0
    while n < size:
        w = rng.choice(_STORM)
        words.append(w)
        n += len(w) + 1
    return " ".join(words) + "."


def _paragraphs(rng: random.Random, text: str) -> str:
    """`text` as HTML paragraphs of about 600 characters."""
    out, start = [], 0
    while start < len(text):
        end = text.find(" ", start + rng.randint(400, 800))
        end = len(text) if end < 0 else end
        out.append(f"<p>{text[start:end].strip()}</p>")
        start = end
    return "\n".join(out)


def feed(rng: random.Random, tag: str, n_items: int, kind: str = "full",
         day: int = 0) -> bytes:
    """One RSS 2.0 document of synthetic items: kind is full, summary or storm.

    Items are published on 26 November 2019 plus `day` days.
    """
    when = (date(2019, 11, 26) + timedelta(days=day)).strftime("%a, %d %b %Y")
    items = []
    for i in range(n_items):
        body = storm_text(rng, FULL_BYTES) if kind == "storm" else \
            item_text(rng, FULL_BYTES if kind == "full" else SUMMARY_BYTES)
        lead = body[:body.find(" ", 200) + 1 or None] if kind != "summary" else body
        # Full content as publishers send it: HTML paragraphs in content:encoded.
        content = "" if kind == "summary" else \
            f"<content:encoded>{escape(_paragraphs(rng, body))}</content:encoded>"
        items.append(
            f"<item><title>Synthetic {tag} item {i}</title>"
            f"<link>https://bench.invalid/{tag}/{i}</link><guid>{tag}-{i}</guid>"
            f"<pubDate>{when} {10 + i % 12:02d}:{i % 60:02d}:00 GMT</pubDate>"
            f"<description>{escape(lead)}</description>{content}</item>")
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
            "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
            f"<title>Synthetic benchmark feed {tag}</title><link>https://bench.invalid/</link>"
            + "".join(items) + "</channel></rss>").encode()


def corpus(files: int, items: int, kind: str = "full", seed: int = 11,
           days: int = 1) -> list[bytes]:
    """`files` feeds of `items` items each, their dates spread over `days` days."""
    rng = random.Random(seed)
    return [feed(rng, f"{kind[0]}{i}", items, kind, i * days // files) for i in range(files)]
