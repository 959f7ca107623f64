"""Command-line stage: a sign of life on stderr while a slow step runs.

Loading the anonymisation gate takes seconds (the very first time after installation minutes,
while deduce builds its lookup structures); finding precedents and checking long texts take a
while too. On a terminal the user sees a spinner with what is happening; when stderr is a pipe or
a file nothing is written, so output stays clean for scripts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

from kb.settings import Settings

if TYPE_CHECKING:
    from ingest.gate import Gate
    from ingest.pipeline import Pipeline


@contextmanager
def busy(console: Console, text: str) -> Iterator[None]:
    """A spinner with ``text`` on ``console`` while the block runs, if it is a terminal."""
    if not console.is_terminal:
        yield
        return
    with console.status(text):
        yield


def load_gate(console: Console, settings: Settings) -> Gate:
    """The anonymisation gate of this process, loaded with a sign of life."""
    from ingest.gate import get_gate

    gate = get_gate(settings.taxonomy_dir, settings.spacy_model)
    if not gate.loaded:
        with busy(console, "Anonimiseringspoort laden…"):
            gate.load()
    return gate


def load_pipeline(console: Console, settings: Settings) -> Pipeline:
    """The language pipeline of this process, loaded with a sign of life."""
    from ingest.pipeline import get_pipeline

    with busy(console, "Taalpijplijn laden…"):
        return get_pipeline(settings.spacy_model, settings.taxonomy_dir)
