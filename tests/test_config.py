import pytest
from conftest import ROOT, default_raw_config, dump_toml

from monitor.config import ConfigError, build_config, load_config, parse_duration


def test_default_config_is_valid(tmp_path):
    # A scratch database: building the watchlist caches variants beside it.
    cfg = load_config(ROOT / "config.toml", str(tmp_path / "monitor.db"))
    assert cfg.database == tmp_path / "monitor.db"
    assert load_config(ROOT / "config.toml").database.name == "monitor.db"
    assert cfg.watchlist.actors and cfg.watchlist.events
    assert all(f.interval > 0 for f in cfg.feeds)


def test_unknown_keys_are_errors_naming_the_key(tmp_path):
    raw = default_raw_config()
    raw["storage"]["databse"] = "x.db"
    raw["feeds"] = [{"url": "https://e.org/rss", "intervall": "5m"}]
    with pytest.raises(ConfigError) as e:
        build_config(raw, tmp_path / "c.toml")
    text = "\n".join(e.value.problems)
    assert "storage: unknown key 'databse'" in text
    assert "feeds[0]: unknown key 'intervall'" in text


def test_every_problem_is_reported_with_its_key_path(tmp_path):
    raw = default_raw_config()
    raw["schedule"] = {"default_interval": "soon"}
    raw["seeds"] = {"paths": "seeds"}
    with pytest.raises(ConfigError) as e:
        build_config(raw, tmp_path / "c.toml")
    keys = [p.split(":")[0] for p in e.value.problems]
    assert "schedule.default_interval" in keys and "seeds.paths" in keys


def test_duplicate_ids_and_bad_dates(tmp_path):
    raw = {"watchlist": {"actors": [
        {"id": "x", "aliases": ["a"]},
        {"id": "x", "aliases": [{"text": "b", "from": "2021-13-45"}]}]}}
    with pytest.raises(ConfigError) as e:
        build_config(raw, tmp_path / "c.toml")
    text = "\n".join(e.value.problems)
    assert "duplicate id 'x'" in text and "aliases[0].from" in text


def test_empty_sources_are_valid_and_paths_are_relative_to_config(tmp_path):
    (tmp_path / "sub").mkdir()
    p = tmp_path / "sub" / "c.toml"
    p.write_text(dump_toml({"storage": {"database": "db/m.db"}, "seeds": {"paths": []}}))
    cfg = load_config(p)
    assert cfg.feeds == () and cfg.seed_paths == ()
    assert cfg.database == tmp_path / "sub" / "db" / "m.db"


def test_db_override_and_env(tmp_path, monkeypatch):
    p = tmp_path / "c.toml"
    p.write_text("")
    assert load_config(p, str(tmp_path / "o.db")).database == tmp_path / "o.db"
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "e.db"))
    assert load_config(p).database == tmp_path / "e.db"


def test_bad_toml_and_missing_file(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[storage\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(p)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "none.toml")


def test_durations():
    assert parse_duration("30s") == 30 and parse_duration("15m") == 900
    assert parse_duration("1h") == 3600 and parse_duration("1.5d") == 129600
    with pytest.raises(ValueError):
        parse_duration("5 minutes")
