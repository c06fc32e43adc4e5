"""The README stays honest: every command and option is documented there."""

import re

from conftest import ROOT

from monitor.cli import cli

README = (ROOT / "README.md").read_text("utf-8")


def test_every_command_has_a_section():
    missing = [name for name in cli.commands if not re.search(rf"^### monitor {name}\b", README,
                                                              re.M)]
    assert missing == []


def test_every_option_is_mentioned():
    missing = []
    for name, cmd in cli.commands.items():
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in README:
                    missing.append(f"{name} {opt}")
    assert missing == []


def test_readme_mentions_the_make_targets():
    for target in ("make run", "make test"):
        assert target in README
