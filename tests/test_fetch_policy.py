"""The redirect policy and bounded name resolution, against real servers on 127.0.0.1.

A test resolver maps made-up names (`*.test`) to 127.0.0.1 and says which zone
each counts as, so one local server can play a public feed host while another
stays what it is: loopback. All bodies are synthetic test data.
"""

from __future__ import annotations

import ssl
import time

import pytest
from localserver import FeedServer, Reply, item, rss

from monitor.config import Fetch
from monitor.sources.fetch import fetch
from monitor.sources.netpolicy import PUBLIC, Resolver, zone

FAST = Fetch(timeout=2.0, max_bytes=1024 * 1024, user_agent="libya-monitor-test/1")
FEED = rss("Synthetic", [item(1)])


class TestResolver(Resolver):
    """Every *.test name is 127.0.0.1; `zones` says what each counts as (else its own)."""

    __test__ = False

    def __init__(self, zones: dict[str, str], lookup=None) -> None:
        super().__init__(lookup or (lambda host, port: ["127.0.0.1"]))
        self.zones = zones

    def zone_of(self, host: str, ip: str) -> str:
        return self.zones.get(host, zone(ip))


def public(*names: str) -> TestResolver:
    return TestResolver({n: PUBLIC for n in names})


def on(server: FeedServer, host: str, path: str) -> str:
    return f"{server.scheme}://{host}:{server.port}{path}"


@pytest.mark.parametrize("address, expected", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("0.0.0.0", "loopback"),
    ("::ffff:127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.9", "private"),
    ("172.20.0.1", "private"), ("169.254.1.1", "link-local"), ("fe80::1", "link-local"),
    ("fd12:3456::1", "unique-local"), ("169.254.169.254", "metadata"),
    ("fd00:ec2::254", "metadata"), ("100.100.100.200", "metadata"),
    ("93.184.216.34", PUBLIC), ("2606:4700::1111", PUBLIC), ("224.0.0.1", "reserved"),
])
def test_address_zones(address, expected):
    assert zone(address) == expected


def test_redirect_from_a_public_feed_to_loopback_is_refused(feedserver):
    feedserver.route("/admin/export", Reply(200, b"<rss>internal</rss>"))
    feedserver.route("/feed", Reply(301, headers={"Location": feedserver.url("/admin/export")}))
    res = fetch(on(feedserver, "feeds.public.test", "/feed"), FAST,
                resolver=public("feeds.public.test"))
    assert res.kind == "refused" and "loopback" in (res.error or ""), res
    assert res.body == b"" and res.moved_to is None
    assert feedserver.hits("/admin/export") == []  # never even connected


def test_the_check_is_on_the_resolved_address_not_the_name(feedserver):
    # internal.test looks harmless by name but resolves to 127.0.0.1 (loopback).
    feedserver.route("/admin", Reply(200, b"<rss>internal</rss>"))
    feedserver.route("/feed", Reply(302, headers={
        "Location": on(feedserver, "internal.test", "/admin")}))
    res = fetch(on(feedserver, "feeds.public.test", "/feed"), FAST,
                resolver=public("feeds.public.test"))
    assert res.kind == "refused" and feedserver.hits("/admin") == []


@pytest.mark.parametrize("zone_name", ["private", "metadata", "link-local", "unique-local"])
def test_a_loopback_feed_may_not_be_redirected_into_another_zone(feedserver, zone_name):
    # The configured URL is on loopback (a local bridge: fine); the redirect leads
    # to a name the resolver files under another internal zone.
    feedserver.route("/inside", Reply(200, FEED))
    feedserver.route("/bridge", Reply(307, headers={
        "Location": on(feedserver, "inner.test", "/inside")}))
    res = fetch(feedserver.url("/bridge"), FAST, resolver=TestResolver({"inner.test": zone_name}))
    assert res.kind == "refused" and zone_name in (res.error or "")
    assert feedserver.hits("/inside") == []


