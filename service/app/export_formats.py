"""Exports of finished articles: JSONL (full results), TMX 1.4 (sentence pairs, with the
glossary terms applied as a prop), CSV (paragraph pairs) and XLIFF 1.2 (sentences, for CAT
tools: see xliff.py). Each is a stream of text chunks, so a batch of any size exports in
flat memory. Reviewer corrections replace the machine translation wherever they exist.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from enum import StrEnum

from service.app.schemas import ArticlePublic
from service.app.tmx import TMX_TAIL, tmx_head, tmx_unit
from service.app.xliff import XLIFF_TAIL, xliff_file, xliff_head

CSV_HEADER = ["article_id", "external_id", "paragraph", "ar", "en", "edited"]


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    tmx = "tmx"
    csv = "csv"
    xliff = "xliff"


MEDIA_TYPES = {
    ExportFormat.jsonl: "application/x-ndjson",
    ExportFormat.tmx: "application/x-tmx+xml",
    ExportFormat.csv: "text/csv",
    ExportFormat.xliff: "application/x-xliff+xml",
}


def jsonl_lines(article: ArticlePublic) -> Iterable[str]:
    yield article.model_dump_json() + "\n"


def csv_rows(article: ArticlePublic) -> Iterable[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for p in article.paragraphs:
        writer.writerow(
            [
                article.id,
                article.external_id or "",
                p.index,
                p.ar,
                p.en,
                int(any(s.edited for s in p.sentences)),
            ]
        )
    yield buffer.getvalue()


def tmx_units(article: ArticlePublic) -> Iterable[str]:
    for p in article.paragraphs:
        for s in p.sentences:
            props = {
                "x-article-id": article.id,
                "x-external-id": article.external_id,
                "x-paragraph": str(p.index),
                "x-sentence": str(s.index),
                "x-edited": "yes" if s.edited else None,
                "x-glossary-terms": "; ".join(f"{t.ar} = {t.en}" for t in s.terms) or None,
            }
            yield tmx_unit(s.ar, s.en, props, {"tuid": f"{article.id}-{p.index}-{s.index}"})


BODY_WRITERS = {
    ExportFormat.jsonl: jsonl_lines,
    ExportFormat.csv: csv_rows,
    ExportFormat.tmx: tmx_units,
    ExportFormat.xliff: xliff_file,
}


async def export_stream(
    export_format: ExportFormat, articles: AsyncIterator[ArticlePublic]
) -> AsyncIterator[str]:
    """The whole export, chunk by chunk, for articles arriving one at a time."""
    if export_format is ExportFormat.tmx:
        yield tmx_head()
    elif export_format is ExportFormat.xliff:
        yield xliff_head()
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
    elif export_format is ExportFormat.xliff:
        yield XLIFF_TAIL
