"""Sentence and paragraph boundaries against gold, for text as it really arrives.

    python bench/segmentation.py [--split held-out|tune] [--articles N] [--seed S]

Gold comes from the shared parallel data (one sentence per line): consecutive sentences
of one file are joined three to a paragraph, and three to eight paragraphs to an article.
Each article is given to the service's segmenter in three forms:

- clean: one paragraph per line;
- wrapped: hard-wrapped at a width drawn from 60 to 100 columns, blank lines between
  paragraphs (`textwrap`, as e-mail and typed corpora are);
- wrapped, no blank lines: the same without the blank lines, as EASC's wrapped files are
  (a paragraph's end is then seen only where its last line has room left);
- html: a news page with the headline in an <h1> and the paragraphs in <p> elements,
  inside navigation, a cookie notice, related links, a comment form, a footer, scripts,
  styles and comments; read as `format: "html"` is read (`service.app.html_input`).

Scores, over the article's text with whitespace removed (so that every form is compared
on the same characters): precision of the predicted sentence ends (every gold sentence end,
paragraph ends included, counts as right), recall over the gold sentence ends that follow
sentence-final punctuation (. ! ? ؟ … and closing quotes or brackets after them: a line
with no punctuation at its end gives no reader a boundary to see), F1, and the share of
articles cut into the right number of paragraphs (a detected headline counts as one).

Splits: `tune` (tico19-dev, unpc-dev) is where rules may be looked at; `held-out`
(tico19-test, unpc-test), the default, is what the README reports.
"""

from __future__ import annotations

import argparse
import bisect
import difflib
import html
import random
import re
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from service.app.html_input import read_html_article  # noqa: E402
from workers.pipeline import segment_article  # noqa: E402

# ../shared beside a clone; a worktree sits one level deeper.
DEFAULT_DATA = (
    next(
        (p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if p.is_dir()),
        REPO.parent / "shared",
    )
    / "data"
    / "parallel"
)
SPLITS = {
    "tune": ["dev/tico19-dev.ar", "train/unpc-dev.ar"],
    "held-out": ["train/tico19-test.ar", "train/unpc-test.ar"],
}
SENTENCES_PER_PARAGRAPH = 3
PARAGRAPHS_PER_ARTICLE = (3, 8)
WRAP_COLUMNS = (60, 100)
HEADLINE_WORDS = 8
_PUNCTUATED_END_RE = re.compile(r"[.!?؟…][\"'”’»)\]}›]*$")


@dataclass
class Article:
    headline: str
    paragraphs: list[list[str]]  # sentences of each paragraph

    @property
    def text(self) -> str:
        return "\n".join(" ".join(p) for p in self.paragraphs)


@dataclass
class Score:
    predicted: int = 0
    right: int = 0
    recall_gold: int = 0
    recall_found: int = 0
    articles: int = 0
    paragraphs_right: int = 0
    headlines_right: int = 0
    seconds: float = 0.0

    def row(self, form: str) -> str:
        p = self.right / self.predicted if self.predicted else 0.0
        r = self.recall_found / self.recall_gold if self.recall_gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        share = self.paragraphs_right / self.articles
        ms = self.seconds / self.articles * 1000
        return (
            f"| {form} | {self.articles} | {p:.4f} | {r:.4f} | {f1:.4f} | {share:.1%} | {ms:.2f} |"
        )


