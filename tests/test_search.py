"""monitor search: the FTS5 index catches up before a search, BM25 order, snippets, filters, errors.

Every article here is SYNTHETIC (written for these tests), except the seed.
"""

from __future__ import annotations

import json

import pytest
from conftest import SEED

from monitor import search
from monitor.store import open_db

# SYNTHETIC articles: (title, text). The Arabic ones are written with and without
# harakat; the French ones with and without accents.
ARTICLES = {
    "dams": ("Derna dams collapse after Storm Daniel",
             "Two dams above Derna in eastern Libya burst after Storm Daniel, officials of the "
             "Presidential Council said, and floods swept through the city."),
    "dams_body": ("Flood relief reaches eastern Libya",
                  "Aid convoys reached Benghazi on Monday. Engineers had warned for years "
                  "that the Derna dams needed repair, the Red Crescent said."),
    "ar_vocalised": ("سُيُول دَرْنَة",
                     "قَالَ مَسْؤُولُونَ إِنَّ اِنْهِيَار السَّدَّيْنِ فِي مَدِينَة دَرْنَة "
                     "أَدَّى إِلَى فَيَضَانَات، وأعلن المجلس الرئاسي الحداد."),
    "ar_bare": ("اشتباكات في طرابلس",
                "قال شهود إن اشتباكات مسلحة اندلعت في طرابلس بين قوات حكومة الوحدة الوطنية "
                "وجماعة مسلحة."),
    "fr_accents": ("Élection présidentielle reportée à Tripoli",
                   "La Haute Commission électorale a annoncé que l'élection prévue à Tripoli "
                   "est reportée, selon le Gouvernement d'unité nationale."),
    "fr_bare": ("Manifestation a Benghazi",
                "Des centaines de manifestants se sont reunis a Benghazi pour reclamer des "
                "elections, selon des temoins."),
    "unflagged": ("Weather in Malta", "Sunny days ahead for Valletta and the Derna-born chef "
                                      "who opened a restaurant there."),
    "hostile": ("Derna \x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \u202enotice",
                "Report on Derna \x1b[31mred\x1b[0m and \u202eevil\u202c text about the dams "
                "of Derna, Libya, where the Libyan National Army of Haftar patrols."),
}


@pytest.fixture
def stored(project, run, tmp_path):
    """A project with the seed and the synthetic articles ingested; returns search(*args)."""
    cfg = project()
    f = tmp_path / "synthetic.jsonl"
    f.write_text("".join(json.dumps({"title": t, "text": x,
                                     "url": f"https://synthetic.example/{k}"}) + "\n"
                         for k, (t, x) in ARTICLES.items()), "utf-8")
    r = run("ingest", str(f), str(SEED), config=cfg)
    assert r.exit_code == 0, r.output

    def do(*args: str):
        return run("search", *args, config=cfg)

    do.cfg = cfg  # type: ignore[attr-defined]
    return do


