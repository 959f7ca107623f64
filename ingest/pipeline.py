"""Extraction stage: build the one spaCy pipeline Leerlus uses, and analyse texts with it.

With ``nl_core_news_sm`` installed (or ``LEERLUS_SPACY_MODEL`` naming a package or a path) the
trained pipeline is loaded and its entities are kept; otherwise ``spacy.blank("nl")`` with the
lookup lemmatizer from ``spacy-lookups-data`` and a sentencizer carries the work. Either way our
own components are added: ``leerlus_entiteiten`` and ``leerlus_blokkades``. Loading never fails for
want of the model; the reason for a fallback is kept for ``leerlus info``.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.attrs import ORTH, SENT_START
from spacy.lang.nl.stop_words import STOP_WORDS as DUTCH_STOP_WORDS
from spacy.language import Language
from spacy.util import compile_infix_regex

import ingest.blockers  # noqa: F401  (registers the factory)
import ingest.entities  # noqa: F401  (registers the factory)
from ingest import blockmodel
from ingest.blockers import SPAN_KEY as BLOCKER_KEY
from ingest.confidence import Calibration
from ingest.entities import SPAN_KEY as ENTITY_KEY
from kb.snippets import readable
from kb.taxonomy import DATA_FILES, load_taxonomy

DEFAULT_MODEL = "nl_core_news_sm"
# A line that starts a block: list item, heading, quote, table row.
BLOCK_START = re.compile(r"^[ \t]*(?:[-*+#>|]|\d+[.)])")
# Split words at a hyphen between letters, so "Wlz-indicatie" holds the token "Wlz".
HYPHEN_INFIX = r"(?<=[^\W\d_])-(?=[^\W\d_])"


@dataclass(frozen=True)
class Entity:
    label: str
    text: str
    canonical: str | None
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Blocker:
    """A recognised blocker: its evidence sentence and the calibrated confidence for its code in
    this text (the same for every evidence sentence of that code)."""

    code: str
    label: str
    evidence: str
    start: int
    end: int
    confidence: float = 0.5
    kind: str = "enkel"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Analysis:
    """Entities and blockers found in one text, with character offsets into that text."""

    pipeline: str
    entities: tuple[Entity, ...] = ()
    blockers: tuple[Blocker, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "pipeline": self.pipeline,
            "entities": [e.to_dict() for e in self.entities],
            "blockers": [b.to_dict() for b in self.blockers],
        }

    def canonical(self, label: str) -> list[str]:
        return list(dict.fromkeys(e.canonical for e in self.entities if e.label == label and e.canonical))

    def codes(self) -> list[str]:
        return list(dict.fromkeys(b.code for b in self.blockers))


@dataclass
class Pipeline:
    """The loaded spaCy pipeline with a description of where it came from."""

    nlp: Language
    name: str
    fallback_reason: str | None = None
    data_files: tuple[str, ...] = field(default_factory=tuple)

    def info(self) -> dict[str, object]:
        return {
            "pijplijn": self.name,
            "componenten": list(self.nlp.pipe_names),
            "gegevensbestanden": list(self.data_files),
            "terugval": self.fallback_reason,
        }

    def analyze(self, text: str) -> Analysis:
        return self.analyze_many([text])[0]

    def analyze_many(self, texts: Iterable[str], *, batch_size: int = 32, n_process: int = 1) -> list[Analysis]:
        taxonomy = load_taxonomy(self._taxonomy_dir)
        labels = {t.code: t.label for t in taxonomy.blokkades}
        calibration = self.calibration()
        originals = list(texts)
        docs = self.nlp.pipe((prepare(t) for t in originals), batch_size=batch_size, n_process=n_process)
        analyses = [
            _analysis(doc, original, self.name, labels, calibration)
            for doc, original in zip(docs, originals, strict=True)
        ]
        model = blockmodel.load() if calibration.model else None
        if model is None:
            return analyses
        weighed = []
        for analysis, doc in zip(analyses, model.pipe(in_pieces(t.lower()) for t in originals), strict=True):
            blockers = tuple(
                replace(b, confidence=calibration.with_model(b.confidence, doc.cats.get(b.code, 0.0)))
                for b in analysis.blockers
            )
            weighed.append(replace(analysis, blockers=blockers))
        return weighed

    def calibration(self) -> Calibration:
        """The confidences and threshold for recognised blockers (``kalibratie.yaml``)."""
        return Calibration.from_data(load_taxonomy(self._taxonomy_dir).kalibratie)

    @property
    def _taxonomy_dir(self) -> Path | None:
        configured = self.nlp.get_pipe_config("leerlus_entiteiten").get("taxonomy_dir") or ""
        return Path(configured) if configured else None


CASE_LINK = re.compile(r"\[\[[^\[\]\n]*\]\]")
# spaCy's tokenizer splits punctuation off a token one character at a time and searches the rest of
# the token each time: quadratic in the length of a token (20,000 asterisks took 81 s). No word is
# this long, so a longer run without spaces is read in pieces of at most this many characters.
LONG_TOKEN = 64
LONG_RUN = re.compile(rf"\S{{{LONG_TOKEN + 1},}}")


def prepare(text: str) -> str:
    """Text as the pipeline reads it: links to other cases blanked out (their ids are not words of
    this case), soft line breaks made spaces and runs without spaces cut into pieces of at most
    :data:`LONG_TOKEN` characters. The length never changes, so offsets hold."""
    return soften_line_breaks(in_pieces(CASE_LINK.sub(lambda m: " " * len(m.group(0)), text)))


def in_pieces(text: str) -> str:
    """``text`` with every run without spaces longer than :data:`LONG_TOKEN` cut by a space after
    each ``LONG_TOKEN`` characters (one character replaced, so the length stays)."""

    def cut(match: re.Match[str]) -> str:
        return "".join(" " if i % (LONG_TOKEN + 1) == LONG_TOKEN else c for i, c in enumerate(match.group(0)))

    return LONG_RUN.sub(cut, text)


LABEL_LINE_CHARS = 60


def _label_line(line: str, following: str) -> bool:
    """A short line without closing punctuation before a line that opens with a capital is a title or
    label ("MDO-verslag, gezin in Deventer" / "Moeder heeft..."), not a sentence wrapped in two; a
    line that ends in a function word ("Het CIZ wees de" / "Wlz-aanvraag af.") is wrapped."""
    stripped = line.rstrip()
    last = stripped.rsplit(None, 1)[-1].lower() if stripped else ""
    return (
        0 < len(stripped) <= LABEL_LINE_CHARS
        and stripped[-1].isalnum()
        and last not in DUTCH_STOP_WORDS
        and following.lstrip()[:1].isupper()
    )


def soften_line_breaks(text: str) -> str:
    """Replace line breaks inside a paragraph by spaces, so a phrase broken over two lines still
    matches. Breaks around blank lines, headings and list items stay. Offsets do not change."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines[:-1]):
        following = lines[i + 1]
        hard = (
            not line.strip()
            or not following.strip()
            or line.lstrip().startswith("#")
            or BLOCK_START.match(following) is not None
            or _label_line(line, following)
        )
        out.append(line + ("\n" if hard else " "))
    out.append(lines[-1])
    return "".join(out)


