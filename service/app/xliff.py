"""XLIFF 1.2 for CAT tools: writing articles out, reading the units of a file sent back.

XLIFF 1.2 rather than 2.x: it is the version every CAT tool reads and writes (Trados,
memoQ, Phrase, OmegaT, Okapi, Weblate), and the one they send back unchanged in shape.
Exports validate against the official `xliff-core-1.2-strict.xsd`.

One `<file>` per article, one `<group>` per paragraph, one `<trans-unit>` per sentence,
with the id `{article}-{paragraph}-{sentence}` (indexes from 0, as in the API). The
target's `state` says whose English it is: `needs-review-translation` for a machine
translation (`state-qualifier` `mt-suggestion`, or `leveraged-tm` when it came from the
translation memory), `final` (and `approved="yes"`) for a reviewer's English.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from service.app.schemas import ArticlePublic, SentencePublic
from service.app.xml_safe import XmlFileError, inline_text, local_name, xml_text

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
TOOL_VERSION = "0.1.0"
# Inline elements whose content is native code, not text.
XLIFF_INLINE_CODES = ("bpt", "ept", "it", "ph", "x", "bx", "ex")
UNIT_ID_RE = re.compile(r"^(?P<article>[0-9a-f]{32})-(?P<paragraph>\d{1,9})-(?P<sentence>\d{1,9})$")

XLIFF_TAIL = "\n</xliff>\n"


def xliff_head() -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="{XLIFF_NS}">'


def unit_id(article_id: str, paragraph: int, sentence: int) -> str:
    return f"{article_id}-{paragraph}-{sentence}"


def _state(sentence: SentencePublic) -> dict[str, str]:
    if sentence.provenance == "edited":
        return {"state": "final"}
    qualifier = "leveraged-tm" if sentence.provenance == "memory" else "mt-suggestion"
    return {"state": "needs-review-translation", "state-qualifier": qualifier}


def xliff_file(article: ArticlePublic) -> Iterable[str]:
    """The article as one `<file>` element."""
    buffer = io.StringIO()
    xml = XMLGenerator(buffer, encoding="utf-8", short_empty_elements=True)
    xml.ignorableWhitespace("\n  ")
    file_attrs = {
        "original": f"tarjama/articles/{article.id}",
        "source-language": "ar",
        "target-language": "en",
        "datatype": "plaintext",
        "tool-id": "tarjama",
    }
    xml.startElement("file", AttributesImpl(file_attrs))
    xml.ignorableWhitespace("\n    ")
    xml.startElement("header", AttributesImpl({}))
    tool = {"tool-id": "tarjama", "tool-name": "tarjama", "tool-version": TOOL_VERSION}
    xml.startElement("tool", AttributesImpl(tool))
    xml.endElement("tool")
    if article.external_id:
        xml.startElement("note", AttributesImpl({"from": "tarjama"}))
        xml.characters(xml_text(f"external id: {article.external_id}"))
        xml.endElement("note")
    xml.endElement("header")
    xml.ignorableWhitespace("\n    ")
    xml.startElement("body", AttributesImpl({}))
    for p in article.paragraphs:
        xml.ignorableWhitespace("\n      ")
        xml.startElement("group", AttributesImpl({"id": f"{article.id}-{p.index}"}))
        for s in p.sentences:
            attrs = {"id": unit_id(article.id, p.index, s.index)}
            if s.edited:
                attrs["approved"] = "yes"
            xml.ignorableWhitespace("\n        ")
            xml.startElement("trans-unit", AttributesImpl(attrs))
            xml.startElement("source", AttributesImpl({"xml:lang": "ar"}))
            xml.characters(xml_text(s.ar))
            xml.endElement("source")
            xml.startElement("target", AttributesImpl({"xml:lang": "en"} | _state(s)))
            xml.characters(xml_text(s.en))
            xml.endElement("target")
            xml.endElement("trans-unit")
        xml.ignorableWhitespace("\n      ")
        xml.endElement("group")
    xml.ignorableWhitespace("\n    ")
    xml.endElement("body")
    xml.ignorableWhitespace("\n  ")
    xml.endElement("file")
    yield buffer.getvalue()


@dataclass(frozen=True)
class XliffUnit:
    """A `<trans-unit>` read back: its position in the file (from 1), id, source and target
    text (None when it has no target)."""

    position: int
    id: str
    source: str
    target: str | None


def read_units(root: Element) -> Iterator[XliffUnit]:
    """Every `<trans-unit>` of a parsed XLIFF 1.2 file, in order; XmlFileError when the
    document is not XLIFF 1.x."""
    if local_name(root) != "xliff":
        raise XmlFileError(
            f"not an XLIFF file: the root element is <{local_name(root)}>, not <xliff>"
        )
    version = root.get("version", "")
    if not version.startswith("1."):
        raise XmlFileError(f"XLIFF version {version or '(none)'} is not read here: send XLIFF 1.2")
    position = 0
    for unit in root.iter():
        if local_name(unit) != "trans-unit":
            continue
        position += 1
        source = next((c for c in unit if local_name(c) == "source"), None)
        target = next((c for c in unit if local_name(c) == "target"), None)
        yield XliffUnit(
            position=position,
            id=unit.get("id", ""),
            source="" if source is None else inline_text(source, XLIFF_INLINE_CODES),
            target=None if target is None else inline_text(target, XLIFF_INLINE_CODES),
        )
