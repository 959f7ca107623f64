"""Access commands for the ``leerlus`` CLI: ``leerlus gebruikers toevoegen|lijst|blokkeren|token|
wachtwoord`` and ``leerlus audit [controleer]``. Thin wrappers around :mod:`kb.accounts` and
:mod:`kb.audit`, registered on the app of :mod:`leerlus.cli`.

What the CLI changes about users is written to the audit log too, with the operating-system user as
``wie`` and ``opdrachtregel`` as role: whoever runs these commands can already read the database.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from kb.access import ROLE_LABELS, ROLES
from kb.audit import Event
from kb.errors import InvalidInput
from leerlus.text import json_text

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Antwoord als JSON.")]
NameArg = Annotated[str, typer.Argument(metavar="NAAM", help="Gebruikersnaam (kleine letters, cijfers, . _ -).")]


def _os_user() -> str:
    try:
        return f"systeem:{getpass.getuser()}"
    except (KeyError, OSError):
        return "systeem"


def _log(kb: Any, actie: str, target: str) -> None:
    kb.audit.append(Event(wie=_os_user(), rol="opdrachtregel", actie=actie, object=target))


def _password(from_stdin: bool) -> str:
    """A password from standard input (one line), or typed twice without echo at a terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInput("geef het wachtwoord met --wachtwoord-stdin, of draai de opdracht in een terminal")
    first = getpass.getpass("Wachtwoord: ")
    if getpass.getpass("Nog een keer: ") != first:
        raise InvalidInput("de wachtwoorden zijn niet gelijk")
    return first


