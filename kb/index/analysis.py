"""Dutch text analysis for the index: tokens -> lower case -> no accents -> no stop words -> stems.

Text is split on anything that is not a letter or digit (``Wlz-indicatie`` yields ``wlz`` and
``indicatie``), folded to lower case without accents (``geïndiceerd`` = ``geindiceerd``), stripped of
Dutch stop words and reduced with the Snowball Dutch stemmer (``thuiszitters`` -> ``thuiszitter``).
The same analyzer runs at index and query time, and for snippets.
"""

from __future__ import annotations

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

TOKEN_PATTERN = r"\w+"


def dutch_stopwords() -> frozenset[str]:
    """Snowball's Dutch stop words, accent-folded like the tokens they are compared with."""
    return frozenset(word.translate(accent_map) for word in stopwords_for_language("nl"))


def dutch_analyzer() -> Analyzer:
    """The analyzer for every full-text field of the index."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=dutch_stopwords(), minsize=1)
        | StemFilter(lang="nl", cachesize=50_000)
    )
