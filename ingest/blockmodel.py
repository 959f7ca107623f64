"""Extraction stage: the learned blocker model beside the rules.

A spaCy ``textcat_multilabel`` (bag of words and word pairs, lower-cased) trained on labelled case
texts by ``bench/train_blockers.py`` and shipped in ``kb/data/blokkademodel``. It gives, per text,
a probability for each blocker code. The pipeline uses it to weigh what the rules found (see
:func:`cell_of`): a finding the model disagrees with gets the lower confidence measured for that
cell. Without the model directory the rules work alone. Loaded once per process, lazily.
"""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.training import Example

MODEL_DIR = Path(__file__).resolve().parent.parent / "kb" / "data" / "blokkademodel"
HASH_LENGTH = 2**15
EPOCHS = 15
_lock = threading.Lock()
_loaded: dict[str, Language | None] = {}


def build_model(codes: Sequence[str]) -> Language:
    nlp = spacy.blank("nl")
    config = {
        "model": {
            "@architectures": "spacy.TextCatBOW.v3",
            "exclusive_classes": False,
            "ngram_size": 2,
            "no_output_layer": False,
            "length": HASH_LENGTH,
        }
    }
    textcat: Any = nlp.add_pipe("textcat_multilabel", config=config)
    for code in codes:
        textcat.add_label(code)
    return nlp


def train(nlp: Language, data: Iterable[tuple[str, set[str]]], seed: int = 7) -> Language:
    """Fit the model on (text, codes) pairs; deterministic for a given seed."""
    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    labels = list(nlp.get_pipe("textcat_multilabel").labels)  # type: ignore[attr-defined]
    examples = [
        Example.from_dict(nlp.make_doc(text.lower()), {"cats": {c: float(c in codes) for c in labels}})
        for text, codes in data
    ]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(EPOCHS):
        random.shuffle(examples)
        for batch in spacy.util.minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    return nlp


def load(path: Path = MODEL_DIR) -> Language | None:
    """The shipped model, or ``None`` when it is not there (the rules then work alone)."""
    key = str(path)
    with _lock:
        if key not in _loaded:
            _loaded[key] = spacy.load(path) if (path / "meta.json").is_file() else None
        return _loaded[key]


def _free_lock_in_child() -> None:
    """A forked worker starts with a free lock (see :func:`ingest.gate._free_locks_in_child`)."""
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_free_lock_in_child)


def cell_of(rule_confidence: float, probability: float, agree: float, strong: float) -> str:
    """Which calibrated cell a recognised (text, code) falls in: ``sterke regel`` (the rule alone
    is calibrated at ``strong`` or more), ``regel+model`` (the model agrees: probability at least
    ``agree``) or ``regel`` (the model does not agree)."""
    if rule_confidence >= strong:
        return "sterke regel"
    return "regel+model" if probability >= agree else "regel"
