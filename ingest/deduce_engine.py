"""Anonymisation gate stage, its engine: deduce, loaded quietly and held to linear work.

deduce extends every name annotation with the tokens around it (its ``ContextAnnotator``: an
initial to the left, an interfix and surname to the right, another name-like word) and repeats
until nothing changes. Each name-like word starts an annotation of its own, so a run of n such
words ("Jan Jan Jan ...") grows n annotations by one token per round, for n rounds: cubic in the
text. 1,600 characters took 19 s and 10,000 ran out of memory, which let one short form field hold
the gate (and every other request waiting for it) for minutes.

deduce's last step writes a redacted text that the gate never reads (it takes deduce's annotations
and redacts with :mod:`ingest.redaction`); that step compares every annotation with every earlier
group, quadratic in the number of findings, so :func:`load_deduce` leaves it out.

A name is a handful of tokens, so :func:`load_deduce` caps the rounds at :data:`MAX_CONTEXT_ROUNDS`.
A longer run of names is still found whole: every capped annotation overlaps the next, and deduce
and the gate join overlapping findings. The work is linear in the text. With the cap the gate
finds exactly the same on all 616 texts of the privacy sets and the sample corpus (even with two
rounds), and whole names such as ``J.P.M. van der Berg-de Vries`` stay one finding
(``tests/test_limits.py``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

MAX_CONTEXT_ROUNDS = 4


def load_deduce() -> Any:
    """Import and build deduce without letting it reconfigure logging (it sets the root logger to
    DEBUG on stdout at import, which would mix its output, and texts, into ours), with the rounds
    of its context annotators capped."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from deduce import Deduce

        for name in ("deduce", "docdeid"):
            logging.getLogger(name).setLevel(logging.WARNING)
        root.setLevel(logging.WARNING)
        deduce = Deduce()
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    bound_context_rounds(deduce.processors)
    with contextlib.suppress(KeyError):
        deduce.processors["post_processing"].remove_processor("redactor")  # the gate reads annotations only
    return deduce


def bound_context_rounds(group: Any) -> int:
    """Cap the rounds of every context annotator in a deduce processor group (nested groups
    included); returns how many annotators were capped."""
    from deduce.annotator import ContextAnnotator
    from docdeid.process.doc_processor import DocProcessorGroup

    capped = 0
    for name in group.get_names(recursive=False):
        processor = group[name]
        if isinstance(processor, DocProcessorGroup):
            capped += bound_context_rounds(processor)
        elif isinstance(processor, ContextAnnotator):
            processor._annotate = _bounded(processor)  # the instance attribute shadows the method
            capped += 1
    return capped


def _bounded(annotator: Any) -> Callable[..., Any]:
    """deduce's ``ContextAnnotator._annotate`` with at most :data:`MAX_CONTEXT_ROUNDS` rounds:
    the same steps, but the recursion on changed annotations stops at the cap."""
    from docdeid import AnnotationSet

    def annotate(text: str, annotations: Any, rounds_left: int | None = None) -> Any:
        rounds_left = MAX_CONTEXT_ROUNDS if rounds_left is None else rounds_left
        original = annotations.copy()
        for pattern in annotator.pattern:
            annotations = annotator._apply_context_pattern(text, annotations, pattern)
        if annotator.iterative and rounds_left > 1:
            changed = AnnotationSet(annotations.difference(original))
            annotations = AnnotationSet(annotations.intersection(original))
            if changed:
                annotations.update(annotate(text, changed, rounds_left - 1))
        return annotations

    return annotate
