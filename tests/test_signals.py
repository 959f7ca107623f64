"""The learning loop: signals with an append-only history, forbidden moves, "opnieuw gezien",
survival across reindex, and export/import."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from ingest.runner import ingest, reindex
from kb.errors import InvalidInput, LeerlusError
from kb.knowledge import KnowledgeBase
from kb.signals import STATUSES, TRANSITIONS
from kb.userdata import SignalEvent

THIS_MONTH = datetime.now(UTC).strftime("%Y-%m")


def _signal(kb: KnowledgeBase, **overrides: object) -> int:
    fields: dict[str, object] = {
        "titel": "Zorgkantoor en gemeente verwijzen bij logeeropvang naar elkaar",
        "adressaat": "zorgkantoor",
        "blokkades": ["grens.jeugdwet-wlz"],
        "casussen": ["2022-09-wlz-indicatie"],
        "wie": "Manager Utrecht",
    }
    fields.update(overrides)
    return kb.create_signal(**fields).id


def _returning_case(kb: KnowledgeBase, datum: str) -> None:
    (kb.settings.content_dir / f"{datum}-terug.md").write_text(
        f"""---
titel: "Opnieuw discussie over de Wlz"
soort: casusbespreking
datum: {datum}
hulpvraag: levenslange-beperking
blokkades: [grens.jeugdwet-wlz]
---

