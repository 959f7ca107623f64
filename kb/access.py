"""Access policy (every stage that answers a person): who may see and change what.

One table says which role holds which permission (:data:`ROLE_PERMISSIONS`), and one table says
which permission every route needs and which audit action it leaves (:data:`ROUTES`). The HTTP
layer enforces both in one place (:mod:`api.access`); the app refuses to start when a route is
missing from :data:`ROUTES`, so a new route is never reachable by accident. Besides the route, one
rule looks at the object itself: :func:`case_write_refusal` (a professional writes only cases of
their own team, the expertteam only binding advice). Nothing here knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

PROFESSIONAL, MANAGER, EXPERTTEAM, ADMIN = "professional", "manager", "expertteam", "admin"
ROLES = (PROFESSIONAL, MANAGER, EXPERTTEAM, ADMIN)
ROLE_LABELS = {PROFESSIONAL: "Professional", MANAGER: "Manager", EXPERTTEAM: "Expertteam", ADMIN: "Beheerder"}

# Permissions. PUBLIC needs no login, LOGGED_IN any role; the rest are held by roles below.
PUBLIC = "openbaar"
LOGGED_IN = "ingelogd"
CASES_READ = "casussen-lezen"
CASES_WRITE = "casussen-schrijven"
REVIEW = "beoordelen"
SAVED = "zoekopdrachten"
PATTERNS = "patronen"
SIGNALS = "signalen"
REPORT = "rapport"
DOSSIER = "dossier"
COMPLIANCE = "naleving"
USERDATA = "export-import"
AUDIT = "auditlog"
USERS = "gebruikers"

PERMISSION_LABELS = {
    CASES_READ: "casussen lezen en zoeken, vergelijkbare casussen, precedenten",
    CASES_WRITE: "casussen schrijven (professional: eigen team; expertteam: bindend advies)",
    REVIEW: "Te beoordelen: suggesties bevestigen of afwijzen (professional: eigen team)",
    SAVED: "bewaarde zoekopdrachten en hun feeds",
    PATTERNS: "Patronen",
    SIGNALS: "signalen en hun status",
    REPORT: "verantwoordingsrapportage",
    DOSSIER: "adviesdossier",
    COMPLIANCE: "naleving van bindende adviezen en de stand van verplichtingen",
    USERDATA: "export en import van signalen en bewaarde zoekopdrachten",
    AUDIT: "auditlog",
    USERS: "gebruikers en tokens beheren (alleen op de opdrachtregel: leerlus gebruikers)",
}

_EVERYONE = frozenset({CASES_READ, SAVED})
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    PROFESSIONAL: _EVERYONE | {CASES_WRITE, REVIEW},
    MANAGER: _EVERYONE | {PATTERNS, SIGNALS, REPORT},
    EXPERTTEAM: _EVERYONE | {CASES_WRITE, DOSSIER, COMPLIANCE},
    ADMIN: frozenset(PERMISSION_LABELS),
}


def allowed(role: str | None, permission: str) -> bool:
    """May ``role`` (``None``: anonymous) use what ``permission`` guards?"""
    if permission == PUBLIC:
        return True
    if role is None or role not in ROLE_PERMISSIONS:
        return False
    return permission == LOGGED_IN or permission in ROLE_PERMISSIONS[role]


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user, with their role and team, and how they proved it (``sessie`` or
    ``token``)."""

    user_id: int
    naam: str
    rol: str
    team: str | None
    via: str

    def may(self, permission: str) -> bool:
        return allowed(self.rol, permission)

    @property
    def label(self) -> str:
        """What the signal and review history records as ``wie``: role and team, never a name."""
        return who_label(self.rol, self.team)


def who_label(role: str, team: str | None) -> str:
    label = ROLE_LABELS.get(role, role)
    return f"{label}, {team}" if team else label


