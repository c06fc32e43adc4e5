"""A feed's own headers and credentials: read from the environment or a secrets file.

In config.toml a credential is never written inline; it names where to read it:

    headers = { "X-Api-Key" = { env = "PAID_FEED_KEY" }, "Accept-Language" = "en" }
    auth = { username = "me", password = { file = "secrets/paid-feed" } }   # Basic
    auth = { token = { env = "PAID_FEED_TOKEN" } }                           # Bearer

A secrets file holds the value alone (a trailing newline is dropped) and must
be readable by its owner only (mode 0600 or stricter). Values are read when a
feed is fetched, so a changed secret needs no restart; `monitor check` reads
them all and reports what is missing. No message here ever quotes a value.
"""

from __future__ import annotations

import base64
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .redact import is_secret_param

MAX_SECRET_BYTES = 64 * 1024  # a secrets file larger than this is not a secret
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP header name (RFC 9110)
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Headers that carry credentials by their very name; any name a key-like query
# parameter would have (X-Api-Key, X-Auth-Token) counts too.
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


class SecretError(Exception):
    """A credential that cannot be read; the message names its key path."""


@dataclass(frozen=True)
class Secret:
    """Where a value is read from: an environment variable or a file."""

    source: str  # env | file
    ref: str  # the variable's name, or the file's path (relative to the config folder)


Value = str | Secret


@dataclass(frozen=True)
class Credentials:
    """A feed's configured headers and auth (references, never the values)."""

    key: str  # the feed's key path, e.g. feeds[2]
    headers: tuple[tuple[str, Value], ...] = ()
    username: Value | None = None
    password: Secret | None = None
    token: Secret | None = None

    @property
    def empty(self) -> bool:
        return not (self.headers or self.password or self.token)


def is_credential_header(name: str) -> bool:
    low = name.lower()
    return low in _CREDENTIAL_HEADERS or is_secret_param(low.removeprefix("x-"))


def _value(raw: Any, where: str, problems: list[str], secret_only: bool) -> Value | None:
    if isinstance(raw, str):
        if secret_only:
            problems.append(f"{where}: a credential is not written inline: use "
                            "{ env = \"NAME\" } or { file = \"PATH\" } (a 0600 file)")
            return None
        return raw
    if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("env", "file"):
        source, ref = next(iter(raw.items()))
        if not isinstance(ref, str) or not ref.strip():
            problems.append(f"{where}.{source}: must be a non-empty string")
        elif source == "env" and not _ENV.match(ref):
            problems.append(f"{where}.env: not an environment variable name: {ref!r}")
        else:
            return Secret(source, ref)
        return None
    problems.append(f"{where}: must be {{ env = \"NAME\" }} or {{ file = \"PATH\" }}"
                    + ("" if secret_only else " or a plain string"))
    return None


def parse_credentials(feed: dict[str, Any], key: str, problems: list[str]) -> Credentials:
    """A feed table's `headers` and `auth` -> Credentials; shape problems appended."""
    headers: list[tuple[str, Value]] = []
    raw_headers = feed.get("headers", {})
    if not isinstance(raw_headers, dict):
        problems.append(f"{key}.headers: must be a table of header names and values")
        raw_headers = {}
    for name, raw in raw_headers.items():
        where = f"{key}.headers.{name}"
        if not _TOKEN.match(name):
            problems.append(f"{where}: not a valid HTTP header name")
            continue
        if name.lower() in ("host", "content-length", "transfer-encoding", "connection"):
            problems.append(f"{where}: set by the monitor itself, cannot be configured")
            continue
        v = _value(raw, where, problems, secret_only=is_credential_header(name))
        if v is not None:
            headers.append((name, v))
    auth = feed.get("auth")
    username: Value | None = None
    password = token = None
    if auth is not None:
        if not isinstance(auth, dict):
            problems.append(f"{key}.auth: must be a table: {{ username, password }} or "
                            "{ token }")
            auth = {}
        unknown = sorted(set(auth) - {"username", "password", "token"})
        if unknown:
            problems.append(f"{key}.auth: unknown key " + ", ".join(map(repr, unknown)))
        if "token" in auth and ("username" in auth or "password" in auth):
            problems.append(f"{key}.auth: either username and password (Basic) or token "
                            "(Bearer), not both")
        elif "token" not in auth and not ("username" in auth and "password" in auth):
            problems.append(f"{key}.auth: needs username and password (Basic), or token "
                            "(Bearer)")
        if "username" in auth:
            username = _value(auth["username"], f"{key}.auth.username", problems, False)
        for name in ("password", "token"):
            if name in auth:
                v = _value(auth[name], f"{key}.auth.{name}", problems, secret_only=True)
                if name == "password":
                    password = v if isinstance(v, Secret) else None
                else:
                    token = v if isinstance(v, Secret) else None
        if any(n.lower() == "authorization" for n, _ in headers):
            problems.append(f"{key}: auth and an Authorization header: give only one")
    return Credentials(key, tuple(headers), username, password, token)


def read(value: Value, where: str, base: Path) -> str:
    """The value itself: inline text, an environment variable, or a secrets file."""
    if isinstance(value, str):
        text = value
    elif value.source == "env":
        got = os.environ.get(value.ref)
        if got is None:
            raise SecretError(f"{where}: environment variable {value.ref} is not set")
        text = got
    else:
        text = _read_file(Path(value.ref) if Path(value.ref).is_absolute()
                          else base / value.ref, where)
    if "\r" in text or "\n" in text or "\0" in text:
        raise SecretError(f"{where}: the value holds a line break or NUL: not a header value")
    return text


def _read_file(path: Path, where: str) -> str:
    try:
        st = path.stat()
    except OSError as exc:
        raise SecretError(f"{where}: cannot read secrets file {path}: "
                          f"{exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise SecretError(f"{where}: secrets file {path} is not a regular file")
    if st.st_mode & 0o077:
        raise SecretError(f"{where}: secrets file {path} is readable by others (mode "
                          f"{stat.S_IMODE(st.st_mode):04o}): chmod 600 it")
    if st.st_size > MAX_SECRET_BYTES:
        raise SecretError(f"{where}: secrets file {path} is larger than "
                          f"{MAX_SECRET_BYTES} bytes")
    try:
        return path.read_text("utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"{where}: cannot read secrets file {path}: {exc}") from None


def request_headers(cred: Credentials, base: Path) -> dict[str, str]:
    """Every configured header, Authorization included, with its value read now."""
    out = {name: read(v, f"{cred.key}.headers.{name}", base) for name, v in cred.headers}
    if cred.token is not None:
        out["Authorization"] = "Bearer " + read(cred.token, f"{cred.key}.auth.token", base)
    elif cred.password is not None and cred.username is not None:
        user = read(cred.username, f"{cred.key}.auth.username", base)
        pw = read(cred.password, f"{cred.key}.auth.password", base)
        out["Authorization"] = "Basic " + base64.b64encode(
            f"{user}:{pw}".encode()).decode("ascii")
    return out


def problems(creds: list[Credentials], base: Path) -> list[str]:
    """What `monitor check` reports: every credential that cannot be read now."""
    out = []
    for cred in creds:
        values: list[tuple[str, Value]] = [(f"{cred.key}.headers.{n}", v)
                                           for n, v in cred.headers]
        for name in ("username", "password", "token"):
            v = getattr(cred, name)
            if v is not None:
                values.append((f"{cred.key}.auth.{name}", v))
        for where, v in values:
            try:
                read(v, where, base)
            except SecretError as exc:
                out.append(str(exc))
    return out
