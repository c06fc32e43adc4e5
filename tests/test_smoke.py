import json

from conftest import SEED


def test_seed_article_is_flagged(project, run, tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / SEED.name).write_bytes(SEED.read_bytes())
    cfg = project(seeds=["seeds"])
    r = run("once", config=cfg)
    assert r.exit_code == 0, r.output
    assert "1 alerts" in r.output
    alerts = json.loads(run("digest", "--all", "--format", "json", config=cfg).output)
    assert len(alerts) == 1
    assert "haftar" in {a["id"] for a in alerts[0]["actors"]}