TITLES = frozenset({"dr", "drs", "mr", "prof", "ir", "ing", "mevr", "dhr", "mw", "ds", "st", "jr", "sr", "zr", "br"})


@Language.component("leerlus_zinseinde")
def sentence_final_abbreviations(doc: spacy.tokens.Doc) -> spacy.tokens.Doc:
    """A word that is also an abbreviation ("vol.", "al.", "pas.") ends a sentence when the text
    ends, the line ends or a capital follows: spaCy's Dutch tokenizer keeps the period on it, so
    "De groep zit vol." held the token "vol." and matched no "zit vol". It is split into the word
    and the period (titles before a name, "dr. Jansen", stay whole)."""
    strings = doc.vocab.strings
    orths = [strings[int(h)] for h in doc.to_array([ORTH])] if len(doc) else []
    exceptions = _abbreviations(doc.lang_)
    splits = []
    for i, text in enumerate(orths):
        word = text[:-1]
        if len(text) < 3 or text[-1] != "." or not word.isalpha() or not word.islower() or text not in exceptions:
            continue
        if word in TITLES:
            continue
        ends = i + 1 == len(orths) or "\n" in doc[i].whitespace_ or orths[i + 1][:1].isupper() or orths[i + 1].isspace()
        if ends:
            splits.append(i)
    if splits:
        with doc.retokenize() as retokenizer:
            for i in splits:
                token = doc[i]
                retokenizer.split(token, [token.text[:-1], "."], heads=[(token, 0), (token, 0)])
    return doc


@lru_cache(maxsize=4)
def _abbreviations(lang: str) -> frozenset[str]:
    """The tokenizer's special cases that end in a period (its abbreviations)."""
    tokenizer: Any = spacy.blank(lang).tokenizer
    return frozenset(k for k in tokenizer.rules if k.endswith("."))


