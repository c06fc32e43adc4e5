"""Fuzzing every reader with hostile structured input (hypothesis).

Each reader (txt, md, html, json, jsonl, RSS/Atom) must turn any bytes into
articles or problems for that file alone: nothing raises, every article can be
stored (UTF-8, no NUL), stays under the text limit, and goes through matching
and the alert schema. Examples are few and each has a deadline, so the suite
stays bounded in time inside `make test`. All input is generated: not news.
"""

from __future__ import annotations

import json
import tempfile
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor import schemas
from monitor.article import Article
from monitor.pipeline import Engine
from monitor.sources import Problem
from monitor.sources.feedparse import parse_feed
from monitor.sources.files import read_file
from monitor.sources.limits import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from monitor.watchlist import build_watchlist

ENGINE = Engine(build_watchlist(tomllib.loads((ROOT / "config.toml").read_text("utf-8"))
                                ["watchlist"]))
FUZZ = settings(max_examples=40, deadline=timedelta(seconds=10), derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])

# Words the watchlist tracks, so fuzzed articles reach the rules and the alert schema.
WORDS = ["Libya", "Haftar", "ceasefire", "Tripoli", "GNA", "Wagner", "clashes", "حفتر",
         "Kadhâfi", "kidnapped", "Russian mercenaries", "Gaddafi Stadium", "the", "\u200f"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32", "latin-1"]
# Any code point, lone surrogates and controls included.
ANY_CHAR = st.characters(blacklist_categories=())
TEXT = st.lists(st.one_of(st.sampled_from(WORDS), st.text(ANY_CHAR, max_size=12)),
                max_size=60).map(" ".join)


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def encoded(text: str, encoding: str) -> bytes:
    bom = b"\xfe\xff" if encoding == "utf-16-be" else b""
    return bom + text.encode(encoding, "surrogatepass" if "utf" in encoding else "replace")


def check(items: list[Article | Problem]) -> None:
    """What every reader owes the pipeline."""
    for item in items:
        assert isinstance(item, (Article, Problem))
        strings = ([item.source, item.error, item.record or ""] if isinstance(item, Problem)
                   else [item.id, item.title, item.text, item.source, item.url or "",
                         item.guid or "", item.published_at or ""])
        for s in strings:
            s.encode("utf-8")  # storable: no lone surrogate
            assert "\x00" not in s
        if isinstance(item, Article):
            assert len(item.text) <= MAX_TEXT_CHARS
            assert len(item.title) <= MAX_TITLE_CHARS
            alert = ENGINE.alert_for(item, story_id="s1")
            if alert is not None:
                assert not schemas.errors("alert", alert), schemas.errors("alert", alert)
                for e in alert["evidence"]:
                    assert item.text[e["start"]:e["end"]] == e["text"]


def read(folder: Path, name: str, data: bytes) -> list[Article | Problem]:
    path = folder / name
    path.write_bytes(data)
    items = list(read_file(path))
    check(items)
    return items


# --- txt and md --------------------------------------------------------------------

@FUZZ
@given(TEXT, TEXT, st.sampled_from(ENCODINGS), st.sampled_from([".txt", ".md"]),
       st.binary(max_size=40))
def test_text_files(folder, title, body, encoding, suffix, junk):
    data = encoded(f"# {title}\n\n{body}", encoding)
    read(folder, "f" + suffix, data)
    read(folder, "g" + suffix, junk + data + junk)


# --- html --------------------------------------------------------------------------

ENTITY = st.sampled_from(["&amp;", "&lt;", "&#0;", "&#xD800;", "&#x110000;", "&#99999999999;",
                          "&lol;", "&" + "a" * 40 + ";", "&#x", "&", "&nbsp", "&#1604;"])
TAG = st.sampled_from(["p", "div", "script", "style", "head", "noscript", "title", "h1",
                       "br", "li", "a", "link", "b", "SCRIPT", "x-y"])
ATTR = st.tuples(st.sampled_from(["href", "rel", "class", "onload", "x"]),
                 st.one_of(TEXT, st.just("canonical"), st.integers(0, 50_000).map(
                     lambda n: "a" * n)))  # giant attributes


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def build(tag: str, attrs: list[tuple[str, str]], inner: list[str], close: int) -> str:
        a = "".join(f' {k}="{v}"' for k, v in attrs)
        end = [f"</{tag}>", "", f"</{tag}", f"<{tag}"][close]  # closed, unclosed, broken
        return f"<{tag}{a}>" + "".join(inner) + end
    return st.builds(build, TAG, st.lists(ATTR, max_size=3), st.lists(children, max_size=4),
                     st.integers(0, 3))


HTML = st.recursive(st.one_of(TEXT, ENTITY, st.sampled_from(["<", ">", "<!--", "-->",
                                                             "<![CDATA[", "]]>"])),
                    _element, max_leaves=40)


@FUZZ
@given(st.lists(HTML, max_size=6).map("".join), st.sampled_from(ENCODINGS),
       st.integers(0, 3_000))
def test_html_files(folder, markup, encoding, depth):
    read(folder, "f.html", encoded(markup, encoding))
    nested = "<div>" * depth + markup + "</div>" * (depth // 2)  # deep, half closed
    read(folder, "g.htm", nested.encode("utf-8", "surrogatepass"))


# --- json and jsonl ----------------------------------------------------------------

SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
JSON = st.recursive(SCALAR, lambda c: st.one_of(st.lists(c, max_size=4),
                                                st.dictionaries(TEXT, c, max_size=4)),
                    max_leaves=30)
RECORD = st.fixed_dictionaries({}, optional={
    "title": st.one_of(TEXT, JSON), "text": st.one_of(TEXT, JSON), "body": TEXT,
    "url": st.one_of(TEXT, st.just("https://example.invalid/a?utm_source=x"), JSON),
    "published_at": st.one_of(TEXT, st.just("2019-11-25T09:30:00+01:00"), JSON),
    "date": TEXT, "id": JSON})


def deep(depth: int, opener: str) -> str:
    closer = {"[": "]", "{\"a\":": "}"}[opener]
    return opener * depth + "1" + closer * depth


@FUZZ
@given(st.lists(st.one_of(RECORD, JSON), max_size=5), st.sampled_from(ENCODINGS),
       st.one_of(st.sampled_from([0, 990, 1_000, 5_000, 200_000]), st.integers(0, 200_000)),
       st.sampled_from(["[", "{\"a\":"]))
def test_json_files(folder, records, encoding, depth, opener):
    text = json.dumps(records, ensure_ascii=False)
    read(folder, "f.json", encoded(text, encoding))
    read(folder, "g.json", encoded(text[: len(text) // 2], encoding))  # cut short
    items = read(folder, "h.json", deep(depth, opener).encode())
    assert all(isinstance(i, Problem) for i in items)


@FUZZ
@given(st.lists(st.one_of(RECORD.map(json.dumps), JSON.map(json.dumps), TEXT,
                          st.sampled_from([2_000, 100_000]).map(lambda d: deep(d, "["))),
                max_size=8),
       st.sampled_from(["\n", "\r\n", "\u2028", "\x00\n"]))
def test_jsonl_files(folder, lines, sep):
    data = sep.join(lines).encode("utf-8", "surrogatepass")
    read(folder, "f.jsonl", data)


# --- RSS and Atom ------------------------------------------------------------------

DOCTYPE = st.sampled_from([
    "", '<!DOCTYPE rss [<!ENTITY a "Haftar">]>', "<!DOCTYPE rss [" * 50,
    '<!-- <!DOCTYPE x [ ]> --><!DOCTYPE rss [<!ENTITY b SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE rss [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;">'
    '<!ENTITY l3 "&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;">]>',
    '<!DOCTYPE rss SYSTEM "a<b" [<!ENTITY c "x">]>', "<!DOCTYPE " * 200])
XML_TEXT = st.one_of(TEXT.map(lambda t: t.replace("<", "&lt;").replace("&", "&amp;")),
                     ENTITY, st.sampled_from(["&a;", "&b;", "&l3;", "<![CDATA[<b>Libya</b>]]>"]),
                     HTML.map(lambda h: h.replace("&", "&amp;").replace("<", "&lt;")), HTML)


def _item(atom: bool, title: str, body: str, link: str, extra: str, depth: int) -> str:
    wrap = "<x:n xmlns:x='urn:x'>" * depth + "</x:n>" * depth
    if atom:
        return (f"<entry><title>{title}</title><id>{link}</id><link href=\"{link}\"/>"
                f"<content type='html'>{body}</content>{extra}{wrap}</entry>")
    return (f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<description>{body}</description>{extra}{wrap}</item>")


ITEM = st.builds(_item, st.booleans(), XML_TEXT, XML_TEXT,
                 st.one_of(st.just("https://example.invalid/x"), XML_TEXT),
                 st.one_of(st.just(""), st.just("<pubDate>Tue, 99 Nov 2019 25:61:00 GMT"
                                                "</pubDate>"), XML_TEXT),
                 st.integers(0, 2_000))


@FUZZ
@given(st.booleans(), DOCTYPE, st.lists(ITEM, max_size=5), st.sampled_from(ENCODINGS[:5]),
       st.integers(0, 60_000), st.sampled_from([".xml", ".rss", ".atom"]))
def test_feed_files(folder, atom, doctype, items, encoding, attr, suffix):
    root = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>Synthetic</title>{}</feed>'
            if atom else '<rss version="2.0"><channel><title>Synthetic</title>{}'
            '</channel></rss>')
    doc = (f"<?xml version='1.0' encoding='{encoding.replace('-sig', '')}'?>" + doctype
           + root.format("".join(items)).replace("<title>",
                                                 f"<title a='{'z' * attr}'>", 1))
    data = encoded(doc, encoding)
    read(folder, "f" + suffix, data)
    read(folder, "g" + suffix, data[: len(data) // 2])  # cut mid-document
    articles, problems, info = parse_feed(data, "https://example.invalid/feed")
    check([*articles, *problems])
    assert isinstance(info.get("title", ""), str)
