"""An article sent as an HTML page: its headline and the paragraphs of its main text.

trafilatura finds the main text of news pages (it leaves out navigation, headers and
footers, related links, comments, scripts and styles) and reads malformed HTML as well as
lxml can. Each of its text blocks (paragraph, heading, list item, quote) becomes one
paragraph of plain text, entities decoded and whitespace collapsed; anything that still
looks like a tag (text that was escaped markup in the page) is removed, with the content
of a script or style element, so no markup reaches what is stored or translated. The
page's headline becomes the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import lxml.html
import trafilatura
from lxml import etree
from starlette.concurrency import run_in_threadpool
from trafilatura.settings import Document, use_config

from service.app.schemas import ArticleCreate, has_arabic_letter
from service.config import MAX_TEXT_CHARS
from service.domain.types import ArticleFormat

# trafilatura's text blocks: a paragraph, a heading, a list item, a quote, a table cell.
_BLOCK_TAGS = frozenset({"p", "head", "item", "quote", "cell"})
# Markup in the text once entities are decoded ("&lt;script&gt;" in the page).
_TAG_RE = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>")
# Characters XML (and so lxml's trees) cannot hold; a page has no business with them.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SCRIPT_RE = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)


class HtmlArticleError(ValueError):
    """The page holds no article text to translate."""


@dataclass(frozen=True)
class HtmlArticle:
    title: str | None
    paragraphs: list[str]

    @property
    def text(self) -> str:
        """The paragraphs as the article's text: one per line, blank lines between."""
        return "\n\n".join(self.paragraphs)


async def article_fields(body: ArticleCreate) -> dict:
    """What is stored of a submitted article: its text and title, and the HTML page it
    came as (read on a thread); HtmlArticleError if the page holds no article."""
    if body.format != ArticleFormat.html:
        return {
            "text": body.text,
            "title_ar": body.title,
            "source_format": ArticleFormat.text,
            "source_html": None,
        }
    page = await run_in_threadpool(read_html_article, body.text)
    if len(page.text) > MAX_TEXT_CHARS:
        raise HtmlArticleError(
            f"the text of the HTML page is longer than {MAX_TEXT_CHARS} characters"
        )
    return {
        "text": page.text,
        "title_ar": body.title or page.title,
        "source_format": ArticleFormat.html,
        "source_html": body.text,
    }


def read_html_article(html: str) -> HtmlArticle:
    """The headline and main-text paragraphs of an HTML page; HtmlArticleError if the
    page has no Arabic text to translate."""
    tree = _parse(html)
    document = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        include_links=False,
        include_images=False,
        config=_config(),
    )
    if not isinstance(document, Document):  # None: nothing found
        document = Document()
    title = _plain(document.title) if document.title else None
    paragraphs = _paragraphs(document.body)
    if not any(has_arabic_letter(p) for p in paragraphs):
        # No main text found (a bare fragment, a page that is all list or table): the
        # page's visible text, without scripts and styles, is the article.
        paragraphs = [_plain(line) for line in trafilatura.html2txt(tree).splitlines()]
        paragraphs = [p for p in paragraphs if p]
    if title and paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # the headline repeated at the top of the text
    if not any(has_arabic_letter(p) for p in paragraphs):
        raise HtmlArticleError("the HTML page has no Arabic text to translate")
    return HtmlArticle(title=title or None, paragraphs=paragraphs)


@lru_cache(maxsize=1)
def _config():
    config = use_config()
    # trafilatura falls back on cruder extractors when the main text is shorter than 250
    # characters, and those keep the navigation; a short news item is still an article.
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    return config


def _parse(html: str):
    """The page as an lxml tree, however malformed; a fragment or bare text becomes a body."""
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
    )
    try:
        page = _NOT_XML_RE.sub(" ", html).encode("utf-8", "replace")
        return lxml.html.document_fromstring(page, parser=parser)
    except (etree.ParserError, ValueError):
        raise HtmlArticleError("the HTML page is empty") from None


def _paragraphs(body) -> list[str]:
    """The text of each innermost text block of trafilatura's result, in order."""
    if body is None:
        return []
    paragraphs = []
    for element in body.iter(*_BLOCK_TAGS):
        if any(True for _ in element.iterdescendants(*_BLOCK_TAGS)):
            continue  # a list or a quote: its items are paragraphs of their own
        for line_break in element.iter("lb"):
            line_break.tail = " " + (line_break.tail or "")
        text = _plain("".join(element.itertext()))
        if text:
            paragraphs.append(text)
    return paragraphs


def _plain(text: str) -> str:
    return " ".join(_TAG_RE.sub(" ", _SCRIPT_RE.sub(" ", text)).split())