def urls(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [h["article"]["url"] for h in json.loads(result.output)]


def key(k: str) -> str:
    return f"https://synthetic.example/{k}"


def test_search_indexes_what_ingest_stored_first(stored, tmp_path):
    db = open_db(tmp_path / "state" / "monitor.db")
    n = db.table("articles").count
    assert n == len(ARTICLES) + 1
    # ingest stores articles and alerts; the index catches up afterwards
    assert db.execute("select count(*) from articles_fts").fetchone()[0] == 0
    assert key("dams") in urls(stored("derna", "--format", "json"))
    assert db.execute("select count(*) from articles_fts").fetchone()[0] == n
    ids = {r[0] for r in db.execute("select article_id from articles_fts")}
    assert ids == {r[0] for r in db.execute("select id from articles")}


def test_title_match_ranks_first_and_snippet_marks_the_words(stored):
    r = stored("derna dams", "--format", "json")
    found = urls(r)
    assert found[0] == key("dams")  # both words in the title and the body
    assert key("dams_body") in found
    hit = json.loads(r.output)[0]
    assert hit["alert"]["severity"] and "presidential_council" in hit["alert"]["actors"]
    words = {hit["snippet"][s:e] for s, e in hit["highlights"]}
    assert words == {"Derna", "dams"}
    table = stored("derna dams")
    assert "**Derna**" in table.output and "**dams**" in table.output
    assert "Derna dams collapse after Storm Daniel" in table.output


def test_the_seed_is_found(stored):
    r = stored("Haftar ceasefire", "--format", "json")
    (hit,) = [h for h in json.loads(r.output) if h["article"]["url"] is None]
    assert hit["article"]["title"].startswith("US officials push Libya")


@pytest.mark.parametrize("query,expected", [
    ("درنة", "ar_vocalised"),  # bare query, vocalised text
    ("دَرْنَة", "ar_vocalised"),  # vocalised query, vocalised text
    ("طَرَابُلُس", "ar_bare"),  # vocalised query, bare text
    ("اشتباكات", "ar_bare"),
    ("election", "fr_accents"),  # no accents in the query, accents in the text
    ("ÉLECTION", "fr_accents"),
    ("élections", "fr_bare"),  # accents in the query, none in the text
    ("réunis", "fr_bare"),
])
def test_diacritics_are_ignored_both_ways(stored, query, expected):
    assert key(expected) in urls(stored(query, "--format", "json"))


def test_arabic_snippet_marks_the_vocalised_word(stored):
    hit = json.loads(stored("درنة", "--format", "json").output)[0]
    assert {hit["snippet"][s:e] for s, e in hit["highlights"]} == {"دَرْنَة"}


def test_fts_syntax_works(stored):
    assert urls(stored('"dams above Derna"', "--format", "json")) == [key("dams")]
    assert key("dams") in urls(stored("dam*", "--format", "json"))
    assert urls(stored("title:relief", "--format", "json")) == [key("dams_body")]
    found = urls(stored("derna NOT libya", "--format", "json"))
    assert key("unflagged") in found and key("dams") not in found
    assert set(urls(stored("Valletta OR convoys OR reunis", "--format", "json"))) == {
        key("unflagged"), key("dams_body"), key("fr_bare")}


def test_filters(stored):
    everything = urls(stored("derna", "--format", "json"))
    assert key("unflagged") in everything
    flagged = urls(stored("derna", "--alerts-only", "--format", "json"))
    assert key("unflagged") not in flagged and key("dams") in flagged
    assert urls(stored("derna", "--actor", "haftar", "--format", "json")) == [key("hostile")]
    assert key("dams") in urls(stored("derna", "--event", "disaster", "--format", "json"))
    assert urls(stored("derna", "--since", "2999-01-01", "--format", "json")) == []
    assert len(urls(stored("derna", "--since", "24h", "--format", "json"))) == len(everything)
    assert len(urls(stored("derna", "--limit", "1", "--format", "json"))) == 1
    r = stored("derna", "--actor", "nobody")
    assert r.exit_code == 2 and "unknown id 'nobody'" in r.output


@pytest.mark.parametrize("query", ['"unclosed', "al-Sarraj", "AND", "Libya's", "(derna"])
def test_bad_query_syntax_is_a_clear_error(stored, query):
    r = stored(query)
    assert r.exit_code == 2
    assert "bad search query" in r.stderr and "double quotes" in r.stderr
    assert "Traceback" not in r.output and r.stdout == ""


def test_snippets_and_titles_are_inert(stored):
    for fmt in ("table", "json"):
        r = stored("derna patrols", "--format", fmt)
        assert r.exit_code == 0, r.output
        assert "Derna" in r.output
        for bad in ("\x1b", "\x07", "\u202e", "\u202c"):
            assert bad not in r.output, (fmt, repr(bad))
    hit = json.loads(stored("derna patrols", "--format", "json").output)[0]
    assert hit["article"]["url"] == key("hostile")
    assert "**patrols**" in search.marked(hit["snippet"], hit["highlights"])
    assert "red and evil text" in hit["snippet"] and "[31m" not in hit["snippet"]


def test_no_hits(stored):
    r = stored("zanzibar")
    assert r.exit_code == 0 and r.output.strip() == "No articles found."
    assert urls(stored("zanzibar", "--format", "json")) == []


def test_existing_database_is_backfilled(stored, tmp_path):
    path = tmp_path / "state" / "monitor.db"
    db = open_db(path)
    db.execute("drop table articles_fts")  # as before m008: no index, no triggers
    db.execute("drop table search_state")
    for t in ("ai", "ad", "au"):
        db.execute(f"drop trigger if exists articles_fts_{t}")
    db.execute("delete from _sqlite_migrations where name in ('m008_search', "
               "'m010_search_after_ingest')")
    db.conn.commit()
    db.conn.close()
    assert key("dams") in urls(stored("derna", "--format", "json"))  # m008 runs: backfill
    db = open_db(path)
    assert db.execute("select count(*) from articles_fts").fetchone()[0] == len(ARTICLES) + 1
    names = {r[0] for r in db.execute("select name from sqlite_master where type='trigger'")}
    assert "articles_fts_ai" not in names and {"articles_fts_ad", "articles_fts_au"} <= names


def test_query_folding_keeps_operators():
    assert search.fts_query('Élection OR "Dérna Dams" NOT title:Haftar*') == (
        'election OR "derna dams" NOT title:haftar*')
    assert search.terms('Élection OR "Dérna" NOT title:Haftar* NEAR(a b)') == [
        ("election", False), ("derna", False), ("haftar", True), ("a", False), ("b", False)]
