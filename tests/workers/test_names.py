"""Built-in names: Latin runs and CLDR place names found in Arabic text, beneath an
article's glossary."""

from __future__ import annotations

import time

import pytest

from service.domain.names import (
    LatinRuns,
    Layers,
    default_layers,
    place_names,
    place_terms,
    with_defaults,
)
from service.domain.terms import Glossary, Term, term_key


def runs(text: str, *, numbers: bool = False) -> list[str]:
    return [m.term.en for m in LatinRuns(numbers=numbers).find(text)]


def places(text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.term.en) for m in place_names().find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("خاص - SY24", ["SY24"]),
        ("لمنصة SY24، أن", ["SY24"]),
        ("لـSY24 قال", ["SY24"]),
        ("انتشار COVID-19 في", ["COVID-19"]),
        ("منظمة WHO و iPhone", ["WHO", "iPhone"]),
        ("قالت World Health Organization إن", ["World Health Organization"]),
        (
            "انظر https://www.cdc.gov/coronavirus/2019-ncov/x.pdf.",
            ["https://www.cdc.gov/coronavirus/2019-ncov/x.pdf"],
        ),
        ("راسلوا info@example.org اليوم", ["info@example.org"]),
        ("قتل 12 شخصا عام 2020 بسبب كوفيد-19", []),
    ],
)
def test_latin_runs_are_found_whole(text, expected):
    found = LatinRuns().find(text)
    assert [m.term.en for m in found] == expected
    assert all(text[m.start : m.end] == m.term.ar == m.term.en for m in found)


def test_numbers_are_runs_only_when_asked_and_not_inside_a_name():
    text = "قتل 12 شخصا عام 2020 و1,250 جريحا و3.5% بسبب كوفيد-19 في SY24"
    assert runs(text) == ["SY24"]
    assert runs(text, numbers=True) == ["12", "2020", "1,250", "3.5", "SY24"]


def test_place_names_are_read_as_glossary_terms_are():
    assert places("وصل إلى دمشق من سوريا") == [("دمشق", "Damascus"), ("سوريا", "Syria")]
    # clitics, the article and spelling variants, as for a glossary
    assert places("وبالمملكة المتحدة ولمصر") == [
        ("المملكة المتحدة", "United Kingdom"),
        ("مصر", "Egypt"),
    ]
    assert places("في كوريا الشمالية") == [("كوريا الشمالية", "North Korea")]


def test_ambiguous_and_misfiring_keys_are_left_out():
    keys = {term_key(t.ar): t.en for t in place_terms()}
    # عمان: Oman or Amman; الجزائر: Algeria or Algiers; تونس: Tunisia or Tunis
    for ambiguous in ("عمان", "الجزائر", "تونس"):
        assert term_key(ambiguous) not in keys
    # common words: financial, the eyes, sons
    assert places("الدعم المالي للعيون والبنين") == []
    # no regions ("العالم": world) and no English that no article writes
    assert term_key("العالم") not in keys
    assert not any(mark in en for en in keys.values() for mark in ("(", " - ", "&", "SAR"))
    assert keys[term_key("تركيا")] == "Turkey"


def test_the_gazetteer_is_built_once_and_quickly():
    place_names.cache_clear()
    started = time.perf_counter()
    built = place_names()
    assert time.perf_counter() - started < 1.0
    assert 400 < len(built.terms) < 1000
    assert place_names() is built


def test_earlier_layers_win_where_matches_overlap():
    own = Glossary([Term("دمشق", "Dimashq"), Term("SY24 الإخباري", "SY24 News")])
    layers = with_defaults(own, default_layers(latin=True, numbers=False, places=True))
    assert layers is not None
    text = "قال موقع SY24 الإخباري في دمشق إن سوريا و SY24 و2020"
    assert [(text[m.start : m.end], m.term.en) for m in layers.find(text)] == [
        ("SY24 الإخباري", "SY24 News"),
        ("دمشق", "Dimashq"),
        ("سوريا", "Syria"),
        ("SY24", "SY24"),
    ]


def test_nothing_to_match_gives_no_matcher():
    assert with_defaults(None, default_layers(latin=False, numbers=True, places=False)) is None
    assert with_defaults(Glossary([]), []) is None
    assert not Layers([])
    only_latin = with_defaults(None, default_layers(latin=True, numbers=False, places=False))
    assert only_latin is not None and [m.term.en for m in only_latin.find("دمشق SY24")] == ["SY24"]
