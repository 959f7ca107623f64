"""Extraction stage: a spaCy component that finds domain-boundary blockers, clause by clause.

The rules are data (``signalen`` in ``blokkades.yaml``, word groups in ``signaalwoorden.yaml``): a
blocker is found in a clause when every part of one of its rules is present, for example a body of
the neighbouring domain (the CIZ) together with a refusal ("wees de aanvraag af"). A signal word
right after 'geen', 'zonder', 'nooit' or 'niet' does not count ("er was geen discussie"), and a clause
with a neutral phrase ("speelde geen rol") does not count at all, so a law named in passing stays an
entity and not a blocker. Found blockers go to ``doc.spans["blokkades"]`` as the evidence sentence,
with the kind of rule that fired as the span's ``kb_id`` (``enkel``: one signal group; ``samengesteld``:
several groups in one clause; ``over-zinnen``: several groups over two sentences), which the
calibration in ``kalibratie.yaml`` turns into a confidence.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.entities import SPAN_KEY as ENTITY_KEY
from ingest.patterns import Pattern, PatternIndex, compile_pattern, lemmatizer_for
from kb.taxonomy import load_taxonomy

SPAN_KEY = "blokkades"
NEUTRAL = "neutraal"
NEGATORS = frozenset({"geen", "zonder", "nooit"})
NEGATION_WINDOW = 2
CLAUSE_BREAKS = frozenset({"maar", ";", "echter", "terwijl"})
ENTITY_PREFIXES = ("WET:", "INSTANTIE:", "VOORZIENING:")


@Language.factory(
    "leerlus_blokkades",
    default_config={"taxonomy_dir": ""},
    assigns=["doc.spans"],
    requires=["doc.spans", "token.is_sent_start"],
)
def make_blocker_finder(nlp: Language, name: str, taxonomy_dir: str) -> BlockerFinder:
    return BlockerFinder(nlp, taxonomy_dir=taxonomy_dir)


class BlockerFinder:
    """Applies the blocker rules to every clause of every sentence."""

    def __init__(self, nlp: Language, *, taxonomy_dir: str = "") -> None:
        taxonomy = load_taxonomy(Path(taxonomy_dir) if taxonomy_dir else None)
        self.entity_groups: dict[str, set[str]] = defaultdict(set)  # "WET:x" -> groups naming it
        lemmatize = lemmatizer_for(nlp)
        compiled: list[tuple[str, Pattern]] = []
        for group, patterns in taxonomy.signal_groups.items():
            for pattern in patterns:
                if pattern.startswith(ENTITY_PREFIXES):
                    self.entity_groups[pattern].add(group)
                else:
                    compiled.append((group, compile_pattern(nlp, pattern, lemmatize)))
        self.index = PatternIndex(compiled)
        # Each rule: (code, parts); a part is a set of alternative groups, every part must be present.
        self.rules: list[tuple[str, list[frozenset[str]]]] = []
        known = set(taxonomy.signal_groups)
        for term in taxonomy.blokkades:
            for rule in term.extra.get("signalen", []):
                parts = [frozenset(p.strip() for p in str(part).split("|")) for part in rule]
                unknown = set().union(*parts) - known
                if unknown:
                    raise ValueError(f"blokkade {term.code}: onbekende signaalgroep(en) {sorted(unknown)}")
                self.rules.append((term.code, parts))

    def __call__(self, doc: Doc) -> Doc:
        """Every step is linear in the text (up to a log factor): hits are sorted once and each
        clause looks only at the hits that start inside it."""
        hits, negated = self._group_hits(doc)
        hits.sort(key=lambda hit: hit[1])
        starts = [hit[1] for hit in hits]
        negated.sort()
        found: dict[tuple[str, int], Span] = {}
        seen: dict[str, list[int]] = defaultdict(list)  # code -> sorted starts of its findings
        sentences = [s for s in doc.sents if not s.text.isspace()]
        clause_counts = [len(_clauses(sent)) for sent in sentences]
        groups = [self._present(hits, starts, sent) for sent in sentences]
        for sent, clauses in zip(sentences, groups, strict=True):
            for present in clauses:
                self._apply(found, seen, present, sent, sent, multi_only=False)
        # A boundary is often set out over two sentences: the body in one, the refusal in the next.
        # Not when either sentence denies something ("er was geen discussie") or is neutral.
        denies = [_any_between(negated, sent.start, sent.end) for sent in sentences]
        for i in range(len(sentences) - 1):
            if denies[i] or denies[i + 1]:
                continue
            if any(len(groups[j]) < clause_counts[j] for j in (i, i + 1)):
                continue
            present = set().union(*groups[i], *groups[i + 1])
            self._apply(found, seen, present, sentences[i], sentences[i + 1], multi_only=True)
        doc.spans[SPAN_KEY] = sorted(found.values(), key=lambda s: (s.start, s.label_))
        return doc

    @staticmethod
    def _present(hits: list[tuple[str, int, int]], starts: list[int], sent: Span) -> list[set[str]]:
        """The signal groups present per clause of a sentence; neutral clauses are left out.
        ``hits`` are sorted by start and ``starts`` are their starts."""
        out = []
        for start, end in _clauses(sent):
            present = set()
            for i in range(bisect_left(starts, start), len(hits)):
                group, hit_start, hit_end = hits[i]
                if hit_start >= end:
                    break
                if hit_end <= end:
                    present.add(group)
            if NEUTRAL not in present:
                out.append(present)
        return out

    def _apply(
        self,
        found: dict[tuple[str, int], Span],
        seen: dict[str, list[int]],
        present: set[str],
        first: Span,
        last: Span,
        *,
        multi_only: bool,
    ) -> None:
        for code, parts in self.rules:
            if multi_only and len(parts) < 2:
                continue
            if _any_between(seen[code], first.start, last.end):
                continue
            if all(part & present for part in parts):
                kind = "over-zinnen" if multi_only else ("enkel" if len(parts) == 1 else "samengesteld")
                found[(code, first.start)] = Span(first.doc, first.start, last.end, label=code, kb_id=kind)
                insort(seen[code], first.start)

    def _group_hits(self, doc: Doc) -> tuple[list[tuple[str, int, int]], list[int]]:
        """Every (group, start, end) present in the doc, and the token positions of negated
        signal words, which are left out of the hits."""
        hits = []
        negated = []
        for group, start, end in self.index.find(doc):
            if _negated(doc, start):
                if group != NEUTRAL:  # a denied problem; a denied solution ("niet opgelost") is no solution
                    negated.append(start)
                continue
            hits.append((group, start, end))
        for span in doc.spans.get(ENTITY_KEY, []):
            for group in self.entity_groups.get(f"{span.label_}:{span.kb_id_}", ()):
                hits.append((group, span.start, span.end))
        return hits, negated


def _any_between(ordered: list[int], start: int, end: int) -> bool:
    """Whether the sorted list holds a value in ``[start, end)``."""
    i = bisect_left(ordered, start)
    return i < len(ordered) and ordered[i] < end


def _negated(doc: Doc, start: int) -> bool:
    if doc[start].lower_ in NEGATORS or doc[start].lower_ == "niet":
        return False  # the pattern itself carries the negation ("geen plek", "niet vergoed")
    sent_start = doc[start].sent.start
    before = [doc[i].lower_ for i in range(max(sent_start, start - NEGATION_WINDOW), start)]
    return bool(NEGATORS.intersection(before)) or (bool(before) and before[-1] == "niet")


def _clauses(sent: Span) -> list[tuple[int, int]]:
    """Token ranges of the clauses of a sentence, split at 'maar', ';' and the like."""
    bounds = [sent.start]
    for token in sent:
        if token.lower_ in CLAUSE_BREAKS and token.i > sent.start:
            bounds.append(token.i)
    bounds.append(sent.end)
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
