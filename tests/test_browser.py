"""The web view in a real browser: `monitor serve` as a subprocess, pages in headless Chromium.

Skipped when Chromium is not installed, except with CI=true (.ci/run installs it).
"""

from __future__ import annotations

import os
import urllib.parse

import pytest
from browser import CHROMIUM, Served, chromium
from conftest import SEED
from test_web import ARABIC, SEED_TITLE, make_project

from monitor.web import app

IN_CI = os.environ.get("CI") == "true"
pytestmark = pytest.mark.skipif(
    not IN_CI and (CHROMIUM is None or not app.available()),
    reason="needs Debian's chromium package (apt-get install chromium) and the web extra "
           "(pip install -e '.[web]')")


def test_stories_page_and_search_in_chromium(tmp_path):
    assert CHROMIUM, "CI=true but chromium is not installed (.ci/run installs it)"
    assert SEED.exists()
    cfg, _ = make_project(tmp_path)
    profile = tmp_path / "profile"
    with Served("--config", str(cfg)) as s:
        dom = chromium(s.url("/monitor/story_view"), profile)
        assert "<h1" in dom and "Stories" in dom
        assert SEED_TITLE in dom  # the seed's alert, as a story row
        assert ARABIC["title"] in dom
        assert "haftar" in dom  # the seed's actor
        assert 'id="facet-actors"' in dom and 'id="facet-severity"' in dom  # the facets

        found = chromium(s.url("/monitor/search?q=" + urllib.parse.quote("Haftar")), profile)
        assert SEED_TITLE in found and "<mark>Haftar</mark>" in found
        assert ARABIC["title"] not in found

        shot = tmp_path / "stories.png"
        chromium(s.url("/monitor/story_view"), profile, screenshot=shot)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