def build_articles(files: list[Path], count: int, rng: random.Random) -> list[Article]:
    """`count` articles of consecutive lines, drawn alternately from `files`."""
    streams = [
        [line.strip() for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
        for f in files
    ]
    cursors = [0] * len(streams)
    articles = []
    for n in range(count):
        which = n % len(streams)
        lines, start = streams[which], cursors[which]
        size = rng.randint(*PARAGRAPHS_PER_ARTICLE) * SENTENCES_PER_PARAGRAPH
        if start + size + 1 > len(lines):
            break
        headline = " ".join(lines[start].split()[:HEADLINE_WORDS]).rstrip(".،,:؛!?؟")
        body = lines[start + 1 : start + 1 + size]
        cursors[which] = start + 1 + size
        paragraphs = [
            body[i : i + SENTENCES_PER_PARAGRAPH] for i in range(0, size, SENTENCES_PER_PARAGRAPH)
        ]
        articles.append(Article(headline, paragraphs))
    return articles


def wrapped(article: Article, rng: random.Random, separator: str = "\n\n") -> str:
    width = rng.randint(*WRAP_COLUMNS)
    return separator.join(textwrap.fill(" ".join(p), width=width) for p in article.paragraphs)


NAV = ["الرئيسية", "أخبار محلية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "منوعات", "اتصل بنا"]
RELATED = [
    "ارتفاع أسعار النفط في الأسواق العالمية",
    "افتتاح معرض الكتاب الدولي الأسبوع المقبل",
    "المنتخب يستعد لمباراته الودية",
    "توقعات بأمطار غزيرة على المناطق الشمالية",
    "وزير التربية يعلن موعد الامتحانات",
]


def html_page(article: Article, rng: random.Random) -> str:
    """The article inside a news site's furniture, escaped as a CMS escapes it."""
    e = html.escape
    nav = "".join(
        f'<li><a href="/section/{i}">{e(name)}</a></li>'
        for i, name in enumerate(rng.sample(NAV, 6))
    )
    related = "".join(
        f'<li><a href="/news/{rng.randint(1000, 9999)}">{e(t)}</a></li>'
        for t in rng.sample(RELATED, 3)
    )
    paragraphs = "\n".join(f"<p>{e(' '.join(p))}</p>" for p in article.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{e(article.headline)} | صحيفة الأخبار</title>
<meta property="og:title" content="{e(article.headline)}">
<style>.nav li {{ display: inline }} p::after {{ content: "نص من الأنماط" }}</style>
<script>window.dataLayer = [{{"page": "مقال", "html": "<p>نص داخل برنامج</p>"}}];</script>
</head><body>
<div class="cookie-banner">يستخدم هذا الموقع ملفات تعريف الارتباط. <button>موافق</button></div>
<header><div class="logo"><a href="/">صحيفة الأخبار</a></div>
<nav><ul class="nav">{nav}</ul></nav></header>
<!-- إعلان: لا يظهر للقارئ -->
<main><article>
<h1>{e(article.headline)}</h1>
<div class="meta"><span>كتب: المحرر</span>
<time>{rng.randint(1, 28)}/{rng.randint(1, 12)}/2024</time></div>
<div class="share"><a href="#">فيسبوك</a> <a href="#">تويتر</a> <a href="#">واتساب</a></div>
<div class="article-body">
{paragraphs}
</div>
<div class="tags">الوسوم: <a href="/tag/1">أخبار</a> <a href="/tag/2">تقارير</a></div>
</article>
<aside><h3>اقرأ أيضا</h3><ul>{related}</ul></aside>
<section class="comments"><h3>أضف تعليقك</h3><form><textarea>اكتب تعليقك هنا</textarea>
<button>إرسال</button></form></section></main>
<footer><p>جميع الحقوق محفوظة © صحيفة الأخبار 2024</p><a href="/privacy">سياسة الخصوصية</a></footer>
<script>(function() {{ document.write("<p>نص يكتبه برنامج</p>"); }})();</script>
</body></html>"""


def squash(text: str) -> str:
    return "".join(text.split())


def gold_ends(article: Article) -> tuple[set[int], set[int]]:
    """Sentence ends in squashed offsets: all of them, and those after punctuation."""
    ends, punctuated, offset = set(), set(), 0
    for paragraph in article.paragraphs:
        for sentence in paragraph:
            offset += len(squash(sentence))
            ends.add(offset)
            if _PUNCTUATED_END_RE.search(sentence):
                punctuated.add(offset)
    total = offset
    return ends - {total}, punctuated - {total}


def predicted_ends(units: list[list[str]]) -> tuple[str, list[int]]:
    """The squashed text of the predicted paragraphs of sentences, and its sentence ends."""
    ends, offset, pieces = [], 0, []
    for paragraph in units:
        for sentence in paragraph:
            pieces.append(squash(sentence))
            offset += len(pieces[-1])
            ends.append(offset)
    return "".join(pieces), ends[:-1]


def aligned(ends: list[int], text: str, gold_text: str) -> list[int]:
    """`ends` in `text` mapped onto offsets of `gold_text` (text lost or added drops them)."""
    if text == gold_text:
        return ends
    blocks = difflib.SequenceMatcher(None, text, gold_text, autojunk=False).get_matching_blocks()
    starts = [b.a for b in blocks]
    mapped = []
    for end in ends:
        i = bisect.bisect_right(starts, end - 1) - 1
        if i >= 0 and blocks[i].a < end <= blocks[i].a + blocks[i].size:
            mapped.append(blocks[i].b + end - blocks[i].a)
        else:
            mapped.append(-1)
    return mapped


def score(form: str, article: Article, rng: random.Random, result: Score) -> None:
    started = time.perf_counter()
    headline = None
    if form == "clean":
        segmented = segment_article(article.text, None)
    elif form == "wrapped":
        segmented = segment_article(wrapped(article, rng), None)
    elif form == "wrapped, no blank lines":
        segmented = segment_article(wrapped(article, rng, "\n"), None)
    else:
        page = read_html_article(html_page(article, rng))
        headline = page.title
        segmented = segment_article(page.text, page.title)
    result.seconds += time.perf_counter() - started
    units = segmented.sentences
    paragraph_count = len(segmented.paragraphs)
    if segmented.title_detected:  # the first paragraph, taken as a headline
        units = [[segmented.title], *units]
        paragraph_count += 1
    text, ends = predicted_ends(units)
    gold_text = squash(article.text)
    gold, punctuated = gold_ends(article)
    mapped = aligned(ends, text, gold_text)
    result.articles += 1
    result.predicted += len(mapped)
    result.right += sum(1 for end in mapped if end in gold)
    result.recall_gold += len(punctuated)
    result.recall_found += len(punctuated & set(mapped))
    result.paragraphs_right += paragraph_count == len(article.paragraphs)
    result.headlines_right += headline == article.headline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(SPLITS), default="held-out")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the parallel data")
    args = parser.parse_args()
    files = [args.data / name for name in SPLITS[args.split]]
    articles = build_articles(files, args.articles, random.Random(args.seed))
    sentences = sum(len(p) for a in articles for p in a.paragraphs)
    print(
        f"{len(articles)} articles, {sentences} sentences, split {args.split} "
        f"({', '.join(f.name for f in files)})\n"
    )
    print("| form | articles | precision | recall | F1 | paragraph count right | ms / article |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for form in ("clean", "wrapped", "html", "wrapped, no blank lines"):
        rng = random.Random(args.seed)
        result = Score()
        for article in articles:
            score(form, article, rng, result)
        print(result.row(form))
        if form == "html":
            html_headlines = result.headlines_right / result.articles
    print(f"\nhtml: the page's headline read as the title in {html_headlines:.1%} of articles")


if __name__ == "__main__":
    main()
