"""Glossary uploads: JSON entries, CSV (header `ar,en`) and TBX, read and checked.

Every reader returns (ar, en) pairs or raises GlossaryFileError naming what is wrong and
where; `checked_terms` then applies the rules every glossary obeys. TBX is XML, read with
defusedxml: entity declarations (billion laughs) and external entities (XXE) are refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from service.domain.terms import Term, has_words, term_key

MAX_TERM_CHARS = 200
MAX_GLOSSARY_ENTRIES = 10_000
CSV_TYPES = ("text/csv", "application/csv")
TBX_TYPES = ("application/x-tbx+xml", "application/tbx+xml", "application/xml", "text/xml")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class GlossaryFileError(ValueError):
    """An upload or entry list that cannot become a glossary; the message says why."""


def _text(raw: bytes, kind: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GlossaryFileError(
            f"the {kind} is not valid UTF-8: byte 0x{raw[exc.start]:02x} at position {exc.start}"
        ) from None


def read_csv(raw: bytes) -> list[tuple[str, str]]:
    """Rows of a CSV file whose header names the columns `ar` and `en`."""
    text = _text(raw, "CSV file")
    if "\x00" in text:
        raise GlossaryFileError("the CSV file contains NUL characters")
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(rows, [])]
        if "ar" not in header or "en" not in header:
            raise GlossaryFileError("the CSV file needs a header row with the columns ar and en")
        ar, en = header.index("ar"), header.index("en")
        pairs = []
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise GlossaryFileError(
                    f"CSV line {rows.line_num}: {len(row)} fields, the header has {len(header)}"
                )
            pairs.append((row[ar], row[en]))
            if len(pairs) > MAX_GLOSSARY_ENTRIES:
                raise GlossaryFileError(f"a glossary holds at most {MAX_GLOSSARY_ENTRIES} entries")
    except csv.Error as exc:
        raise GlossaryFileError(f"malformed CSV at line {rows.line_num}: {exc}") from None
    return pairs


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def read_tbx(raw: bytes) -> list[tuple[str, str]]:
    """The Arabic and English term of each entry of a TBX file (TBX-Basic's `termEntry`
    and `langSet`, or TBX v3's `conceptEntry` and `langSec`)."""
    try:
        root = fromstring(raw)
    except DefusedXmlException as exc:
        raise GlossaryFileError(
            f"the TBX file declares entities or a DTD that is not allowed ({type(exc).__name__})"
        ) from None
    except ParseError as exc:
        raise GlossaryFileError(f"malformed TBX (XML): {exc}") from None
    pairs = []
    entries = [e for e in root.iter() if _local(e.tag) in ("termEntry", "conceptEntry")]
    if not entries:
        raise GlossaryFileError("the TBX file has no termEntry or conceptEntry")
    for number, entry in enumerate(entries, start=1):
        terms: dict[str, str] = {}
        for lang_set in entry:
            if _local(lang_set.tag) not in ("langSet", "langSec"):
                continue
            lang = lang_set.get(XML_LANG, lang_set.get("lang", "")).lower().split("-")[0]
            term = next((t for t in lang_set.iter() if _local(t.tag) == "term"), None)
            if lang in ("ar", "en") and term is not None and lang not in terms:
                terms[lang] = "".join(term.itertext())
        if "ar" not in terms or "en" not in terms:
            missing = " and ".join(lang for lang in ("ar", "en") if lang not in terms)
            raise GlossaryFileError(f"TBX entry {number} has no {missing} term")
        pairs.append((terms["ar"], terms["en"]))
        if len(pairs) > MAX_GLOSSARY_ENTRIES:
            raise GlossaryFileError(f"a glossary holds at most {MAX_GLOSSARY_ENTRIES} entries")
    return pairs


def _checked(value: object, lang: str, number: int) -> str:
    if not isinstance(value, str):
        raise GlossaryFileError(f"entry {number}: {lang} must be a string")
    value = " ".join(value.split())
    if not value:
        raise GlossaryFileError(f"entry {number}: the {lang} term is empty")
    if len(value) > MAX_TERM_CHARS:
        raise GlossaryFileError(
            f"entry {number}: the {lang} term is longer than {MAX_TERM_CHARS} characters"
        )
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise GlossaryFileError(f"entry {number}: the {lang} term contains control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise GlossaryFileError(f"entry {number}: the {lang} term is not valid text") from None
    return value


def checked_terms(pairs: Iterable[tuple[object, object]]) -> list[Term]:
    """Terms from (ar, en) pairs, numbered from 1 in errors: none empty or over
    MAX_TERM_CHARS, Arabic on the source side, no source given twice (as matching reads
    it: "الأمم" and "الامم" are one term), at most MAX_GLOSSARY_ENTRIES."""
    terms: list[Term] = []
    first_seen: dict[str, int] = {}
    for number, (ar, en) in enumerate(pairs, start=1):
        if number > MAX_GLOSSARY_ENTRIES:
            raise GlossaryFileError(f"a glossary holds at most {MAX_GLOSSARY_ENTRIES} entries")
        ar, en = _checked(ar, "ar", number), _checked(en, "en", number)
        if not has_words(ar):
            raise GlossaryFileError(f"entry {number}: the ar term {ar!r} has no Arabic word")
        key = term_key(ar)
        if key in first_seen:
            raise GlossaryFileError(
                f"entry {number}: duplicate term {ar!r} (the same as entry {first_seen[key]})"
            )
        first_seen[key] = number
        terms.append(Term(ar, en))
    if not terms:
        raise GlossaryFileError("the glossary has no entries")
    return terms
