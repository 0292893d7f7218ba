"""The reflow rule: blank lines separate paragraphs; hard-wrapped lines are joined; a text
with one paragraph per line keeps its lines; headlines, datelines and list items keep theirs."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import SAMPLES_DIR, sample_text
from workers.reflow import split_paragraphs
from workers.segment import split_sentences

PARAGRAPHS = [
    "قال مصدر محلي إن القوات انسحبت من المدينة صباح اليوم وعادت إلى مواقعها السابقة "
    "قرب الحدود. وأضاف أن الوضع هادئ في الأحياء الشرقية، وأن الأسواق فتحت أبوابها كالمعتاد.",
    "وأكد المصدر أن المفاوضات مستمرة بين الطرفين منذ أسابيع، ولم يعلن أي اتفاق حتى الآن؛ "
    "لكن مسؤولين تحدثوا عن تقدم ملموس في ملف المعتقلين. وقال أحدهم: «نحن قريبون من الحل».",
    "ويتوقع مراقبون أن تستمر المحادثات حتى نهاية الشهر الجاري، في ظل ضغوط دولية متزايدة "
    "لوقف القتال وإعادة فتح الطرق أمام المساعدات الإنسانية إلى المناطق المحاصرة منذ عام",
]


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("width", [60, 72, 78, 100])
def test_wrapped_paragraphs_with_blank_lines_are_joined(width):
    text = "\n\n".join(textwrap.fill(p, width) for p in PARAGRAPHS)
    assert len(lines_of(text)) > len(PARAGRAPHS)
    assert split_paragraphs(text) == PARAGRAPHS


def test_a_wrapped_line_that_happens_to_end_a_sentence_is_joined():
    # Wrapped at 49 columns, the first line of the first paragraph ends with "الحدود."
    text = "\n\n".join(textwrap.fill(p, 86) for p in PARAGRAPHS)
    assert any(line.endswith(".") for line in text.splitlines()[:-1])
    assert split_paragraphs(text) == PARAGRAPHS


def test_wrapped_text_without_blank_lines_breaks_after_short_lines():
    # As EASC's wrapped files come: a paragraph ends where its last line has room left.
    text = "\n".join(textwrap.fill(p, 70) for p in PARAGRAPHS)
    assert split_paragraphs(text) == PARAGRAPHS


def test_easc_wrapped_sample_becomes_its_paragraphs():
    text = sample_text("easc-topic005.txt")
    paragraphs = split_paragraphs(text)
    assert len(lines_of(text)) == 45 and len(paragraphs) == 5
    assert all(p[-1] in ".!?؟…" for p in paragraphs)
    # Every line lands in exactly one paragraph, in order.
    assert " ".join(paragraphs) == " ".join(lines_of(text))


@pytest.mark.parametrize("name", ["sy24-deir-ez-zor.txt", "easc-topic066.txt", "easc-topic114.txt"])
def test_one_paragraph_per_line_texts_keep_their_lines(name):
    text = sample_text(name)
    assert split_paragraphs(text) == lines_of(text)


def test_every_wrapped_sample_is_reflowed_into_whole_sentences():
    for path in sorted(SAMPLES_DIR.glob("easc-*.txt")):
        text = path.read_text(encoding="utf-8")
        paragraphs = split_paragraphs(text)
        if paragraphs == lines_of(text):
            continue  # not wrapped
        assert len(paragraphs) < len(lines_of(text)) / 2, path.name
        for paragraph in paragraphs:
            last = split_sentences(paragraph)[-1]
            assert last[-1] in '.!?؟…"»)', (path.name, last[-40:])


def test_short_lines_of_similar_width_ending_sentences_are_not_joined():
    text = "\n".join(
        [
            "وصل الوفد إلى العاصمة صباح اليوم.",
            "بدأت المحادثات بعد الظهر مباشرة.",
            "ولم يصدر أي بيان رسمي حتى الآن.",
            "ويتوقع أن تستمر الزيارة يومين.",
        ]
    )
    assert split_paragraphs(text) == lines_of(text)


def test_headline_dateline_and_list_items_keep_their_lines():
    body = textwrap.fill(PARAGRAPHS[0], 70)
    items = [
        "- أولا: وقف إطلاق النار في جميع المناطق دون استثناء وبشكل فوري ودائم وتحت رقابة دولية.",
        "- ثانيا: فتح الطرق أمام المساعدات.",
        "- ثالثا: تبادل المعتقلين.",
    ]
    text = "\n".join(
        [
            "انسحاب القوات من المدينة",
            "دمشق - خاص",
            body,
            "وتضمن الاتفاق البنود التالية وهي بنود تشرح موقف الطرفين منها كما يلي:",
            *(textwrap.fill(item, 70) for item in items),
            "عنوان فرعي قصير",
            textwrap.fill(PARAGRAPHS[1], 70),
        ]
    )
    paragraphs = split_paragraphs(text)
    assert paragraphs[:3] == ["انسحاب القوات من المدينة", "دمشق - خاص", PARAGRAPHS[0]]
    assert paragraphs[4:7] == items
    assert paragraphs[7:] == ["عنوان فرعي قصير", PARAGRAPHS[1]]


def test_an_enumeration_in_running_text_is_not_a_list():
    paragraph = (
        "ويجب على هذه الوكالات أن تكون (1) أكثر حذرا عند إصدار البيانات العامة؛ (2) وأكثر "
        "حساسية للمعلومات غير المعتادة من العيادات بدلا من انتظار التقارير الرسمية؛ (3) "
        "وأكثر تقييدا لاحتواء الوباء في مراحله المبكرة بدلا من محاولة طمأنة العامة."
    )
    for width in range(60, 101, 5):
        text = "\n\n".join([textwrap.fill(paragraph, width), textwrap.fill(PARAGRAPHS[0], width)])
        assert split_paragraphs(text) == [paragraph, PARAGRAPHS[0]]


def test_a_long_url_does_not_hide_the_wrapping():
    url = "https://example.com/" + "a" * 150
    text = textwrap.fill(
        PARAGRAPHS[0] + " " + url + " " + PARAGRAPHS[1], 72, break_long_words=False
    )
    assert split_paragraphs(text) == [PARAGRAPHS[0] + " " + url + " " + PARAGRAPHS[1]]


def test_line_breaks_of_every_kind_and_paragraph_separators():
    assert split_paragraphs("أ\nب\r\n\r\nج\u2029د\n  \n") == ["أ", "ب", "ج", "د"]
