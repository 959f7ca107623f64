"""Second ingest stage: check front-matter values against the case format and the taxonomy.

Returns clean values (canonical law names, hulpvraag codes, tuples of strings) and a list of
Dutch :class:`~ingest.issues.Issue` objects naming file, line and field. Unknown keys are kept
(in ``extra``) with a warning, never dropped.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ingest.frontmatter import FrontMatter
from ingest.issues import Issue
from ingest.obligations import read_obligations
from kb.limits import CONTROL
from kb.taxonomy import Taxonomy

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
REQUIRED = ("titel", "soort", "datum")
TEXT_FIELDS = ("titel", "regio", "team", "besluit", "mandaat", "uitkomst", "vraag", "grondslag")
KNOWN = (
    "id", "titel", "soort", "datum", "regio", "team", "leeftijdscategorie", "hulpvraag",
    "wetten", "blokkades", "blokkades_afgewezen", "besluit", "mandaat", "uitkomst", "lessen", "verwijzingen",
    "vraag", "grondslag", "partijen",
    "geen_persoonsgegevens",
)  # fmt: skip


@dataclass
class Fields:
    """Validated front-matter values, ready for a :class:`kb.records.CaseRecord`."""

    values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


class Validator:
    """Validates one file's front matter; collects issues instead of raising."""

    def __init__(self, front: FrontMatter, path: str, default_id: str, taxonomy: Taxonomy):
        self.front = front
        self.path = path
        self.default_id = default_id
        self.taxonomy = taxonomy
        self.issues: list[Issue] = []

    def run(self) -> Fields:
        raw = self.front.values
        out = Fields()
        for key, value in raw.items():  # also what YAML escapes ("\\0", "\\x1b") let through
            if any(CONTROL.search(text) for text in _texts(value)):
                self._error(str(key), f"{key} bevat een ongeldig teken (een nul-byte of stuurteken)")
        for key in REQUIRED:
            if key not in raw or raw[key] is None or str(raw[key]).strip() == "":
                self._error(key, f"verplicht veld '{key}' ontbreekt", line=self._line(key) or 2)
        for key in TEXT_FIELDS:
            if raw.get(key) is not None:
                out.values[key] = self._text(key, raw[key])
        out.values["id"] = self._id(raw.get("id"))
        if raw.get("soort") is not None:
            out.values["soort"] = self._choice("soort", raw["soort"], self.taxonomy.codes("soorten"))
        if raw.get("datum") is not None:
            out.values["datum"] = self._date(raw["datum"])
        if raw.get("leeftijdscategorie") is not None:
            out.values["leeftijdscategorie"] = self._choice(
                "leeftijdscategorie",
                raw["leeftijdscategorie"],
                self.taxonomy.codes("leeftijdscategorieen"),
            )
        out.values["hulpvraag"] = self._hulpvraag(raw.get("hulpvraag"))
        out.values["wetten"] = self._laws(raw.get("wetten"))
        out.values["blokkades"] = self._blockers(raw.get("blokkades"))
        out.values["blokkades_afgewezen"] = self._blockers(raw.get("blokkades_afgewezen"), key="blokkades_afgewezen")
        for code in set(out.values["blokkades"]) & set(out.values["blokkades_afgewezen"]):
            self._warn("blokkades_afgewezen", f"blokkade '{code}' staat ook in blokkades; die telt als vastgesteld")
        out.values["verwijzingen"] = self._references(raw.get("verwijzingen"))
        out.values["partijen"] = read_obligations(
            raw.get("partijen"), parties=self.taxonomy.codes("partijen"), error=lambda m: self._error("partijen", m)
        )
        casus, systeem = self._lessons(raw.get("lessen"), out.extra)
        out.values["lessen_casus"], out.values["lessen_systeem"] = casus, systeem
        for key, value in raw.items():
            if key not in KNOWN:
                self._warn(key, f"veld '{key}' is onbekend; het wordt bewaard maar niet gebruikt")
                out.extra[key] = jsonable(value)
        return out

    # -- helpers ---------------------------------------------------------------------------

    def _line(self, key: str) -> int | None:
        return self.front.lines.get(key)

    def _error(self, key: str, message: str, line: int | None = None) -> None:
        self.issues.append(Issue(self.path, message, line or self._line(key), key))

    def _warn(self, key: str, message: str) -> None:
        self.issues.append(Issue(self.path, message, self._line(key), key, "waarschuwing"))

    def _text(self, key: str, value: Any) -> str | None:
        if isinstance(value, (dict, list)):
            self._error(key, f"{key} moet tekst zijn, geen {_kind(value)}")
            return None
        if isinstance(value, bool):
            self._error(key, f"{key} moet tekst zijn, geen ja/nee-waarde")
            return None
        text = str(value).strip()
        return text or None

    def _id(self, value: Any) -> str:
        case_id = self.default_id if value is None else str(value).strip()
        if not ID_PATTERN.match(case_id):
            source = "id" if value is not None else "bestandsnaam"
            self._error(
                "id",
                f"id '{case_id}' (uit {source}) mag alleen letters, cijfers, '.', '_' en '-' bevatten",
                line=self._line("id") or 1,
            )
        return case_id

    def _choice(self, key: str, value: Any, options: list[str]) -> str | None:
        text = str(value).strip()
        if text in options:
            return text
        if text.lower() in options:
            return text.lower()
        self._error(key, f"{key} '{text}' is onbekend; kies uit {', '.join(options)}")
        return None

    def _date(self, value: Any) -> str | None:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        match = DATE_PATTERN.match(text)
        if match:
            year, month, day = (int(g) if g else None for g in match.groups())
            try:
                dt.date(year or 1, month or 1, day or 1)
                return text
            except ValueError:
                pass
        self._error("datum", f"datum '{text}' is ongeldig; gebruik JJJJ-MM of JJJJ-MM-DD")
        return None

    def _strings(self, key: str, value: Any) -> list[str]:
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if isinstance(item, (dict, list)) or item is None or isinstance(item, bool):
                self._error(key, f"{key} moet een lijst van teksten zijn")
                return []
            text = str(item).strip()
            if text:
                out.append(text)
        return list(dict.fromkeys(out))

    def _hulpvraag(self, value: Any) -> tuple[str, ...]:
        out = []
        for text in self._strings("hulpvraag", value):
            code = self.taxonomy.canonical_hulpvraag(text)
            if code is None:
                options = ", ".join(self.taxonomy.codes("hulpvraag"))
                self._error("hulpvraag", f"hulpvraag '{text}' is onbekend; kies uit {options}")
            else:
                out.append(code)
        return tuple(dict.fromkeys(out))

    def _laws(self, value: Any) -> tuple[str, ...]:
        out = []
        for text in self._strings("wetten", value):
            canonical = self.taxonomy.canonical_law(text)
            if canonical is None:
                self._warn("wetten", f"wet '{text}' is niet bekend; de naam wordt overgenomen")
                out.append(text)
            else:
                out.append(canonical)
        return tuple(dict.fromkeys(out))

    def _blockers(self, value: Any, key: str = "blokkades") -> tuple[str, ...]:
        codes = self.taxonomy.codes("blokkades")
        out = []
        for text in self._strings(key, value):
            if text in codes:
                out.append(text)
                continue
            close = [c for c in codes if text.lower() in c.split(".", 1)[-1].split("-")]
            close = close or difflib.get_close_matches(text, codes, n=1, cutoff=0.6)
            hint = f"; bedoelde u {close[0]}?" if close else "; zie de lijst in de README"
            self._error(key, f"blokkade '{text}' is onbekend{hint}")
        return tuple(out)

    def _references(self, value: Any) -> tuple[str, ...]:
        out = []
        for text in self._strings("verwijzingen", value):
            ref = text.strip("[] ")
            if ID_PATTERN.match(ref):
                out.append(ref)
            else:
                self._error("verwijzingen", f"verwijzing '{text}' is geen geldige casus-id")
        return tuple(out)

    def _lessons(self, value: Any, extra: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if value is None:
            return (), ()
        if not isinstance(value, dict):
            self._error("lessen", "lessen moet de lijsten 'casus' en 'systeem' bevatten")
            return (), ()
        for key in value:
            if key not in ("casus", "systeem"):
                self._warn("lessen", f"lessen.{key} is onbekend; het wordt bewaard maar niet gebruikt")
                extra[f"lessen.{key}"] = jsonable(value[key])
        return (
            tuple(self._strings("lessen", value.get("casus"))),
            tuple(self._strings("lessen", value.get("systeem"))),
        )


def _kind(value: Any) -> str:
    return "lijst" if isinstance(value, list) else "veldenlijst"


def jsonable(value: Any) -> Any:
    """A YAML value as JSON-safe data (dates become ISO strings)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _texts(value: Any) -> Iterator[str]:
    """Every string in a front-matter value, keys of mappings included, at any depth (the depth is
    bounded before parsing, see ``kb.limits.MAX_YAML_DEPTH``)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)
