"""The translation memory as TMX 1.4: reading an uploaded file's ar->en units, and writing
the memory's entries.

A unit is imported when it has an Arabic and an English variant (`xml:lang` "ar" and "en",
any region: "ar-SY", "en-GB"), both fit for a sentence. Inline codes (`bpt`, `ept`, `it`,
`ph`, `ut`) are dropped from segments; the text of `hi` is kept. A unit this service
exported as a machine translation (`<prop type="x-tarjama-origin">machine</prop>`) is
not taken for a reviewed one.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import Element
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from service.app.schemas import MAX_SENTENCE_CHARS, clean_sentence_text, has_arabic_letter
from service.app.xliff import TOOL_VERSION
from service.app.xml_safe import XML_LANG, XmlFileError, inline_text, local_name, xml_text

ORIGIN_PROP = "x-tarjama-origin"
TMX_INLINE_CODES = ("bpt", "ept", "it", "ph", "ut")


@dataclass(frozen=True)
class TmxPair:
    """One importable unit: its position in the file (from 1), Arabic and English."""

    number: int
    ar: str
    en: str


@dataclass(frozen=True)
class TmxRejection:
    number: int
    error: str


def _language(tuv: Element) -> str:
    lang = tuv.get(XML_LANG) or tuv.get("lang") or ""  # `lang`: TMX 1.1
    return lang.replace("_", "-").split("-")[0].strip().lower()


def _segment(tuv: Element) -> str | None:
    seg = next((child for child in tuv if local_name(child) == "seg"), None)
    return None if seg is None else inline_text(seg, TMX_INLINE_CODES)


def clean_source(text: str) -> str:
    """An Arabic sentence trimmed and checked; ValueError says what is wrong with it."""
    text = text.strip()
    if not text:
        raise ValueError("the Arabic segment is empty")
    if len(text) > MAX_SENTENCE_CHARS:
        raise ValueError(f"the Arabic segment is longer than {MAX_SENTENCE_CHARS} characters")
    if not has_arabic_letter(text):
        raise ValueError("the Arabic segment has no Arabic letter")
    return text


def _pair(number: int, tu: Element) -> TmxPair:
    props = {p.get("type"): (p.text or "").strip() for p in tu if local_name(p) == "prop"}
    if props.get(ORIGIN_PROP) == "machine":
        raise ValueError(f"a machine translation ({ORIGIN_PROP} machine), not a reviewed one")
    segments: dict[str, str | None] = {}
    for tuv in (child for child in tu if local_name(child) == "tuv"):
        segments.setdefault(_language(tuv), _segment(tuv))
    texts: dict[str, str] = {}
    for lang, name in (("ar", "Arabic"), ("en", "English")):
        if lang not in segments:
            raise ValueError(f"no {name} ({lang}) variant")
        text = segments[lang]
        if text is None:
            raise ValueError(f"the {name} variant has no <seg>")
        texts[lang] = text
    ar = clean_source(texts["ar"])
    try:
        en = clean_sentence_text(texts["en"])
    except ValueError as exc:
        raise ValueError(f"the English segment: {exc}") from None
    return TmxPair(number, ar, en)


def read_pairs(root: Element) -> Iterator[TmxPair | TmxRejection]:
    """Each `<tu>` of a parsed TMX file, in order: a pair, or why it is rejected.
    XmlFileError when the document is no TMX."""
    if local_name(root) != "tmx":
        raise XmlFileError(f"not a TMX file: the root element is <{local_name(root)}>, not <tmx>")
    body = next((child for child in root if local_name(child) == "body"), None)
    if body is None:
        raise XmlFileError("the TMX file has no <body>")
    for number, tu in enumerate((c for c in body if local_name(c) == "tu"), start=1):
        try:
            yield _pair(number, tu)
        except ValueError as exc:
            yield TmxRejection(number, str(exc))


def tmx_head() -> str:
    created = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<tmx version="1.4">\n'
        f'  <header creationtool="tarjama" creationtoolversion="{TOOL_VERSION}" '
        'segtype="sentence" o-tmf="tarjama" adminlang="en" srclang="ar" '
        f'datatype="plaintext" creationdate="{created}"/>\n'
        "  <body>"
    )


TMX_TAIL = "\n  </body>\n</tmx>\n"


def tmx_unit(
    source: str, target: str, props: dict[str, str | None], attrs: dict[str, str] | None = None
) -> str:
    """One `<tu>` with `attrs`: the Arabic and English segments, `props` (those not None)."""
    buffer = io.StringIO()
    xml = XMLGenerator(buffer, encoding="utf-8", short_empty_elements=True)
    xml.ignorableWhitespace("\n    ")
    xml.startElement("tu", AttributesImpl({k: xml_text(v) for k, v in (attrs or {}).items()}))
    for prop, value in props.items():
        if value is not None:
            xml.startElement("prop", AttributesImpl({"type": prop}))
            xml.characters(xml_text(value))
            xml.endElement("prop")
    for lang, text in (("ar", source), ("en", target)):
        xml.startElement("tuv", AttributesImpl({"xml:lang": lang}))
        xml.startElement("seg", AttributesImpl({}))
        xml.characters(xml_text(text))
        xml.endElement("seg")
        xml.endElement("tuv")
    xml.endElement("tu")
    return buffer.getvalue()


async def memory_tmx(units: AsyncIterator[str]) -> AsyncIterator[str]:
    """A whole TMX document around `units` (each from `tmx_unit`)."""
    yield tmx_head()
    async for unit in units:
        yield unit
    yield TMX_TAIL
