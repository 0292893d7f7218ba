"""Names the model must not invent, enforced as default terms beneath an article's glossary.

- Latin runs: Latin letters and digits written inside the Arabic ("SY24", "COVID-19",
  "https://who.int", "World Health Organization") are their own English, copied verbatim.
- Place names: countries and territories, and the cities CLDR names time zones after, in
  Arabic and English (Unicode CLDR, through babel), where the Arabic reads as one place.

`Layers` finds the terms of several matchers at once, the first one's winning where they
overlap: the article's glossary, then these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Protocol

from service.domain.terms import Glossary, Term, TermMatch, term_key

_LATIN = "A-Za-z0-9\u00c0-\u024f"
# A Latin word: letters and digits, joined inside by the punctuation of codes, URLs and
# addresses ("COVID-19", "5.8", "who.int/news", "a@b.org"); runs of them may be spaced.
_LATIN_WORD = f"[{_LATIN}]+(?:(?:[-._/:@&+%#?=~'’]+|(?<=[0-9]),(?=[0-9]))[{_LATIN}]+)*"
_LATIN_RUN = re.compile(f"{_LATIN_WORD}(?: +{_LATIN_WORD})*")
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")

# CLDR territory codes that name no country: regions ("001", "EU"), placeholders.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
# Arabic keys that are also common words or other names, so that they misfire in running
# text ("مالي": financial, "بنين": sons, "العيون": the eyes, "ترك": left, "ديلي": Daily,
# "كولومبيا": Columbia too): found by counting, on the shared parallel data, matches whose
# English the reference lacks (bench/names.py --misfires).
MISFIRES = frozenset(
    term_key(w) for w in "مالي نوم ماهي بنين العيون ترك أبيا جوني أكرا واليس ديلي كولومبيا".split()
)
# CLDR's variant where its standard English is not what news writes (and the model
# learnt).
_ENGLISH_VARIANTS = {"Türkiye": "Turkey"}


class Matcher(Protocol):
    """What finds terms in text: a `Glossary`, `LatinRuns`, `Layers`."""

    def find(self, text: str) -> list[TermMatch]: ...

    def __bool__(self) -> bool: ...


class LatinRuns:
    """Runs of Latin script in Arabic text, each its own English (with `numbers`, runs of
    Western digits alone too: "2020")."""

    def __init__(self, *, numbers: bool = False) -> None:
        self.numbers = numbers

    def __bool__(self) -> bool:
        return True

    def find(self, text: str) -> list[TermMatch]:
        """Every Latin run of `text`, in order."""
        return [
            TermMatch(m.start(), m.end(), Term(m.group(), m.group()))
            for m in _LATIN_RUN.finditer(text)
            if _LATIN_LETTER.search(m.group()) or (self.numbers and not _glued(text, m))
        ]


def _glued(text: str, run: re.Match) -> bool:
    """A number hyphened to an Arabic word ("كوفيد-19"): part of a name, not a number."""
    return text[run.start() - 1 : run.start()] == "-" or text[run.end() : run.end() + 1] == "-"


class Layers:
    """The matches of several matchers; where they overlap, the earlier matcher's win."""

    def __init__(self, layers: Iterable[Matcher]) -> None:
        self.layers = [layer for layer in layers if layer]

    def __bool__(self) -> bool:
        return bool(self.layers)

    def find(self, text: str) -> list[TermMatch]:
        """Every match of every layer not overlapping an earlier layer's, in order."""
        chosen: list[TermMatch] = []
        for layer in self.layers:
            taken = list(chosen)
            chosen.extend(m for m in layer.find(text) if not any(_overlap(m, t) for t in taken))
        return sorted(chosen, key=lambda m: m.start)


def _overlap(a: TermMatch, b: TermMatch) -> bool:
    return a.start < b.end and b.start < a.end


def _clean_en(name: str) -> str | None:
    """CLDR's English as a translation would write it, or None for a form no article
    does ("Congo - Kinshasa", "Myanmar (Burma)", "Hong Kong SAR China")."""
    name = name.replace("’", "'").replace("St. ", "Saint ").replace(" & ", " and ")
    name = _ENGLISH_VARIANTS.get(name, name)
    if any(mark in name for mark in ("(", " - ", ",")) or "SAR" in name.split():
        return None
    return name


def place_terms() -> list[Term]:
    """Countries, territories and time-zone cities in Arabic and English (CLDR): each
    Arabic key once, keys with two different English dropped (عمان: Oman or Amman)."""
    from babel import Locale  # loaded only by workers and benchmarks that use it

    ar, en = Locale("ar"), Locale("en")
    pairs: list[tuple[str, str | None]] = [
        (name, _clean_en(en.territories.get(code, "")))
        for code, name in ar.territories.items()
        if code.isalpha() and code not in _NOT_COUNTRIES
    ]
    for zone, names in ar.time_zones.items():
        city = names.get("city")
        if city and not zone.startswith("Etc/"):
            english = en.time_zones.get(zone, {}).get("city") or zone.rsplit("/", 1)[-1]
            pairs.append((city, _clean_en(english.replace("_", " "))))
    by_key: dict[str, set[str | None]] = {}
    surface: dict[str, str] = {}
    for arabic, english in pairs:
        if "(" in arabic or " - " in arabic:
            continue
        key = term_key(arabic)
        by_key.setdefault(key, set()).add(english)
        surface.setdefault(key, arabic)
    return [
        Term(surface[key], english)
        for key, (english, *others) in ((k, sorted(v, key=str)) for k, v in by_key.items())
        if not others and english and key and key not in MISFIRES
    ]


@cache
def place_names() -> Glossary:
    """The place-name glossary, built once per process (a few milliseconds)."""
    return Glossary(place_terms())


def default_layers(*, latin: bool, numbers: bool, places: bool) -> list[Matcher]:
    """The built-in matchers the settings turn on (`numbers` only with `latin`), in the
    order they yield to each other."""
    layers: list[Matcher] = []
    if latin:
        layers.append(LatinRuns(numbers=numbers))
    if places:
        layers.append(place_names())
    return layers


def with_defaults(glossary: Glossary | None, defaults: Sequence[Matcher]) -> Matcher | None:
    """An article's glossary over the built-in matchers, or None when there is nothing."""
    layers = Layers([glossary, *defaults] if glossary is not None else defaults)
    return layers if layers else None
