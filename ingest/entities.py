"""Extraction stage: a spaCy component that marks laws, bodies and provisions by canonical name.

Reads the gazetteers (``wetten.yaml``, ``instanties.yaml``, ``voorzieningen.yaml``) and matches
every variant on lower-case form and on lemma; long single words also match with one or two typing
errors (``samenwerkingsverbnd``). Spans go to ``doc.spans["entiteiten"]`` with the label (WET,
INSTANTIE, VOORZIENING) and the canonical name as ``kb_id_``; the model's own ``doc.ents`` are left
alone.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ingest.patterns import lemmatizer_for, token_strings
from kb.taxonomy import load_taxonomy

SPAN_KEY = "entiteiten"
FUZZY_MIN = 7  # words shorter than this must be spelled right
FUZZY_TWO = 12  # from this length two typing errors are allowed


@Language.factory(
    "leerlus_entiteiten",
    default_config={"taxonomy_dir": ""},
    assigns=["doc.spans"],
)
def make_entity_tagger(nlp: Language, name: str, taxonomy_dir: str) -> EntityTagger:
    return EntityTagger(nlp, taxonomy_dir=taxonomy_dir)


class EntityTagger:
    """Marks gazetteer entries in a doc; exact matches win over fuzzy ones, longer over shorter."""

    def __init__(self, nlp: Language, *, taxonomy_dir: str = "") -> None:
        taxonomy = load_taxonomy(Path(taxonomy_dir) if taxonomy_dir else None)
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        lemmatize = lemmatizer_for(nlp)
        exact_words: set[str] = set()
        fuzzy: dict[str, list[tuple[str, str, int]]] = {}  # first two letters -> (variant, key, edits)
        for label, terms in taxonomy.gazetteer.items():
            for term in terms:
                key = f"{label}|{term.code}"
                variants = list(dict.fromkeys([term.code.lower(), *(str(v).lower() for v in term.extra["varianten"])]))
                docs = [nlp.make_doc(v) for v in variants]
                self.lower.add(key, docs)
                if lemmatize is not None:
                    lemmas = [lemmatize(v) for v in variants]
                    self.lemma.add(key, [Doc(nlp.vocab, words=words, lemmas=words) for words in lemmas])
                for doc in docs:
                    if len(doc) == 1:
                        exact_words.add(doc[0].lower_)
                        if len(doc[0]) >= FUZZY_MIN:
                            edits = 2 if len(doc[0]) >= FUZZY_TWO else 1
                            fuzzy.setdefault(doc[0].lower_[:2], []).append((doc[0].lower_, key, edits))
        self._exact_words = frozenset(exact_words)
        self._fuzzy_variants = fuzzy
        self._typo = lru_cache(maxsize=100_000)(self._typo_uncached)

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for matcher in (self.lower, self.lemma):
            for match_id, start, end in matcher(doc):
                spans.append(self._span(doc, doc.vocab.strings[match_id], start, end))
        exact = {s.start for s in spans}
        words, _lemmas = token_strings(doc)
        for i, word in enumerate(words):
            if i not in exact and len(word) >= FUZZY_MIN:
                key = self._typo(word)
                if key is not None:
                    spans.append(self._span(doc, key, i, i + 1))
        doc.spans[SPAN_KEY] = sorted(filter_spans(spans), key=lambda s: s.start)
        return doc

    def _typo_uncached(self, word: str) -> str | None:
        """The key of the variant ``word`` is a misspelling of: same first two letters, one or two
        edits away; a correctly spelled other known word is no typo."""
        if word in self._exact_words or not word.isalpha():
            return None
        for variant, key, edits in self._fuzzy_variants.get(word[:2], ()):
            if abs(len(variant) - len(word)) <= edits and edit_distance(word, variant, edits) <= edits:
                return key
        return None

    @staticmethod
    def _span(doc: Doc, key: str, start: int, end: int) -> Span:
        label, canonical = key.split("|")[:2]
        return Span(doc, start, end, label=label, kb_id=canonical)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` as soon as it must exceed ``limit``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
