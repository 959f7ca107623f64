"""The ``leerlus`` command: thin wrappers that build the knowledge base and call it.

No domain logic lives here. Every command reads :class:`kb.settings.Settings` from the
environment, prints Dutch text (or JSON with ``--json``) and exits non-zero on failure.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kb.errors import LeerlusError
from kb.knowledge import KnowledgeBase
from kb.search import make_request, parse_filter_args
from kb.settings import Settings
from leerlus import dutch
from leerlus.progress import busy, load_gate, load_pipeline

dutch.install()
app = typer.Typer(
    help="Leerlus: kennisbank voor casuïstiek in de jeugdhulp.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Antwoord als JSON.")]


def _kb(content_dir: Path | None = None) -> KnowledgeBase:
    settings = Settings()
    if content_dir is not None:
        settings = settings.model_copy(update={"content_dir": content_dir})
    return KnowledgeBase(settings)


def _print_json(data: Any) -> None:
    from leerlus.text import json_text

    sys.stdout.write(json_text(data))


STAGE_LABELS = {"lezen": "Lezen", "analyseren": "Analyseren", "opslaan": "Opslaan"}


def _run_ingest(kb: KnowledgeBase, content_dir: Path | None, rebuild: bool) -> int:
    from ingest.runner import ingest, reindex

    run = reindex if rebuild else ingest
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    ) as bar:  # fmt: skip
        task = bar.add_task("Lezen", total=None, visible=False)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=STAGE_LABELS.get(stage, stage), completed=done, total=total,
                       visible=True)  # fmt: skip

        report = run(kb, content_dir, progress=progress)
    _print_report(report)
    return 0 if report.ok else 1


def _print_report(report: Any) -> None:
    for issue in report.issues:
        err.print(str(issue), style="red" if issue.is_error else "yellow", markup=False, highlight=False)
    out.print(f"Klaar: {report.summary()}.", markup=False, highlight=False)


@app.command()
def ingest(
    content_dir: Annotated[Path | None, typer.Argument(metavar="MAP", help="Map met casussen.")] = None,
) -> None:
    """Lees nieuwe en gewijzigde casusbestanden in; verwijder wat weg is."""
    kb = _kb(content_dir)
    raise typer.Exit(_run_ingest(kb, content_dir, rebuild=False))


@app.command()
def reindex(
    content_dir: Annotated[Path | None, typer.Argument(metavar="MAP", help="Map met casussen.")] = None,
) -> None:
    """Bouw database en zoekindex opnieuw op uit de bestanden."""
    kb = _kb(content_dir)
    raise typer.Exit(_run_ingest(kb, content_dir, rebuild=True))


@app.command()
def doctor(
    content_dir: Annotated[Path | None, typer.Argument(metavar="MAP", help="Map met casussen.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Meld verschillen tussen bestanden, database en zoekindex."""
    from ingest.doctor import check

    drift = check(_kb(content_dir), content_dir)
    if as_json:
        _print_json({"ok": not drift, "afwijkingen": [d.to_dict() for d in drift]})
    elif drift:
        for item in drift:
            out.print(str(item), markup=False, highlight=False)
        out.print(f"{len(drift)} afwijking(en) gevonden; draai 'leerlus ingest' of 'leerlus reindex'.")
    else:
        out.print("Alles klopt: bestanden, database en zoekindex zijn gelijk.")
    raise typer.Exit(1 if drift else 0)


