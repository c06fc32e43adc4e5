"""Digest renderers: table (terminal), Markdown, JSON and Atom, from digest rows.

Every piece of text from an article is untrusted: it goes through
terminal.clean() (monitor.inert: dropped) in the text formats, then Markdown or XML
escaping; JSON goes through inert.dumps() (escaped one-for-one).
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from typing import Any

import click

from . import __version__, inert
from .dates import now_rfc3339
from .digest import Row
from .terminal import clean, truncate

COLOURS: dict[str, dict[str, Any]] = {  # severity -> click.style arguments
    "critical": {"fg": "red", "bold": True},
    "high": {"fg": "red"},
    "medium": {"fg": "yellow"},
    "low": {},
}
FEED_ID = "urn:libya-monitor:digest"


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def render_json(rows: list[Row]) -> str:
    """The contract's JSON: one array of alerts (one per story)."""
    return inert.dumps([r.as_json() for r in rows])


def render_table(rows: list[Row], width: int = 100, colour: bool = False) -> str:
    """A table as wide as the terminal; severity in colour when `colour`."""
    if not rows:
        return "No alerts."
    cols = (("ALERT", 18), ("FIRST SEEN (UTC)", 18), ("SEV", 9), ("SRC", 4))
    fixed = sum(w for _, w in cols)
    title_w = max(20, width - fixed)
    lines = ["".join(f"{h:<{w}}" for h, w in cols) + truncate("TITLE / ACTORS / EVENTS", title_w)]
    pad = " " * fixed
    for r in rows:
        a = r.alert
        seen = (r.story.get("first_seen_at") or r.first_seen_at)[:16].replace("T", " ")
        sev = f"{r.severity:<9}"
        if colour:
            sev = click.style(sev, **COLOURS.get(r.severity, {}))
        title = truncate(clean(r.headline), title_w)
        lines.append(f"{a['id']:<18}{seen:<18}{sev}{r.story.get('sources', 1):<4}{title}")
        # Ids are wrapped, never cut: every actor and event stays readable.
        for label, key in (("actors: ", "actors"), ("events: ", "events")):
            if r.ids(key):
                lines.extend(pad + line for line in textwrap.wrap(
                    label + ", ".join(r.ids(key)), title_w, subsequent_indent=" " * len(label),
                    break_long_words=True))
    return "\n".join(lines)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(text: str) -> str:
    """Escape Markdown syntax in untrusted text."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


def render_markdown(rows: list[Row]) -> str:
    """One section per story."""
    if not rows:
        return "_No alerts._\n"
    out = [f"# Libya monitor digest ({_plural(len(rows), 'story', 'stories')})", ""]
    for r in rows:
        a = r.alert
        art = a["article"]
        title = md_escape(r.headline)
        url = art.get("url")
        head = f"[{title}](<{clean(url).replace('>', '%3E')}>)" if url else title
        out.append(f"## {r.severity.upper()} · {head}")
        out.append("")
        st = r.story
        langs = ", ".join(st.get("languages") or []) or "?"
        out.append(f"- **Story:** `{st.get('id', a['story_id'])}` · "
                   f"{_plural(st.get('articles', 1), 'report')} · "
                   f"{_plural(st.get('sources', 1), 'outlet')} · languages {langs} · "
                   f"first report {st.get('first_report_at') or r.first_seen_at} · latest "
                   f"{st.get('last_report_at') or r.first_seen_at}")
        out.append(f"- **Alert:** `{a['id']}` · score {a['score']:.2f} · "
                   f"source {md_escape(art['source'])}")
        if r.ids("actors"):
            out.append("- **Actors:** " + md_escape(", ".join(r.ids("actors"))))
        if r.ids("events"):
            out.append("- **Events:** " + md_escape(", ".join(r.ids("events"))))
        ev = next((e for e in a["evidence"] if e["kind"] != "context"), None)
        if ev:
            out.append(f"- **Evidence:** {md_escape(ev['snippet'])}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# Characters XML 1.0 forbids even escaped (clean() already drops C0 controls).
_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")
ATOM = "http://www.w3.org/2005/Atom"


def _x(text: object) -> str:
    return _NOT_XML.sub("", clean(text))


def render_atom(rows: list[Row], updated: str | None = None) -> str:
    """An Atom 1.0 feed: one entry per story (ElementTree escapes the text)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", FEED_ID)
    sub(feed, "title", "Libya monitor digest")
    sub(feed, "updated", updated or (rows[0].story.get("last_seen_at") if rows else None)
        or now_rfc3339())
    sub(sub(feed, "author"), "name", "libya-monitor")
    sub(feed, "generator", "libya-monitor", version=__version__)
    for r in rows:
        a, art = r.alert, r.alert["article"]
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:libya-monitor:alert:{a['id']}")
        sub(entry, "title", f"[{r.severity}] {_x(r.headline)}")
        sub(entry, "updated", r.story.get("last_seen_at") or r.first_seen_at)
        sub(entry, "published", r.story.get("first_seen_at") or r.first_seen_at)
        if art.get("url"):
            sub(entry, "link", href=_x(art["url"]), rel="alternate")
        sub(entry, "category", term=r.severity, label="severity")
        for x in a["actors"] + a["events"]:
            sub(entry, "category", term=x["id"], label=_x(x["name"]))
        ev = next((e for e in a["evidence"] if e["kind"] != "context"), None)
        summary = (f"{_plural(r.story.get('sources', 1), 'source')}; actors: "
                   f"{', '.join(r.ids('actors')) or '-'}; events: "
                   f"{', '.join(r.ids('events')) or '-'}"
                   + (f". {_x(ev['snippet'])}" if ev else ""))
        sub(entry, "summary", summary, type="text")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"
