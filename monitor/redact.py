"""Hide credentials in URLs (user info, key-like query parameters) before they are shown.

A feed URL may carry a password (`https://user:pass@host/`) or a key
(`?apikey=...`). Every URL the monitor stores, prints or logs goes through
`redact_url` (or `redact_text` for messages that may quote one); the real URL
is used only to fetch.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

MASK = "***"

# Query parameter names (lower-cased, split on - _ .) that hold credentials.
_SECRET_PARTS = frozenset({
    "key", "apikey", "token", "secret", "password", "passwd", "pass", "pwd", "auth",
    "authorization", "sig", "signature", "session", "sessionid", "sid", "credential",
    "credentials", "jwt", "bearer", "accesstoken", "apitoken", "authtoken",
    "clientsecret", "privatekey", "otp",
})
_SECRET_SUFFIXES = ("key", "token", "secret", "password")
_SPLIT = re.compile(r"[-_.\[\]]+")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def is_secret_param(name: str) -> bool:
    """Whether a query parameter's name says it carries a credential (apikey, token...)."""
    low = name.strip().lower()
    parts = [p for p in _SPLIT.split(low) if p]
    joined = "".join(parts)
    return joined in _SECRET_PARTS or any(p in _SECRET_PARTS for p in parts) \
        or joined.endswith(_SECRET_SUFFIXES)


def _query(query: str, keep_secrets: bool, mask: bool) -> str:
    out = []
    for pair in query.split("&") if query else ():
        name, eq, _value = pair.partition("=")
        if is_secret_param(name) and not keep_secrets:
            if mask:
                out.append(f"{name}={MASK}")
            continue
        out.append(pair if eq else name)
    return "&".join(out)


def _netloc(netloc: str, mask: bool) -> str:
    if "@" not in netloc:
        return netloc
    host = netloc.rpartition("@")[2]
    return f"{MASK}@{host}" if mask else host


def redact_url(url: str) -> str:
    """The URL with user info and credential-like query values replaced by ***."""
    try:
        p = urlsplit(url)
    except ValueError:
        return _fallback(url)
    if "@" not in p.netloc and not any(is_secret_param(q.partition("=")[0])
                                       for q in p.query.split("&") if q):
        return url
    return urlunsplit((p.scheme, _netloc(p.netloc, True), p.path,
                       _query(p.query, False, True), p.fragment))


def strip_credentials(url: str) -> str:
    """The URL without user info and credential-like query parameters (a base for links)."""
    try:
        p = urlsplit(url)
    except ValueError:
        return _fallback(url)
    return urlunsplit((p.scheme, _netloc(p.netloc, False), p.path,
                       _query(p.query, False, False), p.fragment))


def has_credentials(url: str) -> bool:
    """Whether the URL carries user info or a credential-like query parameter."""
    return redact_url(url) != url


def redact_text(text: str) -> str:
    """A message with every URL in it redacted."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)


def _fallback(url: str) -> str:
    """For a URL urlsplit refuses: mask anything before an @ and every query value."""
    url = re.sub(r"(://)[^/@\s]*@", r"\1" + MASK + "@", url)
    return re.sub(r"([?&][^=&#\s]+)=[^&#\s]*", r"\1=" + MASK, url)
