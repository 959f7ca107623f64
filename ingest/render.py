"""Rendering stage: the Markdown body becomes sanitised HTML and plain text for the index.

``[[case-id]]`` (or ``[[case-id|tekst]]``) becomes a link to that case through a Python-Markdown
inline processor, not a regex over the produced HTML. Whatever HTML an author writes is cleaned
by ``nh3``: no scripts, styles, event handlers or foreign schemes reach a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import (
    IMAGE_LINK_RE,
    LINK_RE,
    ImageInlineProcessor,
    InlineProcessor,
    LinkInlineProcessor,
)
from markdown.treeprocessors import Treeprocessor

from kb.snippets import block_end, link_marker, show_links

CASE_LINK = r"\[\[([A-Za-z0-9][A-Za-z0-9._-]{0,199})(?:\|([^\]\n]{1,200}))?\]\]"
CASE_URL = "/casus/{id}"
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
    "del", "ins", "sup", "sub", "mark", "blockquote", "code", "pre", "ul", "ol", "li", "dl",
    "dt", "dd", "a", "table", "thead", "tbody", "tr", "th", "td", "caption", "abbr", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "data-case"},
    "mark": {"class", "title", "data-label", "data-canoniek"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
BLOCK_TAGS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "br",
    "hr",
}


def case_links(text: str) -> list[str]:
    """Ids linked with ``[[id]]`` in a Markdown text, in order, without repeats."""
    return list(dict.fromkeys(m.group(1) for m in re.finditer(CASE_LINK, text)))


class _CaseLinkProcessor(InlineProcessor):
    def handleMatch(  # type: ignore[override]  # noqa: N802
        self, m: re.Match[str], data: str
    ) -> tuple[ElementTree.Element, int, int]:
        case_id, label = m.group(1), m.group(2)
        el = ElementTree.Element("a")
        el.set("href", CASE_URL.format(id=case_id))
        el.set("class", "casuslink")
        el.set("data-case", case_id)
        el.text = (label or case_id).strip()
        return el, m.start(0), m.end(0)


SKIP_MARKS = {"a", "code", "pre"}


class _EntityMarker(Treeprocessor):
    """Wraps known entity texts in <mark> (text outside links and code only)."""

    def __init__(self, md: markdown.Markdown, marks: dict[str, tuple[str, str]]) -> None:
        super().__init__(md)
        self.marks = marks
        words = sorted(marks, key=len, reverse=True)
        self.pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)

    def run(self, root: ElementTree.Element) -> None:
        self._walk(root)

    def _walk(self, element: ElementTree.Element) -> None:
        for child in list(element):
            if child.tag not in SKIP_MARKS:
                self._walk(child)
            self._mark_tail(element, child)
        self._mark_text(element)

    def _build(self, text: str) -> tuple[str, list[ElementTree.Element]]:
        """Split ``text`` into leading text and <mark> elements whose tails hold the rest."""
        pieces = self.pattern.split(text)
        lead, created = pieces[0], []
        for i in range(1, len(pieces), 2):
            label, canonical = self.marks[pieces[i].lower()]
            mark = ElementTree.Element("mark")
            mark.set("class", f"entiteit entiteit-{label.lower()}")
            mark.set("title", f"{label.capitalize()}: {canonical}")
            mark.set("data-label", label)
            mark.set("data-canoniek", canonical)
            mark.text = pieces[i]
            mark.tail = pieces[i + 1]
            created.append(mark)
        return lead, created

    def _mark_text(self, element: ElementTree.Element) -> None:
        if element.tag in SKIP_MARKS or not element.text:
            return
        lead, created = self._build(element.text)
        if created:
            element.text = lead
            for offset, mark in enumerate(created):
                element.insert(offset, mark)

    def _mark_tail(self, parent: ElementTree.Element, child: ElementTree.Element) -> None:
        if not child.tail:
            return
        lead, created = self._build(child.tail)
        if created:
            child.tail = lead
            index = list(parent).index(child)
            for offset, mark in enumerate(created, start=1):
                parent.insert(index + offset, mark)


class _EntityMarkExtension(Extension):
    def __init__(self, marks: dict[str, tuple[str, str]]) -> None:
        super().__init__()
        self.marks = marks

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.treeprocessors.register(_EntityMarker(md, self.marks), "leerlus_entities", 5)


# How far past "(" a link's end is looked for. Python-Markdown reads to the end of the paragraph for
# every "[text](" that never closes: quadratic (20,000 characters of "[a](" took 5 s). No real link
# target with its title is this long (a web address of 500 characters is already rare).
MAX_LINK_CHARS = 500


class _BoundedLinkEnd:
    """Python-Markdown's ``getLink`` on at most :data:`MAX_LINK_CHARS` characters after "("."""

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:  # noqa: N802
        if data.find(")", index, index + MAX_LINK_CHARS) < 0:  # nothing can close it: say so without a loop
            return "", None, index, False
        href, title, end, handled = super().getLink(data[index : index + MAX_LINK_CHARS], 0)  # type: ignore[misc]
        return href, title, index + end, handled


class _BoundedLink(_BoundedLinkEnd, LinkInlineProcessor):
    pass


class _BoundedImage(_BoundedLinkEnd, ImageInlineProcessor):
    pass


class CaseLinkExtension(Extension):
    """Registers the ``[[id]]`` processor ahead of Markdown's own link patterns."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(_CaseLinkProcessor(CASE_LINK, md), "leerlus_caselink", 175)
        md.inlinePatterns.register(_BoundedLink(LINK_RE, md), "link", 160)  # replaces the unbounded one
        md.inlinePatterns.register(_BoundedImage(IMAGE_LINK_RE, md), "image_link", 150)


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str


def render(body: str, marks: dict[str, tuple[str, str]] | None = None) -> Rendered:
    """Markdown body -> (sanitised HTML, plain text). ``marks`` maps entity texts (lower case) to
    (label, canonical name); their occurrences are wrapped in ``<mark class="entiteit ...">``."""
    extensions: list[Extension | str] = ["tables", "sane_lists", "fenced_code", CaseLinkExtension()]
    if marks:
        extensions.append(_EntityMarkExtension(marks))
    md = markdown.Markdown(extensions=extensions, output_format="html")
    raw_html = md.convert(body)
    clean = nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Rendered(html=clean, text=html_to_text(clean))


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.link_id: str | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "a":
            self.link_id = dict(attrs).get("data-case")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.link_id = None
        if tag in BLOCK_TAGS:
            # a heading or item without closing punctuation: a snippet must not run it into the next
            block = "".join(self.parts).rsplit("\n", 1)[-1]
            self.parts.append(block_end(show_links(block, escape=False)) + "\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        # A bare [[id]] link shows the id; ids are not words of the case, so the index gets a
        # marker without words that the snippet renderer (kb.snippets) shows as the id again.
        if self.link_id is not None and data.strip() == self.link_id:
            self.parts.append(link_marker(self.link_id))
        else:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text of rendered HTML for the index: one block per line, a bare case link
    as a :func:`kb.snippets.link_marker` (no words, but snippets can show which case it was)."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return "\n".join(line for line in lines if line)