@app.command()
def search(
    query: Annotated[str, typer.Argument(metavar="ZOEKVRAAG", help="Zoekvraag.")] = "",
    filter: Annotated[list[str] | None, typer.Option("--filter", "-f", help="veld=waarde, herhaalbaar.")] = None,
    van: Annotated[str | None, typer.Option(help="Vanaf datum (JJJJ, JJJJ-MM of JJJJ-MM-DD).")] = None,
    tot: Annotated[str | None, typer.Option(help="Tot en met datum.")] = None,
    sort: Annotated[str, typer.Option(help="relevantie, datum of aangehaald (meest aangehaald eerst).")] = "relevantie",
    limit: Annotated[int, typer.Option(help="Aantal resultaten per pagina.")] = 10,
    page: Annotated[int, typer.Option(help="Paginanummer.")] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Zoek precedenten."""
    kb = _kb()
    request = make_request(
        query=query, filters=parse_filter_args(filter or []), van=van, tot=tot,
        sort=sort, page=page, limit=limit,
    )  # fmt: skip
    result = kb.search(request)
    if as_json:
        _print_json(result.to_dict())
        return
    from leerlus.text import print_search

    print_search(out, result, kb.taxonomy.facet_label)


@app.command()
def show(case_id: Annotated[str, typer.Argument(metavar="ID", help="Casus-id.")], as_json: JsonFlag = False) -> None:
    """Toon één casus met metadata en verwijzingen."""
    kb = _kb()
    detail = kb.case(case_id)
    if as_json:
        _print_json(detail.model_dump(mode="json"))
        return
    from leerlus.text import print_case

    print_case(out, detail, kb.taxonomy.facet_label)


@app.command()
def similar(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="Casus-id.")],
    limit: Annotated[int, typer.Option(help="Aantal casussen.")] = 8,
    as_json: JsonFlag = False,
) -> None:
    """Toon de casussen die het meest op deze lijken, met de redenen."""
    kb = _kb()
    found = kb.similar(case_id, limit)
    if as_json:
        _print_json({"id": case_id, "similar": [s.to_dict() for s in found]})
        return
    if not found:
        out.print("Geen vergelijkbare casussen gevonden.")
    for item in found:
        out.print(f"[bold]{item.titel}[/bold]")
        kind = kb.taxonomy.facet_label("soort", item.soort)
        out.print(f"  {item.id} · {kind} · {item.datum}", markup=False, highlight=False)
        for reason in item.redenen:
            out.print(f"  - {reason}", markup=False, highlight=False)


@app.command()
def precedents(
    file: Annotated[
        str, typer.Argument(metavar="BESTAND", help="Concept (Markdown of tekst), of - voor standaardinvoer.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Precedentenbrief voor een concept: eerdere casussen per blokkade, met besluit, mandaat en uitkomst."""
    from ingest.draft_brief import precedents_for
    from ingest.submit import PersonalDataRefused

    kb = _kb()
    settings = kb.settings
    [(_, text)] = _read_inputs([file])
    gate, pipeline = load_gate(err, settings), load_pipeline(err, settings)
    try:
        with busy(err, "Concept controleren en precedenten zoeken…"):
            result = precedents_for(text, kb=kb, gate=gate, pipeline=pipeline)
    except PersonalDataRefused as refused:
        err.print(f"fout: {refused.detail}; draai 'leerlus check {file}' voor de vondsten", markup=False)
        raise typer.Exit(1) from None
    if as_json:
        _print_json(result.to_dict())
    else:
        sys.stdout.write(result.to_markdown())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Adres (standaard LEERLUS_HOST of 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Poort (standaard LEERLUS_PORT of 8000).")] = None,
    skip_ingest: Annotated[bool, typer.Option("--zonder-inlezen", help="Sla het inlezen bij de start over.")] = False,
) -> None:
    """Start de website en de JSON-API; laadt de anonimiseringspoort en leest de casussen in op de achtergrond.

    Op 127.0.0.1 toont de start een eenmalige inloglink voor de lokale beheerder; op een ander adres
    start Leerlus alleen als er gebruikers zijn."""
    import uvicorn

    from api.app import create_app
    from api.local import local_login
    from ingest.startup import Startup

    settings = Settings()
    host = host or settings.host
    port = port or settings.port
    settings = settings.model_copy(update={"host": host, "port": port})
    kb = KnowledgeBase(settings)
    app_ = create_app(settings, kb=kb)
    link = local_login(app_, host, port)  # refuses a server open to the network without accounts
    # The server answers from the existing index while the gate loads and the cases are read;
    # every page and /api/status show how far that is.
    startup: Startup = app_.state.startup
    startup.start(kb, read_cases=not skip_ingest, on_report=_print_report)
    out.print(f"Leerlus draait op http://{host}:{port}/  (stoppen met Ctrl+C)", markup=False)
    if link:
        out.print(f"Inloggen als lokale beheerder (één keer geldig, 15 minuten): {link}", markup=False)
    uvicorn.run(app_, host=host, port=port, log_level="warning")


@app.command(hidden=True)
def warm() -> None:
    """Laad de anonimiseringspoort en de taalpijplijn eenmaal (bouwt de cache van deduce)."""
    from ingest.gate import get_gate

    settings = Settings()
    with busy(err, "Anonimiseringspoort voorbereiden: deduce bouwt eenmalig zijn opzoekstructuren (enkele minuten)…"):
        get_gate(settings.taxonomy_dir, settings.spacy_model).load()
    load_pipeline(err, settings)
    out.print("Anonimiseringspoort en taalpijplijn zijn klaar.")


def _read_inputs(files: list[str]) -> list[tuple[str | None, str]]:
    """(name, text) of every file argument; ``-`` (or no argument) reads standard input."""
    if not files or files == ["-"]:
        return [(None, sys.stdin.read())]
    inputs = []
    for name in files:
        path = Path(name)
        if path.is_dir():
            raise LeerlusError(f"'{name}' is een map; geef een bestand")
        if not path.is_file():
            raise LeerlusError(f"bestand '{name}' bestaat niet")
        try:
            inputs.append((name, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            raise LeerlusError(f"bestand '{name}' is geen geldige UTF-8") from None
    return inputs


@app.command()
def analyze(
    files: Annotated[
        list[str] | None, typer.Argument(metavar="BESTAND", help="Bestanden, of - voor standaardinvoer.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Herken wetten, instanties, voorzieningen en blokkades in een tekst, zonder iets op te slaan."""
    from ingest.draft import draft_body

    settings = Settings()
    inputs = _read_inputs(files or [])
    pipeline = load_pipeline(err, settings)
    with busy(err, "Analyseren…"):
        analyses = pipeline.analyze_many([draft_body(text) for _, text in inputs])
    for (name, _), analysis in zip(inputs, analyses, strict=True):
        data = analysis.to_dict()
        if as_json:
            line = {"file": name, **data} if name is not None else data
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            continue
        from leerlus.text import print_analysis

        print_analysis(out, name, analysis)


@app.command()
def check(
    files: Annotated[
        list[str] | None, typer.Argument(metavar="BESTAND", help="Bestanden, of - voor standaardinvoer.")
    ] = None,
    as_json: JsonFlag = False,
    write_redacted: Annotated[
        Path | None,
        typer.Option("--write-redacted", help="Schrijf een geanonimiseerde kopie naar dit bestand (of deze map)."),
    ] = None,
    not_personal: Annotated[
        list[str] | None,
        typer.Option("--geen-persoonsgegeven", help="Een waarschuwing die geen persoonsgegeven is (herhaalbaar)."),
    ] = None,
) -> None:
    """Controleer teksten op persoonsgegevens voordat ze de kennisbank in gaan."""
    from leerlus.text import print_check, write_redacted_copies

    settings = Settings()
    inputs = _read_inputs(files or [])
    gate = load_gate(err, settings)
    with busy(err, "Controleren op persoonsgegevens…"):
        results = [(name, gate.check(text, marked=not_personal or ())) for name, text in inputs]
    for name, result in results:
        if as_json:
            line = {"file": name, **result.to_dict()} if name is not None else result.to_dict()
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        else:
            print_check(out, name, result)
    if write_redacted is not None:
        for target in write_redacted_copies(results, write_redacted):
            err.print(f"Geanonimiseerde kopie geschreven: {target}", markup=False, highlight=False)
    raise typer.Exit(0 if all(result.ok for _, result in results) else 1)


@app.command()
def info(as_json: JsonFlag = False) -> None:
    """Toon instellingen, de taalpijplijn, gegevensbestanden en aantallen."""
    kb = _kb()
    pipeline = load_pipeline(err, kb.settings)
    data = {
        "datamap": str(kb.settings.data_dir.resolve()),
        "casusmap": str(kb.settings.content_dir.resolve()),
        "database": kb.settings.sql_url.split("@")[-1],
        "zoekindex": str(kb.settings.index_dir.resolve()),
        "casussen": len(kb.stored_files()),
        **pipeline.info(),
    }
    if as_json:
        _print_json(data)
        return
    for key, value in data.items():
        if key == "terugval" and value is None:
            value = "geen (de gekozen pijplijn is geladen)"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value) or "geen"
        out.print(f"{key}: {value}", markup=False, highlight=False)


def _register_loop() -> None:
    from leerlus.account_commands import register as register_accounts
    from leerlus.advice_commands import register as register_advice
    from leerlus.db_commands import register as register_db
    from leerlus.loop_commands import register
    from leerlus.review_commands import register as register_review

    register(app, _kb)
    register_review(app, _kb)
    register_advice(app, _kb)
    register_accounts(app, _kb)
    register_db(app)


_register_loop()


def run() -> int:
    """Run the command in ``sys.argv``; a :class:`LeerlusError` becomes a Dutch message and code 2."""
    try:
        app()
    except SystemExit as done:
        if isinstance(done.code, str):
            err.print(done.code, markup=False, highlight=False)
            return 1
        return int(done.code or 0)
    except LeerlusError as exc:
        err.print(f"fout: {exc.detail}", markup=False, highlight=False)
        return 2
    except OSError as exc:  # a file to read or write (--uit, --write-redacted, BESTAND) that will not do
        err.print(f"fout: {dutch.os_error(exc)}", markup=False, highlight=False)
        return 2
    return 0


def main() -> None:
    """Entry point. The process ends with ``os._exit`` once the command is done: freeing the
    anonymisation gate's lookup structures object by object at interpreter exit takes longer than
    loading them, and nothing is left to clean up (files are closed, databases committed)."""
    import logging
    import os

    code = run()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
