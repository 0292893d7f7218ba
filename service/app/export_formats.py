"""Exports of finished articles: JSONL (full results), TMX 1.4 (sentence pairs, with the
glossary terms applied as a prop) and CSV (paragraph pairs). Each is a stream of text
chunks, so a batch of any size exports in flat memory. Reviewer corrections replace the
machine translation wherever they exist.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from enum import StrEnum
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from service.app.schemas import ArticlePublic

TOOL_VERSION = "0.1.0"
# Characters XML 1.0 forbids; they cannot appear in a TMX file even escaped.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CSV_HEADER = ["article_id", "external_id", "paragraph", "ar", "en", "edited"]


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    tmx = "tmx"
    csv = "csv"


MEDIA_TYPES = {
    ExportFormat.jsonl: "application/x-ndjson",
    ExportFormat.tmx: "application/x-tmx+xml",
    ExportFormat.csv: "text/csv",
}


def xml_text(text: str) -> str:
    return _XML_INVALID_RE.sub("", text)


def jsonl_lines(article: ArticlePublic) -> Iterable[str]:
    yield article.model_dump_json() + "\n"


def csv_rows(article: ArticlePublic) -> Iterable[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for p in article.paragraphs:
        writer.writerow(
            [article.id, article.external_id or "", p.index, p.ar, p.en,
             int(any(s.edited for s in p.sentences))]
        )
    yield buffer.getvalue()


def tmx_units(article: ArticlePublic) -> Iterable[str]:
    buffer = io.StringIO()
    xml = XMLGenerator(buffer, encoding="utf-8", short_empty_elements=True)
    for p in article.paragraphs:
        for s in p.sentences:
            xml.ignorableWhitespace("\n    ")
            xml.startElement("tu", AttributesImpl({"tuid": f"{article.id}-{p.index}-{s.index}"}))
            for prop, value in (
                ("x-article-id", article.id),
                ("x-external-id", article.external_id),
                ("x-paragraph", str(p.index)),
                ("x-sentence", str(s.index)),
                ("x-edited", "yes" if s.edited else None),
                ("x-glossary-terms", "; ".join(f"{t.ar} = {t.en}" for t in s.terms) or None),
            ):
                if value is not None:
                    xml.startElement("prop", AttributesImpl({"type": prop}))
                    xml.characters(xml_text(value))
                    xml.endElement("prop")
            for lang, text in (("ar", s.ar), ("en", s.en)):
                xml.startElement("tuv", AttributesImpl({"xml:lang": lang}))
                xml.startElement("seg", AttributesImpl({}))
                xml.characters(xml_text(text))
                xml.endElement("seg")
                xml.endElement("tuv")
            xml.endElement("tu")
    yield buffer.getvalue()


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
BODY_WRITERS = {
    ExportFormat.jsonl: jsonl_lines,
    ExportFormat.csv: csv_rows,
    ExportFormat.tmx: tmx_units,
}


async def export_stream(
    export_format: ExportFormat, articles: AsyncIterator[ArticlePublic]
) -> AsyncIterator[str]:
    """The whole export, chunk by chunk, for articles arriving one at a time."""
    if export_format is ExportFormat.tmx:
        yield tmx_head()
    elif export_format is ExportFormat.csv:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(CSV_HEADER)
        yield buffer.getvalue()
    write = BODY_WRITERS[export_format]
    async for article in articles:
        for chunk in write(article):
            yield chunk
    if export_format is ExportFormat.tmx:
        yield TMX_TAIL
