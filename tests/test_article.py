from monitor.article import canonical_url, make_article, make_id, to_rfc3339


def test_canonical_url_drops_tracking_fragment_and_www():
    a = canonical_url("HTTP://WWW.Example.com/news/1/?utm_source=x&id=3#top")
    b = canonical_url("https://example.com/news/1?id=3")
    assert a == b == "https://example.com/news/1?id=3"


def test_canonical_url_refuses_non_http():
    assert canonical_url("file:///etc/passwd") is None
    assert canonical_url("javascript:alert(1)") is None


def test_id_prefers_url_then_guid_then_content():
    by_url = make_id(url="https://x.org/a?utm_medium=rss", guid="g1", scope="f1", title="t",
                     text="b")
    same = make_id(url="https://x.org/a", guid="other", scope="f2", title="u", text="c")
    assert by_url == same and by_url.startswith("u")
    assert make_id(url=None, guid="g1", scope="f1", title="t", text="b").startswith("g")
    c1 = make_id(url=None, guid=None, scope="", title="Title", text="Body  text")
    c2 = make_id(url=None, guid=None, scope="", title="title", text="body text")
    assert c1 == c2 and c1.startswith("c")


def test_make_article_puts_title_first_and_drops_unsafe_urls():
    a = make_article(title="  A  title ", body="Body.", source="s", source_kind="seed",
                     url="file:///etc/passwd")
    assert a.text == "A title\n\nBody." and a.url is None


def test_body_that_repeats_the_title_is_not_doubled():
    a = make_article(title="Title", body="Title\nmore", source="s", source_kind="seed")
    assert a.text == "Title\nmore"


def test_dates_normalise_to_rfc3339_utc():
    assert to_rfc3339("2019-11-26") == "2019-11-26T00:00:00Z"
    assert to_rfc3339("2019-11-26T10:00:00+02:00") == "2019-11-26T08:00:00Z"
    assert to_rfc3339("yesterday") is None