def case_write_refusal(principal: Principal, *, team: str | None, soort: str | None) -> str | None:
    """Why ``principal`` may not write (or correct) a case of ``team`` and kind ``soort``, in Dutch;
    ``None`` when they may. Admins write everything; a professional writes the cases of their own
    team; the expertteam writes binding advice."""
    if principal.rol == ADMIN:
        return None
    if principal.rol == PROFESSIONAL:
        if not principal.team:
            return "uw account hoort bij geen team; vraag de beheerder om een team, dan kunt u casussen schrijven"
        if (team or "").strip().casefold() != principal.team.strip().casefold():
            return f"u kunt alleen casussen van uw eigen team ({principal.team}) schrijven of corrigeren"
        return None
    if principal.rol == EXPERTTEAM:
        return None if soort == "bindend-advies" else "het expertteam schrijft alleen bindende adviezen"
    return "uw rol mag geen casussen schrijven"


@dataclass(frozen=True)
class Rule:
    """What a route needs (``permission``) and what it leaves in the audit log: ``action`` (none:
    not logged) with ``target``, an object name with path parameters in braces (``casus:{case_id}``)."""

    permission: str
    action: str | None = None
    target: str = ""


def _r(permission: str, action: str | None = None, target: str = "") -> Rule:
    return Rule(permission, action, target)


CASE = "casus:{case_id}"
SIGNAL = "signaal:{signaalnummer}"
SEARCH = "zoekopdracht:{slug}"