Het team bespreekt het gezin opnieuw aan de casustafel.
""",
        encoding="utf-8",
    )


def test_full_path_is_kept_in_history(ingested: KnowledgeBase) -> None:
    signal_id = _signal(ingested)
    assert ingested.signal(signal_id).status == "nieuw"
    for naar in ("geagendeerd", "in-behandeling", "opgelost"):
        ingested.move_signal(signal_id, naar, "Beleidsadviseur", f"naar {naar}")
    shown = ingested.signal(signal_id)
    assert shown.status == "opgelost" and shown.status_label == "Opgelost"
    moves = [(e.soort, e.van, e.naar, e.wie) for e in shown.geschiedenis]
    assert moves == [
        ("aangemaakt", None, "nieuw", "Manager Utrecht"),
        ("status", "nieuw", "geagendeerd", "Beleidsadviseur"),
        ("status", "geagendeerd", "in-behandeling", "Beleidsadviseur"),
        ("status", "in-behandeling", "opgelost", "Beleidsadviseur"),
    ]
    assert shown.toegestaan == ["geagendeerd"]


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [((), "opgelost"), ((), "in-behandeling"), (("geagendeerd",), "nieuw"), (("geagendeerd",), "opgelost")],
)
def test_forbidden_transitions_are_refused_and_leave_no_trace(
    ingested: KnowledgeBase, path: tuple[str, ...], forbidden: str
) -> None:
    signal_id = _signal(ingested)
    for naar in path:
        ingested.move_signal(signal_id, naar, "Manager")
    before = ingested.signal(signal_id)
    with pytest.raises(LeerlusError) as refused:
        ingested.move_signal(signal_id, forbidden, "Manager", "probeer")
    assert refused.value.status == 409 and refused.value.code == "ongeldige-overgang"
    assert "kan niet naar" in refused.value.detail
    after = ingested.signal(signal_id)
    assert (after.status, len(after.geschiedenis)) == (before.status, len(before.geschiedenis))


def test_every_status_is_reachable_and_only_declared_moves_work(ingested: KnowledgeBase) -> None:
    reachable = {"nieuw"}
    frontier = ["nieuw"]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(STATUSES)


def test_giving_up_needs_a_reason(ingested: KnowledgeBase) -> None:
    signal_id = _signal(ingested)
    with pytest.raises(InvalidInput, match="licht toe"):
        ingested.move_signal(signal_id, "niet-opgepakt", "Manager")
    moved = ingested.move_signal(signal_id, "niet-opgepakt", "Manager", "Geen eigenaar gevonden bij het zorgkantoor")
    assert moved.status == "niet-opgepakt"


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"titel": "  "}, "titel is verplicht"),
        ({"adressaat": "paus"}, "adressaat 'paus' is onbekend"),
        ({"blokkades": []}, "ten minste één blokkade"),
        ({"blokkades": ["grens.bestaat-niet"]}, "onbekende blokkade"),
        ({"casussen": ["2099-01-nergens"]}, "onbekende casus"),
        ({"wie": ""}, "naam (wie) is verplicht"),
    ],
)
def test_bad_signals_are_refused_in_dutch(ingested: KnowledgeBase, overrides: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        _signal(ingested, **overrides)
    assert ingested.signals() == []


def test_a_lesson_becomes_one_signal_only(ingested: KnowledgeBase) -> None:
    _signal(ingested, bron_les="2022-09-wlz-indicatie#1")
    with pytest.raises(LeerlusError, match="al een signaal") as refused:
        _signal(ingested, bron_les="2022-09-wlz-indicatie#1")
    assert refused.value.status == 409


def test_resolved_blocker_that_returns_is_flagged(ingested: KnowledgeBase) -> None:
    signal_id = _signal(ingested)
    _returning_case(ingested, "2020-01-15")  # older than the resolution: not a return
    assert ingest(ingested).ok
    for naar in ("geagendeerd", "in-behandeling", "opgelost"):
        ingested.move_signal(signal_id, naar, "Beleidsadviseur")
    assert ingested.signal(signal_id).opnieuw_gezien == []

    _returning_case(ingested, THIS_MONTH)
    report = ingest(ingested)
    assert report.seen_again == [(signal_id, f"{THIS_MONTH}-terug")]
    shown = ingested.signal(signal_id)
    assert shown.opnieuw_gezien == [f"{THIS_MONTH}-terug"]
    assert shown.geschiedenis[-1].soort == "opnieuw-gezien" and shown.geschiedenis[-1].wie == "Leerlus"
    assert ingest(ingested).seen_again == []  # checked once, recorded once

    ingested.move_signal(signal_id, "geagendeerd", "Beleidsadviseur", "Komt terug: opnieuw op de agenda")
    assert ingested.signal(signal_id).opnieuw_gezien == []


def test_signals_survive_reindex_and_round_trip_through_export(ingested: KnowledgeBase) -> None:
    signal_id = _signal(ingested)
    ingested.move_signal(signal_id, "geagendeerd", "Manager")
    reindex(ingested)
    assert ingested.signal(signal_id).status == "geagendeerd"

    exported = json.loads(json.dumps(ingested.export_userdata()))
    assert ingested.import_userdata(exported) == {"zoekopdrachten": 0, "signalen": 0, "overgeslagen": 1}
    with Session(ingested.engine) as session:
        for event in session.exec(select(SignalEvent)).all():
            session.delete(event)
        session.commit()
    with Session(ingested.engine) as session:
        from kb.userdata import Signal

        session.delete(session.get(Signal, signal_id))
        session.commit()
    assert ingested.signals() == []
    assert ingested.import_userdata(exported)["signalen"] == 1
    (restored,) = ingested.signals()
    assert (restored.titel, restored.status) == (
        "Zorgkantoor en gemeente verwijzen bij logeeropvang naar elkaar",
        "geagendeerd",
    )
    assert [e.naar for e in restored.geschiedenis] == ["nieuw", "geagendeerd"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"formaat": "iets"}, "geen Leerlus-export"),
        ({"formaat": "leerlus-gebruikersdata", "versie": 1, "signalen": [{}]}, "onvolledig"),
    ],
)
def test_bad_import_is_refused_and_changes_nothing(
    ingested: KnowledgeBase, data: dict[str, object], fragment: str
) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        ingested.import_userdata(data)
    assert ingested.signals() == []


def test_user_tables_of_version_1_are_migrated_in_place(tmp_path: object) -> None:
    import sqlite3
    from pathlib import Path

    from kb.db import make_engine
    from kb.migrations import head, legacy, status
    from kb.userdata import Signal

    path = Path(str(tmp_path)) / "oud.sqlite3"
    with sqlite3.connect(path) as old:  # the signal table as version 1 made it, without uid
        old.executescript(
            """
            CREATE TABLE leerlus_meta (key VARCHAR(50) PRIMARY KEY, value VARCHAR NOT NULL);
            INSERT INTO leerlus_meta VALUES ('schema', '2'), ('gebruikersdata', '1');
            CREATE TABLE signal (id INTEGER PRIMARY KEY, titel VARCHAR(300) NOT NULL, toelichting TEXT NOT NULL,
                blokkades JSON, casussen JSON, adressaat VARCHAR(100) NOT NULL, status VARCHAR(30) NOT NULL,
                bron_les VARCHAR(300), aangemaakt DATETIME NOT NULL, gewijzigd DATETIME NOT NULL);
            INSERT INTO signal VALUES (7, 'Oud signaal', '', '[]', '[]', 'zorgkantoor', 'nieuw', NULL,
                '2025-01-01 10:00:00', '2025-01-01 10:00:00');
            """
        )
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        (signal,) = session.exec(select(Signal)).all()
        assert (signal.id, signal.titel, len(signal.uid)) == (7, "Oud signaal", 32)
        from kb.models import Meta

        assert session.get(Meta, "gebruikersdata").value == legacy.LAST_USER_SCHEMA  # type: ignore[union-attr]
    assert status(engine).current == head()  # adopted: alembic takes over from here
    engine.dispose()
