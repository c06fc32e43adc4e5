import json

from conftest import SEED, shared_path

from monitor.sources import Problem
from monitor.sources.files import read_paths


def read(*paths):
    items = list(read_paths(paths))
    return ([i for i in items if not isinstance(i, Problem)],
            [i for i in items if isinstance(i, Problem)])


def test_seed_article_reads_title_and_body():
    [a], probs = read(SEED)
    assert probs == []
    assert a.title.startswith("US officials push Libya")
    assert "Khalifa Haftar" in a.text and a.text.startswith(a.title)


def test_markdown_heading_is_the_title(tmp_path):
    p = tmp_path / "x.md"
    p.write_text("\n\n# Synthetic heading\n\nSynthetic body.\n")
    [a], _ = read(p)
    assert a.title == "Synthetic heading" and a.text.endswith("Synthetic body.")


def test_undecodable_bytes_are_replaced_and_reported(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"Synthetic title\n\nHaftar \xff\xfe said\n")
    [a], [w] = read(p)
    assert "\ufffd" in a.text and w.level == "warning" and "undecodable" in w.error


def test_broken_jsonl_line_is_reported_and_the_rest_ingested(tmp_path):
    p = tmp_path / "synthetic.jsonl"
    p.write_text(json.dumps({"title": "one", "text": "a"}) + "\n{not json\n"
                 + json.dumps({"title": "three", "text": "c", "id": 3}) + "\n[1]\n")
    arts, probs = read(p)
    assert [a.title for a in arts] == ["one", "three"]
    assert [(pr.line, pr.level) for pr in probs] == [(2, "error"), (4, "error")]
    assert "invalid JSON on line 2" in probs[0].error
    assert arts[1].guid == "3" and arts[0].source.endswith("synthetic.jsonl:1")


def test_json_array_and_object(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([{"title": "x", "text": "y",
                                                  "url": "https://e.org/1",
                                                  "published_at": "2020-01-02"}]))
    (tmp_path / "b.json").write_text("{broken")
    arts, probs = read(tmp_path)
    assert arts[0].url == "https://e.org/1" and arts[0].published_at == "2020-01-02T00:00:00Z"
    assert probs[0].source.endswith("b.json") and "invalid JSON" in probs[0].error


def test_html_file_title_text_and_canonical(tmp_path):
    p = tmp_path / "page.html"
    p.write_text('<html><head><title>Synthetic &amp; page</title>'
                 '<link rel="canonical" href="https://e.org/p"></head>'
                 '<body><script>x()</script><p>Para one.</p><p>Para two.</p></body></html>')
    [a], _ = read(p)
    assert a.title == "Synthetic & page" and "Para two." in a.text and "x()" not in a.text
    assert a.url == "https://e.org/p"


