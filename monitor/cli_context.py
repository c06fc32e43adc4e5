"""What every command shares: the lazily loaded config and database, id checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .config import Config


class Context:
    def __init__(self, config: str | None, db: str | None) -> None:
        self.config_option = config
        self.db_option = db
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            # Imported here: `monitor --help` needs no config, schema or database code.
            from .config import config_path, load_config

            self._config = load_config(config_path(self.config_option), self.db_option)
        return self._config

    def db(self) -> Any:
        from . import store

        return store.open_db(self.config.database, own_dir=self.config.owns_state_dir)


pass_ctx = click.make_pass_decorator(Context)


def check_ids(option: str, given: tuple[str, ...], known: set[str]) -> None:
    bad = [g for g in given if g not in known]
    if bad:
        raise click.BadParameter(f"unknown id {', '.join(map(repr, bad))}; known: "
                                 + ", ".join(sorted(known)), param_hint=option)


def exit_with(code: int) -> None:
    click.get_current_context().exit(code)
