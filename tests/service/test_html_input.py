"""Articles sent as HTML pages: main text and headline extracted, nothing executable kept."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.app.html_input import HtmlArticleError, read_html_article
from workers.pipeline import segment_article


def squash(text: str) -> str:
    return "".join(text.split())


HEADLINE = "انسحاب القوات من المدينة بعد اتفاق محلي"
PARAGRAPHS = [
    "قال مصدر محلي إن القوات انسحبت من المدينة صباح اليوم وعادت إلى مواقعها السابقة.",
    "وأكد المصدر أن المفاوضات مستمرة بين الطرفين، ولم يعلن أي اتفاق حتى الآن.",
    "ويتوقع مراقبون أن تستمر المحادثات حتى نهاية الشهر الجاري في ظل ضغوط دولية.",
]


def news_page(headline: str, paragraphs: list[str], extra: str = "") -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{html.escape(headline)} | صحيفة الأخبار</title>
<style>body {{ color: red }} .x::after {{ content: "نص الأنماط" }}</style>
<script>var s = "<p>نص داخل برنامج</p>"; alert("برنامج");</script></head><body>
<header><nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/p">سياسة</a></li>
<li><a href="/e">اقتصاد</a></li><li><a href="/s">رياضة</a></li></ul></nav></header>
<div class="cookie">يستخدم هذا الموقع ملفات تعريف الارتباط. <button>موافق</button></div>
<!-- تعليق في الصفحة لا يراه القارئ -->
<main><article><h1>{html.escape(headline)}</h1>
<div class="article-body">{body}{extra}</div></article>
<aside><h3>اقرأ أيضا</h3><ul><li><a href="/1">ارتفاع أسعار النفط في الأسواق العالمية</a></li>
<li><a href="/2">افتتاح معرض الكتاب الدولي الأسبوع المقبل</a></li></ul></aside></main>
<footer><p>جميع الحقوق محفوظة © صحيفة الأخبار 2024</p></footer>
<script>document.write("<p>نص يكتبه برنامج</p>")</script></body></html>"""


def test_main_text_and_headline_without_boilerplate():
    article = read_html_article(news_page(HEADLINE, PARAGRAPHS))
    assert article.title == HEADLINE
    assert article.paragraphs == PARAGRAPHS
    assert article.text == "\n\n".join(PARAGRAPHS)
    for furniture in (
        "الرئيسية",
        "اقرأ أيضا",
        "ملفات تعريف",
        "محفوظة",
        "برنامج",
        "الأنماط",
        "تعليق",
        "أسعار النفط",
    ):
        assert furniture not in article.text


def test_entities_are_decoded_and_escaped_markup_is_dropped():
    extra = (
        '<p onclick="alert(1)">قال &quot;المتحدث&quot; إن الأسعار &amp; الأجور ارتفعت&hellip;'
        ' بنسبة&nbsp;5&#37; <a href="javascript:alert(2)">هنا</a>'
        " &lt;script&gt;alert(3)&lt;/script&gt; &lt;img src=x onerror=alert(4)&gt;</p>"
    )
    article = read_html_article(news_page(HEADLINE, PARAGRAPHS, extra))
    last = article.paragraphs[-1]
    assert last.startswith('قال "المتحدث" إن الأسعار & الأجور ارتفعت… بنسبة 5% هنا')
    for executable in ("<", ">", "script", "onerror", "onclick", "javascript"):
        assert executable not in article.text


def test_line_breaks_inside_a_paragraph_become_spaces():
    page = news_page(HEADLINE, [], "<p>السطر الأول من الفقرة<br>والسطر الثاني منها.</p>")
    assert read_html_article(page).paragraphs == ["السطر الأول من الفقرة والسطر الثاني منها."]


@pytest.mark.parametrize(
    "page, paragraphs",
    [
        ("<p>فقرة <b>غير مغلقة</p><p>وفقرة ثانية</div></span>", ["فقرة غير مغلقة", "وفقرة ثانية"]),
        ("<html><body><div><p>خبر قصير جدا", ["خبر قصير جدا"]),
        ("نص عربي بلا وسوم", ["نص عربي بلا وسوم"]),
        ("<table><tr><td>خلية عربية</td></tr></table>", ["خلية عربية"]),
        ("<<<>>>\x01<p>كلام</p><!-- غير مغلق", ["كلام"]),
    ],
)
def test_malformed_html_is_read_as_well_as_it_can_be(page, paragraphs):
    assert read_html_article(page).paragraphs[-len(paragraphs) :] == paragraphs


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><script>var a = 'نص عربي';</script></head>"
        "<body><p>English only</p></body></html>",
        "<html><body><!-- تعليق عربي --><style>.a::after{content:'عربي'}</style>"
        "<p>Hi</p></body></html>",
        "<p>   </p>",
        "",
    ],
)
def test_a_page_without_arabic_text_is_refused(page):
    with pytest.raises(HtmlArticleError):
        read_html_article(page)


words = st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي", min_size=3, max_size=8)
sentences = st.builds(
    lambda ws, end: " ".join(ws) + end,
    st.lists(words, min_size=7, max_size=14),
    st.sampled_from([".", "؟", "!", "…", '."', "»."]),
)
paragraphs = st.builds(" ".join, st.lists(sentences, min_size=1, max_size=4))


@settings(max_examples=60, deadline=None)
@given(st.lists(paragraphs, min_size=1, max_size=5, unique=True))
def test_segmented_html_gives_back_the_extracted_text(body):
    """Joining the sentences gives each paragraph; joining the paragraphs gives the text
    extracted from the page, which is the page's article text (trafilatura keeps a
    paragraph repeated right after itself once, so the paragraphs differ)."""
    article = read_html_article(news_page(HEADLINE, body))
    segmented = segment_article(article.text, article.title)
    assert segmented.title == HEADLINE
    assert squash("".join(segmented.paragraphs)) == squash(article.text) == squash("".join(body))
    assert len(segmented.paragraphs) == len(body)
    for paragraph, sentences in zip(segmented.paragraphs, segmented.sentences, strict=True):
        assert squash("".join(sentences)) == squash(paragraph)


PIECES = [*"<>/&;#=\"' \n\x01\x0b", "<p>", "</p>", "<div>", "<!--", "-->", "<script>"]
PIECES += ["&amp;", "&#x", "<?xml ?>", "قال", "مصدر", "."]
markup = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(markup)
def test_any_markup_is_read_or_refused_by_name(page):
    """Malformed HTML never fails otherwise: an article, or HtmlArticleError."""
    try:
        article = read_html_article(page)
    except HtmlArticleError:
        return
    assert article.paragraphs
    assert not any(re.search(r"<\s*/?\s*[A-Za-z!?][^<>]*>", p) for p in article.paragraphs)
