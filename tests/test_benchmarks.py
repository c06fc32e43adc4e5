"""The benchmark scripts run (quick mode), so they cannot rot unnoticed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow  # every benchmark at small sizes, in a subprocess: ~30 s
def test_quick_benchmarks_run_and_report(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--quick",
                           "--output", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    text = out.read_text("utf-8")
    for section in ("## Ingest vs parse", "## Matcher scaling", "## Dense text", "## Poll cycle",
                    "## Memory", "## Digest at scale", "## Full-text search",
                    "## Stories at scale", "## CLI start-up", "## Rescan at scale"):
        assert section in text, section
    assert "CPUs" in text and "target" in text and "without placement" in text
    assert str(ROOT) not in text  # no paths of the machine it ran on
