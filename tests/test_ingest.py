"""Incremental ingest, reindex and doctor, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from ingest.doctor import check
from ingest.runner import ingest, reindex
from kb.knowledge import KnowledgeBase
from kb.search import make_request

CASE = """---
titel: {titel}
soort: casusbespreking
datum: 2024-05
blokkades: [aanbod.wachtlijst]
---
{body}
"""


def write(dir_: Path, name: str, titel: str = "Nieuwe casus", body: str = "Een wachtlijst.") -> Path:
    path = dir_ / name
    path.write_text(CASE.format(titel=titel, body=body), encoding="utf-8")
    return path


def ids(kb: KnowledgeBase, query: str = "") -> set[str]:
    return {h.id for h in kb.search(make_request(query=query, limit=100)).hits}


def test_first_ingest_stores_everything_and_doctor_is_clean(kb: KnowledgeBase) -> None:
    report = ingest(kb)
    assert report.ok
    assert sorted(report.added) == sorted(p.stem for p in kb.settings.content_dir.glob("*.md"))
    assert set(kb.stored_files()) == {p.name for p in kb.settings.content_dir.glob("*.md")}
    assert ids(kb) == set(report.added)
    assert check(kb) == []


def test_unknown_link_is_warned(kb: KnowledgeBase) -> None:
    report = ingest(kb)
    warnings = [str(i) for i in report.issues if not i.is_error]
    assert any("2024-11-achttien-plus.md" in w and "onbekende casus '2019-01-bestaat-niet'" in w for w in warnings)


def test_second_run_skips_unchanged(ingested: KnowledgeBase) -> None:
    report = ingest(ingested)
    assert (report.added, report.updated, report.removed) == ([], [], [])
    assert report.unchanged == 4


def test_add_change_delete(ingested: KnowledgeBase) -> None:
    content = ingested.settings.content_dir
    write(content, "2025-01-nieuw.md", body="Een kangoeroe op de wachtlijst.")
    write(content, "2023-02-schulden-huur.md", titel="Gewijzigd", body="Nu over een giraffe.")
    (content / "2021-05-thuiszitter-swv.md").unlink()
    report = ingest(ingested)
    assert report.ok
    assert report.added == ["2025-01-nieuw"]
    assert report.updated == ["2023-02-schulden-huur"]
    assert report.removed == ["2021-05-thuiszitter-swv"]
    assert report.unchanged == 2
    assert ids(ingested, "kangoeroe") == {"2025-01-nieuw"}
    assert ids(ingested, "giraffe") == {"2023-02-schulden-huur"}
    assert ids(ingested, "huurachterstand") == set()
    assert "2021-05-thuiszitter-swv" not in ids(ingested)
    assert ingested.case("2023-02-schulden-huur").titel == "Gewijzigd"
    assert check(ingested) == []


def test_broken_file_between_good_ones(kb: KnowledgeBase) -> None:
    content = kb.settings.content_dir
    (content / "2022-10-kapot.md").write_text("---\ntitel: [\n---\n", encoding="utf-8")
    (content / "2022-11-binair.md").write_bytes(b"---\ntitel: \xff\xfe\n---\n")
    report = ingest(kb)
    assert not report.ok
    assert [Path(p).name for p in report.failed] == ["2022-10-kapot.md", "2022-11-binair.md"]
    assert len(report.added) == 4
    errors = [str(i) for i in report.issues if i.is_error]
    assert any("2022-10-kapot.md:2: ongeldige YAML" in e for e in errors)
    assert any("2022-11-binair.md:2: bestand is geen geldige UTF-8" in e for e in errors)
    # The broken files are drift until they are fixed; the good ones are stored.
    kinds = {(Path(d.subject).name, d.kind) for d in check(kb)}
    assert kinds == {
        ("2022-10-kapot.md", "niet-ingelezen"),
        ("2022-11-binair.md", "niet-ingelezen"),
    }


def test_file_that_becomes_invalid_is_taken_out(ingested: KnowledgeBase) -> None:
    content = ingested.settings.content_dir
    (content / "2023-02-schulden-huur.md").write_text("---\ntitel: X\n---\n", encoding="utf-8")
    report = ingest(ingested)
    assert not report.ok
    assert "2023-02-schulden-huur" not in ids(ingested)
    assert any("niet meer geldig" in str(i) for i in report.issues)


def test_duplicate_ids_reported_with_both_paths(ingested: KnowledgeBase) -> None:
    content = ingested.settings.content_dir
    dup = content / "a-kopie.md"
    dup.write_text(
        "---\nid: 2022-09-wlz-indicatie\ntitel: Kopie\nsoort: escalatie\ndatum: 2020-01\n---\nx",
        encoding="utf-8",
    )
    report = ingest(ingested)
    assert not report.ok
    message = next(str(i) for i in report.issues if "komt ook voor" in str(i))
    assert "a-kopie.md" in message and "2022-09-wlz-indicatie.md" in message
    assert ingested.case("2022-09-wlz-indicatie").titel.startswith("Meisje (7)")


def test_renamed_file_keeps_its_id(ingested: KnowledgeBase) -> None:
    content = ingested.settings.content_dir
    (content / "2024-11-achttien-plus.md").rename(content / "elders.md")
    report = ingest(ingested)
    # Without an explicit id the id follows the file name.
    assert report.added == ["elders"] and report.removed == ["2024-11-achttien-plus"]
    assert check(ingested) == []


def test_index_drift_is_found_and_repaired(ingested: KnowledgeBase) -> None:
    with ingested.index.writer() as batch:
        batch.delete(["2022-09-wlz-indicatie"])
    drift = check(ingested)
    assert [(d.kind, d.subject) for d in drift] == [("ontbreekt-index", "2022-09-wlz-indicatie")]
    report = ingest(ingested)
    assert report.updated == ["2022-09-wlz-indicatie"]
    assert check(ingested) == []


def test_deleted_file_is_drift_until_ingest(ingested: KnowledgeBase) -> None:
    (ingested.settings.content_dir / "2023-02-schulden-huur.md").unlink()
    assert [d.kind for d in check(ingested)] == ["wees-sql"]
    ingest(ingested)
    assert check(ingested) == []


def test_reindex_rebuilds(ingested: KnowledgeBase) -> None:
    report = reindex(ingested)
    assert report.ok and len(report.added) == 4 and report.unchanged == 0
    assert check(ingested) == []
    assert len(ids(ingested)) == 4


def test_links_both_ways(ingested: KnowledgeBase) -> None:
    detail = ingested.case("2022-09-wlz-indicatie")
    assert [(link.id, link.via) for link in detail.links_out] == [("2021-05-thuiszitter-swv", "verwijzing")]
    assert [link.id for link in detail.links_in] == ["2024-11-achttien-plus"]
    unknown = [link for link in ingested.case("2024-11-achttien-plus").links_out if not link.bestaat]
    assert [link.id for link in unknown] == ["2019-01-bestaat-niet"]


def test_missing_content_dir_fails(kb: KnowledgeBase, tmp_path: Path) -> None:
    report = ingest(kb, tmp_path / "bestaat-niet")
    assert not report.ok
    assert "map met casussen bestaat niet" in str(report.issues[0])