def test_configured_urls_go_anywhere_and_redirects_stay_in_their_zone(feedserver):
    # A loopback feed redirected within loopback (a local bridge moving a path): followed.
    feedserver.route("/old", Reply(301, headers={"Location": "/new"}))
    feedserver.route("/new", Reply(200, FEED))
    res = fetch(feedserver.url("/old"), FAST, resolver=Resolver())
    assert res.ok and res.body == FEED and res.moved_to == feedserver.url("/new")
    # A public feed redirected to another public host: followed.
    feedserver.route("/a", Reply(302, headers={"Location": on(feedserver, "cdn.test", "/new")}))
    res = fetch(on(feedserver, "feeds.public.test", "/a"), FAST,
                resolver=public("feeds.public.test", "cdn.test"))
    assert res.ok and res.body == FEED


def test_https_to_http_is_refused(tmp_path):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("feeds.public.test", "127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    tls, plain = FeedServer(server_ctx), FeedServer()
    try:
        plain.route("/feed", Reply(200, FEED))
        tls.route("/ok", Reply(200, FEED))
        tls.route("/down", Reply(301, headers={"Location": plain.url("/feed")}))
        res = fetch(on(tls, "feeds.public.test", "/ok"), FAST, ssl_context=client_ctx,
                    resolver=public("feeds.public.test"))
        assert res.ok and res.body == FEED  # TLS itself works: the refusal below is the rule
        res = fetch(tls.url("/down"), FAST, ssl_context=client_ctx)
        assert res.kind == "refused" and "https to http" in (res.error or "")
        assert plain.hits("/feed") == []
    finally:
        tls.close()
        plain.close()


def test_permanent_moves_are_remembered_only_on_the_same_site(feedserver):
    feedserver.route("/feed", Reply(200, FEED))
    feedserver.route("/www", Reply(301, headers={
        "Location": on(feedserver, "www.feeds.public.test", "/feed")}))
    feedserver.route("/away", Reply(301, headers={
        "Location": on(feedserver, "elsewhere.test", "/feed")}))
    feedserver.route("/keyed", Reply(301, headers={"Location": "/feed?apikey=synthetic"}))
    feedserver.route("/feed?apikey=synthetic", Reply(200, FEED))
    res_ = public("feeds.public.test", "www.feeds.public.test", "elsewhere.test")
    same = fetch(on(feedserver, "feeds.public.test", "/www"), FAST, resolver=res_)
    assert same.ok and same.moved_to == on(feedserver, "www.feeds.public.test", "/feed")
    away = fetch(on(feedserver, "feeds.public.test", "/away"), FAST, resolver=res_)
    assert away.ok and away.body == FEED and away.moved_to is None  # followed, not kept
    keyed = fetch(feedserver.url("/keyed"), FAST)
    assert keyed.ok and keyed.moved_to is None  # a URL with a key in it is never stored


def test_feed_headers_go_only_to_the_configured_site(feedserver):
    feedserver.route("/paid", Reply(302, headers={
        "Location": on(feedserver, "tracker.test", "/landing")}))
    feedserver.route("/landing", Reply(200, FEED))
    res = fetch(on(feedserver, "feeds.public.test", "/paid"), FAST,
                headers={"X-Api-Key": "synthetic-key"},
                resolver=public("feeds.public.test", "tracker.test"))
    assert res.ok
    assert feedserver.hits("/paid")[0]["x-api-key"] == "synthetic-key"
    assert "x-api-key" not in feedserver.hits("/landing")[0]


def test_the_deadline_covers_name_resolution(feedserver):
    feedserver.route("/feed", Reply(200, FEED))

    def slow_lookup(host, port):
        time.sleep(6)  # a resolver that hangs, as a dead DNS server does
        return ["127.0.0.1"]

    settings = Fetch(timeout=1.0, max_bytes=1024 * 1024)
    t0 = time.monotonic()
    res = fetch(on(feedserver, "slow-dns.test", "/feed"), settings,
                resolver=TestResolver({}, slow_lookup))
    took = time.monotonic() - t0
    assert res.kind == "timeout", res
    assert took < 3.0, took
    assert feedserver.hits("/feed") == []


def test_unresolvable_name_is_one_unreachable_line():
    def fail(host, port):
        raise OSError(-2, "Name or service not known")

    res = fetch("http://nowhere.test/feed", FAST, resolver=TestResolver({}, fail))
    assert res.kind == "error" and (res.error or "").startswith("unreachable (ConnectError")