def register(app: typer.Typer, make_kb: Any) -> None:
    """Add ``gebruikers`` and ``audit`` to ``app``; ``make_kb()`` opens the knowledge base."""
    users = typer.Typer(help="Gebruikers, rollen en API-tokens.", no_args_is_help=True)
    app.add_typer(users, name="gebruikers")

    @users.command("toevoegen")
    def add(
        naam: NameArg,
        rol: Annotated[str, typer.Option(help=f"Rol: {', '.join(ROLES)}.")],
        team: Annotated[
            str | None, typer.Option(help="Team (een professional schrijft alleen voor zijn team).")
        ] = None,
        wachtwoord_stdin: Annotated[
            bool, typer.Option("--wachtwoord-stdin", help="Lees het wachtwoord van standaardinvoer.")
        ] = False,
        zonder_wachtwoord: Annotated[
            bool, typer.Option("--zonder-wachtwoord", help="Geen wachtwoord: alleen een API-token (voor scripts).")
        ] = False,
    ) -> None:
        """Voeg een gebruiker toe met een rol, eventueel een team, en een wachtwoord (minstens 12 tekens)."""
        kb = make_kb()
        password = None if zonder_wachtwoord else _password(wachtwoord_stdin)
        info = kb.accounts.add(naam, rol, team=team, wachtwoord=password)
        _log(kb, "gebruiker-toevoegen", f"gebruiker:{info.naam}")
        team_text = f", team {info.team}" if info.team else ""
        out.print(f"Gebruiker {info.naam} toegevoegd als {ROLE_LABELS[info.rol].lower()}{team_text}.", markup=False)

    @users.command("lijst")
    def listing(as_json: JsonFlag = False) -> None:
        """Toon alle gebruikers met rol, team, of ze geblokkeerd zijn, en hun tokens (nooit de tokens zelf)."""
        found = make_kb().accounts.users()
        if as_json:
            sys.stdout.write(json_text([u.to_dict() for u in found]))
            return
        if not found:
            out.print("Nog geen gebruikers. Voeg er een toe met 'leerlus gebruikers toevoegen NAAM --rol admin'.")
        for user in found:
            state = "actief" if user.actief else "geblokkeerd"
            active = [t for t in user.tokens if not t["ingetrokken"]]
            tokens = ", ".join(f"#{t['id']} {t['begin']}… {t['label']}".rstrip() for t in active) or "geen"
            line = f"{user.naam}: {ROLE_LABELS[user.rol].lower()}, team {user.team or '-'}, {state}; tokens: {tokens}"
            out.print(line, markup=False, highlight=False)

    @users.command("blokkeren")
    def block(
        naam: NameArg,
        opheffen: Annotated[bool, typer.Option("--opheffen", help="Hef de blokkade op.")] = False,
    ) -> None:
        """Blokkeer een gebruiker: inloggen, sessies en tokens werken meteen niet meer."""
        kb = make_kb()
        info = kb.accounts.set_active(naam, active=opheffen)
        _log(kb, "gebruiker-deblokkeren" if opheffen else "gebruiker-blokkeren", f"gebruiker:{info.naam}")
        out.print(f"Gebruiker {info.naam} is {'weer actief' if opheffen else 'geblokkeerd'}.", markup=False)

    @users.command("token")
    def token(
        naam: NameArg,
        label: Annotated[str, typer.Option(help="Waarvoor het token is, bijvoorbeeld 'rapportscript'.")] = "",
        intrekken: Annotated[int | None, typer.Option(metavar="NUMMER", help="Trek dit token in.")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """Maak een API-token (één keer getoond; stuur het als 'Authorization: Bearer TOKEN'), of trek er een in."""
        kb = make_kb()
        if intrekken is not None:
            record = kb.accounts.revoke_token(naam, intrekken)
            _log(kb, "token-intrekken", f"gebruiker:{naam.lower()}#token{record['id']}")
            out.print(f"Token #{record['id']} van {naam.lower()} is ingetrokken.", markup=False)
            return
        secret, record = kb.accounts.new_token(naam, label)
        _log(kb, "token-maken", f"gebruiker:{naam.lower()}#token{record['id']}")
        if as_json:
            sys.stdout.write(json_text({**record, "token": secret}))
            return
        out.print(secret, markup=False, highlight=False)
        err.print(
            f"Token #{record['id']} voor {naam.lower()}. Bewaar het nu: Leerlus toont het nooit meer "
            f"(intrekken: leerlus gebruikers token {naam.lower()} --intrekken {record['id']}).",
            markup=False,
        )

    @users.command("wachtwoord")
    def password(
        naam: NameArg,
        wachtwoord_stdin: Annotated[
            bool, typer.Option("--wachtwoord-stdin", help="Lees het wachtwoord van standaardinvoer.")
        ] = False,
    ) -> None:
        """Geef een gebruiker een nieuw wachtwoord; lopende sessies van die gebruiker stoppen."""
        kb = make_kb()
        kb.accounts.set_password(naam, _password(wachtwoord_stdin))
        _log(kb, "wachtwoord-wijzigen", f"gebruiker:{naam.lower()}")
        out.print(f"Het wachtwoord van {naam.lower()} is gewijzigd.", markup=False)

    audit = typer.Typer(help="Het auditlog: wie las of wijzigde wat.", invoke_without_command=True)
    app.add_typer(audit, name="audit")

    @audit.callback()
    def audit_lines(
        context: typer.Context,
        casus: Annotated[str | None, typer.Option(metavar="ID", help="Alleen regels over deze casus.")] = None,
        wie: Annotated[str | None, typer.Option(help="Alleen regels van deze gebruiker.")] = None,
        actie: Annotated[str | None, typer.Option(help="Alleen deze actie (bijvoorbeeld casus-lezen).")] = None,
        limit: Annotated[int, typer.Option(help="Hoogstens zoveel regels, nieuwste eerst.")] = 100,
        as_json: JsonFlag = False,
    ) -> None:
        """Toon regels van het auditlog, nieuwste eerst; 'leerlus audit controleer' controleert de keten."""
        if context.invoked_subcommand is not None:
            return
        lines, total = make_kb().audit.entries(case_id=casus, wie=wie, actie=actie, limit=limit)
        if as_json:
            sys.stdout.write(json_text({"aantal": total, "regels": lines}))
            return
        for line in lines:
            cases = ", ".join(line["casussen"][:5]) + (" …" if len(line["casussen"]) > 5 else "")
            parts = (
                line["moment"][:19].replace("T", " "),
                f"{line['wie']} ({line['rol'] or '-'})",
                line["actie"],
                line["object"],
                cases,
                line["uitkomst"],
                line["adres"],
                line["verzoek"][:12],
            )
            out.print("  ".join(p for p in parts if p), markup=False, highlight=False)
        out.print(f"{len(lines)} van {total} regels.", markup=False)

    @audit.command("controleer")
    def verify(as_json: JsonFlag = False) -> None:
        """Controleer de hashketen van het auditlog; exitcode 1 als een regel gewijzigd of verwijderd is."""
        verdict = make_kb().audit.verify()
        if as_json:
            sys.stdout.write(json_text(verdict.to_dict()))
        elif verdict.ok:
            out.print(f"De keten klopt: {verdict.lines} regels; laatste hash {verdict.last_hash}.", markup=False)
            out.print("Noteer die hash elders: dan valt ook een weggehaalde laatste regel op.", markup=False)
        else:
            for problem in verdict.problems:
                err.print(problem, markup=False)
            out.print(f"De keten is verbroken: {len(verdict.problems)} probleem/problemen.", markup=False)
        raise typer.Exit(0 if verdict.ok else 1)
