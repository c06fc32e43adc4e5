"""URL redaction: user info and credential-like query values become ***."""

import pytest

from monitor.redact import has_credentials, redact_text, redact_url, strip_credentials


@pytest.mark.parametrize("url, shown", [
    ("https://user:pw@feeds.example:8443/rss?apikey=k1&lang=en#top",
     "https://***@feeds.example:8443/rss?apikey=***&lang=en#top"),
    ("https://token@feeds.example/rss", "https://***@feeds.example/rss"),
    ("http://x.example/f?X-Amz-Signature=s&access_token=t&keyword=libya",
     "http://x.example/f?X-Amz-Signature=***&access_token=***&keyword=libya"),
    ("http://x.example/f?apiKey=a&api-key=b&auth=c&sig=d&session_id=e&page=2",
     "http://x.example/f?apiKey=***&api-key=***&auth=***&sig=***&session_id=***&page=2"),
    ("https://x.example/rss.xml", "https://x.example/rss.xml"),
    ("feeds/local.xml", "feeds/local.xml"),
])
def test_redact_url(url, shown):
    assert redact_url(url) == shown
    assert has_credentials(url) == (url != shown)


def test_strip_credentials_leaves_a_usable_base():
    assert strip_credentials("https://u:p@x.example/a/f?token=t&q=1") == "https://x.example/a/f?q=1"


def test_redact_text_finds_urls_inside_messages():
    msg = "unreachable (ConnectError: https://u:p@x.example/f?key=k failed); retry"
    assert redact_text(msg) == ("unreachable (ConnectError: https://***@x.example/f?key=*** "
                                "failed); retry")
    assert redact_text("no url here: p@ss") == "no url here: p@ss"


def test_a_url_urlsplit_refuses_is_still_masked():
    assert redact_url("http://u:p@[::1/x?token=t") == "http://***@[::1/x?token=***"