# Every route of the app, by method and path template. Mounted static files are in PUBLIC_PREFIXES.
ROUTES: dict[tuple[str, str], Rule] = {
    # open to everyone: logging in, the start-up state, the icon
    ("GET", "/inloggen"): _r(PUBLIC),
    ("POST", "/inloggen"): _r(PUBLIC),  # the route logs success and failure itself
    ("GET", "/inloggen/link/{sleutel}"): _r(PUBLIC),  # idem
    ("POST", "/uitloggen"): _r(PUBLIC, "uitloggen"),
    ("GET", "/api/status"): _r(PUBLIC),
    ("GET", "/favicon.ico"): _r(PUBLIC),
    # any logged-in user
    ("GET", "/api/ik"): _r(LOGGED_IN),
    ("GET", "/docs"): _r(LOGGED_IN),
    ("GET", "/openapi.json"): _r(LOGGED_IN),
    ("GET", "/analyseren"): _r(LOGGED_IN),
    ("POST", "/analyseren"): _r(LOGGED_IN),
    ("POST", "/api/analyze"): _r(LOGGED_IN),
    # reading cases
    ("GET", "/"): _r(CASES_READ),
    ("GET", "/zoeken"): _r(CASES_READ, "zoeken"),
    ("GET", "/api/search"): _r(CASES_READ, "zoeken"),
    ("GET", "/api/cases"): _r(CASES_READ),
    ("GET", "/api/facets"): _r(CASES_READ),
    ("GET", "/casus/{case_id}"): _r(CASES_READ, "casus-lezen", CASE),
    ("GET", "/api/cases/{case_id}"): _r(CASES_READ, "casus-lezen", CASE),
    ("GET", "/api/cases/{case_id}/similar"): _r(CASES_READ, "vergelijkbaar", CASE),
    ("GET", "/api/cases/{case_id}/gelijkheid"): _r(CASES_READ, "gelijkheid", CASE),
    ("GET", "/precedenten"): _r(CASES_READ),
    ("POST", "/precedenten"): _r(CASES_READ, "precedenten"),
    ("POST", "/api/precedents"): _r(CASES_READ, "precedenten"),
    # writing cases
    ("GET", "/nieuw"): _r(CASES_WRITE),
    ("POST", "/nieuw"): _r(CASES_WRITE, "casus-nieuw"),
    ("POST", "/api/cases"): _r(CASES_WRITE, "casus-nieuw"),
    ("GET", "/casus/{case_id}/bewerken"): _r(CASES_WRITE, "casus-lezen", CASE),
    ("POST", "/casus/{case_id}/bewerken"): _r(CASES_WRITE, "casus-correctie", CASE),
    ("PUT", "/api/cases/{case_id}"): _r(CASES_WRITE, "casus-correctie", CASE),
    # saved searches and their feeds
    ("GET", "/zoekopdrachten"): _r(SAVED),
    ("POST", "/zoekopdrachten"): _r(SAVED, "zoekopdracht-bewaren"),
    ("GET", "/zoekopdrachten/{slug}"): _r(SAVED),
    ("POST", "/zoekopdrachten/{slug}/verwijderen"): _r(SAVED, "zoekopdracht-verwijderen", SEARCH),
    ("GET", "/zoekopdrachten/{slug}/feed"): _r(SAVED, "feed", SEARCH),
    ("GET", "/api/searches"): _r(SAVED),
    ("POST", "/api/searches"): _r(SAVED, "zoekopdracht-bewaren"),
    ("GET", "/api/searches/{slug}"): _r(SAVED),
    ("DELETE", "/api/searches/{slug}"): _r(SAVED, "zoekopdracht-verwijderen", SEARCH),
    # the review queue
    ("GET", "/beoordelen"): _r(REVIEW, "beoordelen-lijst"),
    ("POST", "/beoordelen"): _r(REVIEW, "beoordeling"),
    ("GET", "/api/beoordelen"): _r(REVIEW, "beoordelen-lijst"),
    ("POST", "/api/beoordelen"): _r(REVIEW, "beoordeling"),
    ("GET", "/api/beoordelen/statistiek"): _r(REVIEW),
    # patterns, signals and the report
    ("GET", "/patronen"): _r(PATTERNS),
    ("GET", "/patronen/casussen"): _r(PATTERNS),
    ("GET", "/api/patterns"): _r(PATTERNS),
    ("GET", "/api/patterns/cases"): _r(PATTERNS),
    ("GET", "/api/patterns/{tabel}"): _r(PATTERNS),
    ("GET", "/signalen"): _r(SIGNALS),
    ("GET", "/signalen/nieuw"): _r(SIGNALS),
    ("POST", "/signalen"): _r(SIGNALS, "signaal-nieuw"),
    ("GET", "/signalen/{signaalnummer}"): _r(SIGNALS),
    ("POST", "/signalen/{signaalnummer}/status"): _r(SIGNALS, "signaal-status", SIGNAL),
    ("GET", "/api/signals"): _r(SIGNALS),
    ("POST", "/api/signals"): _r(SIGNALS, "signaal-nieuw"),
    ("GET", "/api/signals/{signaalnummer}"): _r(SIGNALS),
    ("POST", "/api/signals/{signaalnummer}/status"): _r(SIGNALS, "signaal-status", SIGNAL),
    ("GET", "/rapport"): _r(REPORT, "rapport"),
    ("GET", "/rapport.md"): _r(REPORT, "rapport"),
    ("GET", "/api/report"): _r(REPORT, "rapport"),
    # the expertteam: dossiers and compliance with binding advice
    ("GET", "/dossier"): _r(DOSSIER),
    ("POST", "/dossier"): _r(DOSSIER, "dossier"),
    ("POST", "/api/dossier"): _r(DOSSIER, "dossier"),
    ("GET", "/naleving"): _r(COMPLIANCE),
    ("GET", "/api/naleving"): _r(COMPLIANCE),
    ("POST", "/casus/{case_id}/verplichtingen/{nummer}"): _r(COMPLIANCE, "verplichting-status", CASE),
    ("POST", "/api/cases/{case_id}/verplichtingen/{nummer}/status"): _r(COMPLIANCE, "verplichting-status", CASE),
    # administration
    ("GET", "/api/export"): _r(USERDATA, "export"),
    ("POST", "/api/import"): _r(USERDATA, "import"),
    ("GET", "/audit"): _r(AUDIT, "auditlog-lezen"),
    ("GET", "/api/audit"): _r(AUDIT, "auditlog-lezen"),
}
PUBLIC_PREFIXES = ("/static/", "/docs/assets/")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
