"""`monitor show`: one alert, its article and why it fired, for a terminal."""

from __future__ import annotations

import textwrap
from typing import Any

from .terminal import clean


def render_alert(alert: dict[str, Any], article: dict[str, Any],
                 story: list[dict[str, Any]] | None = None) -> str:
    """The alert, the article text and each piece of evidence with its rule."""
    a = alert
    lines = [
        f"Alert {a['id']}  severity {a['severity']}  score {a['score']:.2f}",
        f"Title:      {clean(article['title'])}",
        f"Source:     {clean(article['source'])}",
        f"URL:        {clean(article.get('url') or '-')}",
        f"Published:  {article.get('published_at') or '-'}",
        f"First seen: {article.get('first_seen_at') or '-'}",
        f"Story:      {a['story_id']}",
        f"Watchlist:  {a['watchlist_version']}",
        f"Why:        {clean(a.get('reason', ''))}",
        "",
        "Actors: " + (", ".join(f"{x['id']} ({x['name']}, {x['mentions']}x)"
                               for x in a["actors"]) or "-"),
        "Events: " + (", ".join(f"{x['id']} ({x['name']}, {x['mentions']}x)"
                               for x in a["events"]) or "-"),
        "",
        "Evidence:" + (f" ({a['evidence_omitted']} more spans not listed; every mention "
                       "is counted above)" if a.get("evidence_omitted") else ""),
    ]
    for e in a["evidence"]:
        lines.append(f"  [{e['kind']}] {e['id']}: \"{clean(e['text'])}\" at {e['start']}-"
                     f"{e['end']} (alias \"{clean(e.get('alias', ''))}\")")
        if e.get("rule"):
            lines.append(f"      rule: {clean(e['rule'])}")
        lines.append(f"      {clean(e['snippet'])}")
    if story is not None:
        lines += ["", f"Story {a['story_id']}: {len(story)} article"
                  f"{'' if len(story) == 1 else 's'}"]
        for s in story:
            lines.append(f"  {s['first_seen_at'][:16].replace('T', ' ')}  "
                         f"{s['alert_id'] or '-':<18} {clean(s['source'])}")
            lines.append(f"      {clean(s['title'])}" + (f" <{clean(s['url'])}>"
                                                         if s.get("url") else ""))
    lines += ["", "Article text:"]
    body = clean(article["text"], keep_newlines=True)
    for para in body.split("\n"):
        lines.extend(textwrap.wrap(para, 100) or [""])
    return "\n".join(lines)
