"""docs/digest.md stays honest: its examples are regenerated from the seed corpus here.

Regenerate the examples in place with:  python tests/test_docs.py
Volatile parts (times, dates) are normalised; ids are stable (content hashes).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import ROOT, SEED, default_raw_config, dump_toml  # noqa: E402

from monitor.cli import cli  # noqa: E402

DOC = ROOT / "docs" / "digest.md"
COMMANDS = {  # example name -> CLI arguments
    "digest-table": ["digest", "--all"],
    "digest-markdown": ["digest", "--all", "--format", "markdown"],
    "digest-json": ["digest", "--all", "--format", "json"],
    "digest-atom": ["digest", "--all", "--format", "atom"],
    "trends": ["trends", "--days", "14"],
}
_BLOCK = re.compile(r"(<!-- example: ([\w-]+) -->\n```\w*\n)(.*?)(```)", re.S)


def normalise(text: str) -> str:
    """Fixed times and dates in place of the run's own."""
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "2019-11-25T09:30:00Z", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "2019-11-25 09:30", text)
    return re.sub(r"\d{4}-\d\d-\d\d", "2019-11-25", text)


def examples() -> dict[str, str]:
    """Run `monitor once` on the seed corpus in a scratch folder; each example's output."""
    old = Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            (Path(tmp) / "seeds").mkdir()
            shutil.copy(SEED, Path(tmp) / "seeds" / SEED.name)
            raw = default_raw_config()
            raw.pop("feeds", None)
            raw["storage"] = {"database": "state/monitor.db"}
            raw["seeds"] = {"paths": ["seeds"]}
            Path("config.toml").write_text(dump_toml(raw), "utf-8")
            runner = CliRunner()
            runner.invoke(cli, ["--config", "config.toml", "once"], catch_exceptions=False)
            out = {}
            for name, args in COMMANDS.items():
                r = runner.invoke(cli, ["--config", "config.toml", *args],
                                  catch_exceptions=False, env={"COLUMNS": "100"})
                assert r.exit_code == 0, r.output
                out[name] = normalise(r.output)
        finally:
            os.chdir(old)
    return out


def test_docs_examples_are_current():
    doc = DOC.read_text("utf-8")
    found = {m.group(2): m.group(3) for m in _BLOCK.finditer(doc)}
    for name, text in examples().items():
        assert name in found, f"docs/digest.md has no example block {name!r}"
        assert found[name] == text, (f"docs/digest.md example {name!r} is stale: "
                                     "run python tests/test_docs.py")


def test_docs_mention_every_digest_option():
    doc = DOC.read_text("utf-8")
    for opt in ("--since", "--all", "--new", "--actor", "--event", "--min-severity",
                "--limit", "--include-acked", "--format", "monitor ack", "monitor trends",
                "monitor notify", "[notify]"):
        assert opt in doc, opt


if __name__ == "__main__":
    ex = examples()
    DOC.write_text(_BLOCK.sub(lambda m: m.group(1) + ex.get(m.group(2), m.group(3)) + m.group(4),
                              DOC.read_text("utf-8")), "utf-8")
    print(f"rewrote {len(ex)} examples in {DOC}")