@Language.component("leerlus_regelgrenzen", requires=["token.is_sent_start"], assigns=["token.is_sent_start"])
def line_boundaries(doc: spacy.tokens.Doc) -> spacy.tokens.Doc:
    """A hard line break (list item, heading, blank line) also ends a sentence. Written as one
    array: setting ``is_sent_start`` token by token checks the whole doc each time (quadratic)."""
    starts = doc.to_array([SENT_START])
    changed = False
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            starts[token.i + 1] = 1
            changed = True
    if changed:
        doc.from_array([SENT_START], starts)  # type: ignore[arg-type]
    return doc


def _analysis(
    doc: spacy.tokens.Doc, original: str, name: str, labels: dict[str, str], calibration: Calibration
) -> Analysis:
    """Spans of ``doc`` (made from the prepared text) with their text taken from the original."""
    entities = [
        Entity(s.label_, original[s.start_char : s.end_char], s.kb_id_ or None, s.start_char, s.end_char)
        for s in doc.spans.get(ENTITY_KEY, [])
    ]
    entities += [
        Entity(e.label_, original[e.start_char : e.end_char], None, e.start_char, e.end_char) for e in doc.ents
    ]
    entities.sort(key=lambda e: (e.start, e.end))
    spans = list(doc.spans.get(BLOCKER_KEY, []))
    kinds: dict[str, list[str]] = {}
    for span in spans:
        kinds.setdefault(span.label_, []).append(span.kb_id_)
    blockers = []
    for span in spans:
        start, end = _trim(original, span.start_char, span.end_char)
        confidence = calibration.confidence(span.label_, kinds[span.label_])
        label = labels.get(span.label_, span.label_)
        # The evidence as a reader sees it (links as text, no Markdown marks); the offsets stay in the original.
        evidence = readable(original[start:end])
        blockers.append(Blocker(span.label_, label, evidence, start, end, confidence, span.kb_id_))
    return Analysis(pipeline=name, entities=tuple(entities), blockers=tuple(blockers))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without surrounding whitespace and Markdown list, heading or emphasis marks."""
    while start < end and (text[start].isspace() or text[start] in "#->*_"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "*_"):
        end -= 1
    return start, end


def build_pipeline(model: str | None = None, taxonomy_dir: Path | None = None) -> Pipeline:
    """Load the trained Dutch pipeline when available, else the blank one; add our components."""
    nlp, name, reason = _base(model)
    infixes = [*(nlp.Defaults.infixes or ()), HYPHEN_INFIX]
    tokenizer: Any = nlp.tokenizer
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.add_pipe("leerlus_zinseinde", first=True)
    if not {"parser", "senter", "sentencizer"} & set(nlp.pipe_names):
        nlp.add_pipe("sentencizer")  # the blocker rules work sentence by sentence
    config = {"taxonomy_dir": str(taxonomy_dir) if taxonomy_dir else ""}
    nlp.add_pipe("leerlus_entiteiten", config=config)
    nlp.add_pipe("leerlus_blokkades", config=config)
    data_files = tuple(
        str(taxonomy_dir / f) if taxonomy_dir and (taxonomy_dir / f).is_file() else f"kb/data/{f}" for f in DATA_FILES
    )
    return Pipeline(nlp=nlp, name=name, fallback_reason=reason, data_files=data_files)


def _base(model: str | None) -> tuple[Language, str, str | None]:
    wanted = model or (DEFAULT_MODEL if spacy.util.is_package(DEFAULT_MODEL) else None)
    reason = None
    if wanted:
        try:
            nlp = spacy.load(wanted)
            version = nlp.meta.get("version", "")
            return nlp, f"{nlp.meta.get('lang', 'nl')}_{nlp.meta.get('name', wanted)} {version}".strip(), None
        except (OSError, ImportError, ValueError) as exc:
            reason = (
                f"model '{wanted}' kon niet worden geladen ({exc.__class__.__name__}); "
                "lege Nederlandse pijplijn gebruikt"
            )
    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("leerlus_regelgrenzen")
    nlp.initialize()
    return nlp, "spacy.blank('nl') + lookup-lemmatizer + sentencizer", reason


_cache: dict[tuple[str | None, str | None], Pipeline] = {}
_lock = threading.Lock()


def get_pipeline(model: str | None = None, taxonomy_dir: Path | None = None) -> Pipeline:
    """The pipeline for these settings, built once per process."""
    key = (model, str(taxonomy_dir) if taxonomy_dir else None)
    with _lock:
        if key not in _cache:
            _cache[key] = build_pipeline(model, taxonomy_dir)
        return _cache[key]


def _free_lock_in_child() -> None:
    """A forked worker starts with a free lock (see :func:`ingest.gate._free_locks_in_child`)."""
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_free_lock_in_child)
