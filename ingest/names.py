"""Anonymisation gate, name rules: person names that deduce's lists do not know.

Contexts betray a name even when the name itself is rare or written in lower case: a label
("naam: kasia wiśniewska", "Kind: Yonas Tekle", "t.n.v. fam. de Vries"), a relation word ("haar
broer Yonas", "gesprek met daan"), two or more capitalised words that are no Dutch word, place or
known organisation ("Senait Tesfay kwam ..."), a known first name in lower case that is no Dutch
word ("sanne liep weg", "ilse van den berg"), and a first name that opens a sentence as the
subject of a verb without an article ("Storm weigert de medicatie"). Word knowledge comes from
deduce's first-name list and the Dutch word lists of :mod:`ingest.lexicon`. Every candidate carries
the rule that found it as its ``reason``; :mod:`ingest.name_weight` cuts and weighs it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ingest.lexicon import dutch_verbs, dutch_words, first_names, is_common_word
from ingest.privacy_rules import Candidate

LABELS = r"(?:naam|voornaam|achternaam|roepnaam|kind|cliënt|client|jongere|betrokkene|moeder|vader|ouder)"
RELATIONS = (
    r"(?:broer|broertje|zus|zusje|zoon|zoontje|dochter|dochtertje|moeder|vader|oma|opa|tante|oom|neef|nicht|"
    r"vriend|vriendin|partner|man|vrouw|ex|ex-partner|stiefvader|stiefmoeder|pleegzoon|pleegdochter|"
    r"baby|kind|jongen|meisje)"
)
NAME_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ][\wÀ-ſ'’-]*"
LABEL_VALUE = re.compile(
    rf"(?im)(?:^|[|;,(]\s*|[.!?][ \t]+){LABELS}[ \t]*:[ \t]*((?:{NAME_WORD})(?:[ \t]+{NAME_WORD}){{0,3}})"
)
RELATION_NAME = re.compile(
    rf"(?i:\b(?:zijn|haar|hun|mijn|de|het)[ \t]+{RELATIONS}(?:[ \t]+van)?)[ \t]*,?[ \t]+({NAME_WORD})"
)
# A relation opening a sentence or following a comma, before a capitalised name: "Vader Georgi
# Petrov is ...", "..., vader van Kacper".
RELATION_LEAD = re.compile(rf"(?i:(?:^|[.!?:,]\s+|\n){RELATIONS}(?:[ \t]+van)?)[ \t]+([A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ſ'’-]*)")
WITH_NAME = re.compile(rf"(?i:\b(?:met|en|van|voor|aan|bij)[ \t]+)({NAME_WORD})")
PARTICLES = r"(?:van|de|der|den|ter|ten|te|het|'t|in|op|el|al|ben|bin|da|di|du|la|le|von|zu|mc)"
ACCOUNT_HOLDER = re.compile(
    rf"(?i:\bt\.\s?n\.\s?v\.?\s+(?:(?:fam\.?|familie|dhr\.?|mevr\.?|mw\.?|de heer|mevrouw)\s+)?)"
    rf"((?:{PARTICLES}\s+)*{NAME_WORD}(?:\s+{NAME_WORD})?)"
)
TUSSENVOEGSELS = r"(?:van|de|der|den|ter|ten|te|'t)"
CAPITAL_NAME = (
    rf"(?:(?i:{TUSSENVOEGSELS}|el|al|ben|bin|abu)[ \t]+)*[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ſ'’]+(?:-[A-ZÀ-ÖØ-ÞĀ-Ž]?[\wÀ-ſ'’]+)*"
)
# A title or a role that is always followed by a surname, whatever that surname means as a word:
# "mevr. Vos", "de heer Nowak", "buurman Mol", "het gezin Popescu", "Pleegouders Dvořák"; and the
# titles of the families' own languages ("pani Nowak", "bay Yılmaz", "madame Diallo").
TITLED = re.compile(
    r"(?i:\b(?:mevrouw|mevr\.|mw\.|meneer|mnr\.|dhr\.|de heer|buurman|buurvrouw|buren|pleegouders?|"
    r"pleegmoeder|pleegvader|gezin|familie|fam\.|pani|pan|bay|bayan|madame|monsieur|frau|herr|mrs\.?))[ \t]+"
    + rf"((?:[A-Z]\.){{0,4}}[ \t]*{CAPITAL_NAME})"
)
NOT_A_SURNAME = frozenset(
    ["één", "eén", "een", "geen", "ons", "onze", "mijn", "zijn", "haar", "hun", "dit", "dat", "die", "deze"]
)
SIGN_OFF = re.compile(
    r"(?im)^[ \t]*(?:met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|hartelijke groet(?:en)?|groet(?:en)?|"
    r"mvg|gr\.?|liefs|dank en groet)[ \t]*[,.!]?[ \t]*\n[ \t]*" + rf"({CAPITAL_NAME}(?:[ \t]+{CAPITAL_NAME})?)[ \t]*$"
)
# A lower-case first name where a name can stand in a hurried note: opening a sentence or line
# ("sanne liep weg"), or followed by its surname ("ilse van den berg").
LOWER_NAME = re.compile(
    rf"(?:(?:^|\n|[.!?:;]\s+)([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]{{2,}})|(?<![\w@.])([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]{{2,}}))"
    rf"(\s+(?:van|ter|ten)(?:\s+{TUSSENVOEGSELS})*\s+[a-zà-öø-ÿ][\w'’-]+)?"
)
SENTENCE_SUBJECT = re.compile(
    r"(?:^|[.!?]\s+|\n)((?:(?:Van|Ter|Ten)(?:\s+(?:der|den|de))?\s+)?[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]+)\s+([a-zà-öø-ÿ]+)"
)
COPULAS = frozenset(["is", "was", "wordt", "werd", "blijft", "bleef"])
AUXILIARIES = frozenset(
    [
        "is",
        "was",
        "heeft",
        "had",
        "wil",
        "wilde",
        "kan",
        "kon",
        "zal",
        "zou",
        "moet",
        "moest",
        "mag",
        "mocht",
        "gaat",
        "ging",
        "komt",
        "kwam",
        "zit",
        "zat",
        "wordt",
        "werd",
        "blijft",
        "bleef",
        "krijgt",
        "kreeg",
        "zegt",
        "zei",
        "vindt",
        "vond",
        "weet",
        "wist",
        "belt",
        "belde",
    ]
)
BARE_LABEL = re.compile(r"(?i:\b(?:naam|voornaam|roepnaam))[ \t]+([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+)")
RELATION_LOWER = re.compile(rf"(?i:\b{RELATIONS})[ \t]+([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+)")
# A word with an age in brackets after it is a person: "Senait (16)", "dmytro (12, uit Charkiv)".
WITH_AGE = re.compile(
    r"(?<![\wÀ-ſ'’-])([A-Za-zÀ-ÖØ-öø-ſ][\wÀ-ſ'’-]{1,40})[ \t]*\((\d{1,2})(?:[ \t]*(?:jaar|jr\.?))?[,;)]"
)
# Words of at most 60 characters: unbounded, a long hyphenated run ("Aa-Aa-Aa-...", a word boundary
# at every capital) was read to its end from every capital, which is quadratic in the text.
CAPITALISED_RUN = re.compile(
    r"\b[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ſ'’-]{1,60}(?:[ \t]+(?:(?:van|de|der|den|el|al|ben|bin)[ \t]+)*(?:(?:al|el|ben|abu|ibn)-)?"
    r"[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ſ'’-]{1,60})+"
)


def find_names(text: str, known: Callable[[str], bool]) -> Iterator[Candidate]:
    """Name candidates by context. ``known(fragment)`` is True for allowed words and places."""
    words = dutch_words()
    names = first_names()
    for m in LABEL_VALUE.finditer(text):
        value = m.group(1).strip()
        if not known(value) and not all(w.lower() in words and w.lower() not in names for w in value.split()):
            yield Candidate("persoonsnaam", m.start(1), m.start(1) + len(value), True, "label")
    for pattern in (RELATION_NAME, WITH_NAME):
        for m in pattern.finditer(text):
            word = m.group(1)
            lower = word.lower()
            if known(word) or lower in {"de", "het", "een", "die", "dat", "zijn", "haar"}:
                continue
            # "zijn zus Lama": a capital in the middle of a sentence after a relation is a name, even
            # when the word also means something
            capitalised_unknown = word[0].isupper() and pattern is RELATION_NAME
            lower_first_name = word.islower() and lower in names and lower not in words
            if (
                capitalised_unknown
                or lower_first_name
                or (word[0].isupper() and lower in names and pattern is RELATION_NAME)
            ):
                reason = "relatie" if pattern is RELATION_NAME else "kleine-letters"
                yield Candidate("persoonsnaam", m.start(1), m.end(1), True, reason)
    for m in CAPITALISED_RUN.finditer(text):
        parts = [p for p in m.group(0).split() if p[0].isupper() or p[:3] in ("al-", "el-")]
        start = m.start()
        if len(parts) > 2 and re.fullmatch(RELATIONS, parts[0], re.I):  # "Vader Georgi Petrov"
            start = m.start() + m.group(0).index(parts[1])
            parts = parts[1:]
        if known(m.group(0)) or any(known(p) for p in parts) or any(_compound_with_word(p, words) for p in parts):
            continue
        if all(p.lower() not in words for p in parts):
            yield Candidate("persoonsnaam", start, m.end(), True, "hoofdletters")
    for m in RELATION_LEAD.finditer(text):
        word = m.group(1)
        if not known(word) and (word.lower() not in words or word.lower() in names):
            yield Candidate("persoonsnaam", m.start(1), m.end(1), True, "relatie")
    for pattern in (BARE_LABEL, RELATION_LOWER):  # "naam noah", "Moeder yasmina wilde ..."
        for m in pattern.finditer(text):
            word = m.group(1)
            if word in names and not is_common_word(word) and not known(word):
                yield Candidate("persoonsnaam", m.start(1), m.end(1), True, "label")
    for m in ACCOUNT_HOLDER.finditer(text):
        if not known(m.group(1)):
            yield Candidate("persoonsnaam", m.start(1), m.end(1), True, "rekeninghouder")
    for pattern in (TITLED, SIGN_OFF):
        for m in pattern.finditer(text):
            value = m.group(1)
            first = value.split()[0]
            if pattern is TITLED and first.lower() in NOT_A_SURNAME:
                continue  # "Eén Gezin Eén Plan": a numeral or pronoun after "gezin" is no surname
            if pattern is SIGN_OFF and first.lower() not in names and is_common_word(first):
                continue  # a role under the greeting: "Casusregisseur Jeugd", "Contractmanager"
            if not known(value) and (pattern is TITLED or first.lower() in names or first.lower() not in words):
                reason = "titel" if pattern is TITLED else "afsluitgroet"
                yield Candidate("persoonsnaam", m.start(1), m.end(1), True, reason)
    for m in WITH_AGE.finditer(text):
        word = m.group(1)
        if 0 < int(m.group(2)) <= 30 and not known(word) and not is_common_word(word) and word.lower() not in words:
            yield Candidate("persoonsnaam", m.start(1), m.end(1), True, "leeftijd")
    yield from _lower_case_names(text, known, words, names)
    yield from _sentence_subjects(text, known, names)


def _compound_with_word(part: str, words: frozenset[str]) -> bool:
    """ "KIES-groep": a hyphenated part with a lower-case Dutch word in it names a thing, not a person."""
    return "-" in part and any(seg.islower() and seg in words for seg in part.split("-")[1:])


def _lower_case_names(
    text: str, known: Callable[[str], bool], words: frozenset[str], names: frozenset[str]
) -> Iterator[Candidate]:
    """A first name written in lower case, with its surname when particles follow."""
    for m in LOWER_NAME.finditer(text):
        group = 1 if m.group(1) else 2
        word = m.group(group)
        if group == 2 and not m.group(3):  # mid-sentence without a surname: too often a word
            continue
        last = m.group(3).split()[-1] if m.group(3) else ""
        if last in words and not re.fullmatch(TUSSENVOEGSELS, last):  # "line van de aanbieders": no surname
            continue
        if word in names and word not in words and not known(word):
            end = m.end(3) if m.group(3) else m.end(group)
            yield Candidate("persoonsnaam", m.start(group), end, True, "kleine-letters")


def _sentence_subjects(text: str, known: Callable[[str], bool], names: frozenset[str]) -> Iterator[Candidate]:
    """A known first name (or a surname with 'Van') opening a sentence, directly followed by a
    finite verb: a person as the subject ("Storm weigert", "Van Leeuwen wil"); a noun there would
    need an article. A name that is also a word needs more than a copula ("Winter is zwaar")."""
    verbs, words = dutch_verbs(), dutch_words()
    for m in SENTENCE_SUBJECT.finditer(text):
        subject, following = m.group(1), m.group(2)
        surname = " " in subject  # "Van Leeuwen wil"
        first = subject.lower() in names
        if subject.lower() in words and following in COPULAS:  # "Winter is zwaar", "Hoop is er"
            continue
        if (surname or first) and not known(subject) and _finite(following, verbs):
            yield Candidate("persoonsnaam", m.start(1), m.end(1), True, "onderwerp")


def _finite(word: str, verbs: frozenset[str]) -> bool:
    """A finite singular verb form: an auxiliary (heeft, wil, ging) or a present form in -t of a
    known verb (weigert, belt)."""
    if word in AUXILIARIES:
        return True
    return word.endswith("t") and any(f in verbs for f in (word[:-1] + "en", word[:-1] + word[-2] + "en"))