def test_missing_path_and_empty_file_are_problems(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n\n")
    arts, probs = read(tmp_path / "nope", tmp_path / "empty.txt")
    assert arts == [] and {p.error for p in probs} == {"no such file or folder", "empty file"}


def test_folder_walk_skips_hidden_and_unknown_files(tmp_path):
    (tmp_path / ".hidden.txt").write_text("Hidden\n")
    (tmp_path / "notes.docx").write_bytes(b"\x00")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ok.txt").write_text("Synthetic\nbody")
    arts, probs = read(tmp_path)
    assert [a.title for a in arts] == ["Synthetic"] and probs == []


def test_real_feed_file_is_read_as_feed():
    real = shared_path("feeds", "real")
    arts, probs = read(sorted(real.glob("*.xml"))[0])
    assert len(arts) > 5 and all(a.title for a in arts)
    assert all(a.url is None or a.url.startswith("http") for a in arts)


# Synthetic feed: feedparser's HTML sanitiser is off (we never show HTML), so our
# own HTML-to-text must drop what it dropped, and links must still be absolute.
FEED_WITH_MARKUP = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xml:base="https://news.example.org/section/">
<channel><title>Synthetic markup feed</title><link>https://news.example.org/</link>
<item><title>Synthetic &lt;b&gt;item&lt;/b&gt;</title><link>story/1.html</link>
<guid isPermaLink="false">synthetic-1</guid>
<content:encoded><![CDATA[<p>First <a href="/x">paragraph</a>.</p>
<script>var stolen = document.cookie;</script><style>p { color: red }</style>
<applet code="x">applet text</applet><p onclick="evil()">Second&nbsp;paragraph &amp; more.</p>]]>
</content:encoded></item></channel></rss>"""


def test_feed_markup_becomes_text_without_script_or_style():
    from monitor.sources.feedparse import parse_feed

    arts, problems, info = parse_feed(FEED_WITH_MARKUP, "synthetic.xml")
    assert not [p for p in problems if p.level == "error"]
    (a,) = arts
    assert a.title == "Synthetic item"
    assert a.url == "https://news.example.org/section/story/1.html"
    assert "First paragraph." in a.text and "Second\xa0paragraph & more." in a.text
    for gone in ("stolen", "cookie", "color", "applet text", "<", "onclick"):
        assert gone not in a.text, gone
    assert info["title"] == "Synthetic markup feed"


def test_feedparser_reads_with_the_buffered_driver_and_gets_the_same_entries():
    """Every synthetic and real feed file here parses the same with the standard driver."""
    import xml.sax

    import feedparser

    from monitor.sources import feedparse, saxdriver

    assert isinstance(xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS),
                      saxdriver.BufferedExpatParser)
    # SYNTHETIC feeds: text broken by line breaks, entities, CDATA; RSS, Atom, RDF.
    lines = "\n".join(f"Line {i} &amp; more &#233;t&#xe9; &lt;b&gt;x&lt;/b&gt; text"
                      for i in range(300))
    bodies = [FEED_WITH_MARKUP, (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T &amp; t</title>'
        f"<item><title>One\n&amp;\ntwo</title><description>{lines}</description>"
        "<guid>g1</guid><pubDate>Tue, 26 Nov 2019 10:00:00 GMT</pubDate></item>"
        f"<item><title>Three</title><description><![CDATA[<p>{lines}</p>]]></description>"
        "</item></channel></rss>").encode(), (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        '<title>Synthetic Atom</title><entry><title type="html">A &amp;amp; B</title>'
        '<link href="https://synthetic.example/a"/><id>urn:x:1</id>'
        '<updated>2019-11-26T10:00:00Z</updated><content type="xhtml"><div '
        f'xmlns="http://www.w3.org/1999/xhtml"><p>{lines}</p><p>End</p></div></content>'
        "</entry></feed>").encode(), (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-'
        'ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>R</title></channel><item>'
        f"<title>RDF item</title><link>https://synthetic.example/r</link><description>{lines}"
        "</description></item></rdf:RDF>").encode()]
    buffered = [feedparse.parse_feed(b, "x.xml") for b in bodies]
    feedparser.api.PREFERRED_XML_PARSERS.remove(feedparse._DRIVER)
    try:
        plain = [feedparse.parse_feed(b, "x.xml") for b in bodies]
    finally:
        feedparser.api.PREFERRED_XML_PARSERS.insert(0, feedparse._DRIVER)
    assert buffered == plain


def test_a_feed_feedparser_cannot_read_is_reported_in_storable_words(monkeypatch):
    # feedparser should never raise; if it does, the problem (whose source may hold a
    # file name that is not UTF-8) must still be storable, like every other one.
    from monitor.sources import feedparse

    def boom(*a, **kw):
        raise ValueError("synthetic failure\x00")

    monkeypatch.setattr(feedparse.feedparser, "parse", boom)
    arts, [p], _ = feedparse.parse_feed(b"<rss/>", "bad\udcffname.xml")
    assert arts == [] and p.source == "bad\ufffdname.xml"
    assert p.error == "not a readable feed: synthetic failure"
