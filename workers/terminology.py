"""Force glossary terms into translations (the README says why this method).

The model translates the sentence as it is, returning its attention. A term the model
already wrote is only set in the glossary's spelling; otherwise the target words whose
strongest attention falls on the term's source tokens are replaced by the term's English,
or, if none attends there, the word that attends to it most. English for attached
clitics ("and", "in", "the") stays, and an article doubled at a term's edge goes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from models.translator import PieceOutput
from service.domain.names import Matcher
from service.domain.terms import Term, TermMatch

# English that translates an attached clitic: kept in front of a replaced term.
CLITIC_WORDS = frozenset(
    "and so then in into at on by with for to of from as like the a an".split()
)
SPIECE = "\u2581"


def token_spans(tokens: Sequence[str], matches: Sequence[TermMatch]) -> list[tuple[int, int, Term]]:
    """Token index ranges [i, j) that cover each match in the text the sentencepiece
    `tokens` spell (their concatenation, "▁" read as a space, without the leading one)."""
    bounds, position = [], -1  # text starts after the first token's "▁"
    for token in tokens:
        bounds.append((position, position + len(token)))
        position += len(token)
    spans = []
    for match in matches:
        covering = [i for i, (a, b) in enumerate(bounds) if a < match.end and b > match.start]
        if covering:
            spans.append((covering[0], covering[-1] + 1, match.term))
    return spans


def _words_of(tokens: Sequence[str]) -> list[list[int]]:
    """Target token indexes grouped into words (a word starts with "▁")."""
    words: list[list[int]] = []
    for i, token in enumerate(tokens):
        if token.startswith(SPIECE) or not words:
            words.append([i])
        else:
            words[-1].append(i)
    return words


def _word_text(tokens: Sequence[str], indexes: list[int]) -> str:
    return "".join(tokens[i] for i in indexes).replace(SPIECE, " ").strip()


def enforce(
    target_tokens: Sequence[str],
    attention: Sequence[Sequence[float]],
    spans: Sequence[tuple[int, int, Term]],
) -> str:
    """The target text with each span's term in place of the words that translate it.

    `attention[t][s]` is target token t's attention to source token s. A term the model
    already wrote is only set in the glossary's spelling; for the others, the words that
    attend most to the term's source tokens are replaced (or, if none does, the term goes
    where its source tokens draw the most attention)."""
    words = _words_of(target_tokens)
    texts = [_word_text(target_tokens, w) for w in words]
    if not words:
        return _tidy([(span[2].en, True) for span in spans], [], spans)
    owner: dict[int, int] = {}  # word -> the span whose term replaces it
    kept: set[int] = set()  # words that hold a term hyphened to more ("COVID-19"): as written
    done = set()
    for k, (_, _, term) in enumerate(spans):
        found = _written(texts, term.en, owner)
        if found:
            owner.update(dict.fromkeys(found, k))
            done.add(k)
        elif (inside := _written_inside(texts, term.en, owner.keys() | kept)) is not None:
            kept.add(inside)
            done.add(k)
    # per word, its tokens' attention summed (a word past the attention's rows has none)
    mass = _word_mass(words, attention)
    width = len(attention[0]) if attention else 0
    for w in range(len(words)):
        if w in owner or w in kept or not width:
            continue
        focus = max(range(width), key=mass[w].__getitem__)
        for k, (a, b, term) in enumerate(spans):
            if k not in done and a <= focus < b:
                if _replaceable(texts[w], term):
                    owner[w] = k
                break
    after: dict[int, list[int]] = {}  # word -> terms inserted after it
    for k, (a, b, term) in enumerate(spans):
        if k in done:
            continue
        mine = sorted(w for w, o in owner.items() if o == k)
        # Keep the words in front that translate attached clitics ("and", "in", "the").
        while mine and _bare(texts[mine[0]]).lower() in CLITIC_WORDS:
            del owner[mine.pop(0)]
        if not mine:
            best = _most_attentive(mass, a, b, owner.keys() | kept)
            if (
                best is not None
                and _bare(texts[best]).lower() not in CLITIC_WORDS
                and _replaceable(texts[best], term)
            ):
                mine = [best]
                owner[best] = k
            else:
                after.setdefault(len(words) - 1 if best is None else best, []).append(k)
                continue
        # Neighbours that are words of the term ("United [Nations]") go with it.
        own = {_bare(x).lower() for x in term.en.split()} - CLITIC_WORDS
        for step, edge in ((-1, mine[0]), (1, mine[-1])):
            w = edge + step
            while (
                0 <= w < len(texts)
                and w not in owner
                and w not in kept
                and _bare(texts[w]).lower() in own
            ):
                owner[w] = k
                w += step
    return _tidy(_rebuild(texts, spans, owner, after), texts, spans)


def _written(texts: Sequence[str], en: str, taken: dict[int, int]) -> list[int]:
    """Word indexes where the machine translation already has `en` (any case, its
    leading article aside), not already taken by another term."""
    wanted = [_bare(x).lower() for x in en.split()]
    if len(wanted) > 1 and wanted[0] in _ARTICLES:
        wanted = wanted[1:]
    bare = [_bare(t).lower() for t in texts]
    n = len(wanted)
    for i in range(len(texts) - n + 1):
        span = range(i, i + n)
        if bare[i : i + n] == wanted and not any(w in taken for w in span):
            return list(span)
    return []


def _replaceable(word: str, term: Term) -> bool:
    """Whether `word` may give way to `term`: a number replaces only a number (the model's
    own, wrong one), so that where attention misleads it is put beside a word rather than
    in place of one ("COVID-19", "medical")."""
    return not _NUMBER.fullmatch(term.en) or _NUMBER.fullmatch(_bare(word)) is not None


_NUMBER = re.compile(r"[0-9][0-9.,:/%-]*")


def _written_inside(texts: Sequence[str], en: str, taken) -> int | None:
    """A word not in `taken` that holds the one-word `en` hyphened or slashed to more
    ("COVID-19" holds "19"): the term is written, in a name the model knew."""
    if len(en.split()) != 1:
        return None
    inside = re.compile(rf"(?:^|[-/]){re.escape(en)}(?:$|[-/])", re.IGNORECASE)
    for i, text in enumerate(texts):
        if i not in taken and _bare(text) != en and inside.search(_bare(text)):
            return i
    return None


def _word_mass(words: list[list[int]], attention: Sequence[Sequence[float]]) -> list[list[float]]:
    """[word][source token]: the attention of the word's tokens, summed."""
    width = len(attention[0]) if attention else 0
    return [
        [sum(c) for c in zip(*(attention[t] for t in indexes if t < len(attention)), strict=True)]
        or [0.0] * width
        for indexes in words
    ]


def _most_attentive(mass: list[list[float]], a: int, b: int, taken) -> int | None:
    """The free word whose tokens attend most to source tokens a..b."""
    scores = {w: sum(mass[w][a:b]) for w in range(len(mass)) if w not in taken}
    return max(scores, key=scores.__getitem__) if scores else None


def _rebuild(
    texts, spans, owner: dict[int, int], after: dict[int, list[int]]
) -> list[tuple[str, bool]]:
    """The output words, each with whether it is a term: each term once, where its first
    replaced word was, keeping the punctuation glued to the words it replaces ("Zor,"
    keeps its comma)."""
    first: dict[int, int] = {}
    trailing: dict[int, str] = {}
    for w, k in sorted(owner.items()):
        first.setdefault(k, w)
        trailing[k] = texts[w][len(texts[w].rstrip(_PUNCTUATION)) :]
    starts = {w: k for k, w in first.items()}
    out: list[tuple[str, bool]] = []
    for w, text in enumerate(texts):
        if w in starts:
            k = starts[w]
            leading = text[: len(text) - len(text.lstrip(_PUNCTUATION))]
            out.append((leading + spans[k][2].en + trailing[k], True))
        elif w not in owner:
            out.append((text, False))
        out.extend((spans[k][2].en, True) for k in after.get(w, ()))
    return out


_PUNCTUATION = ".,;:!?\"'()[]{}«»“”‘’-–—…/"


def _bare(word: str) -> str:
    """A word without the punctuation around it."""
    return word.strip(".,;:!?\"'()[]{}«»“”‘’")


_ARTICLES = ("the", "a", "an")


def _tidy(words: list[tuple[str, bool]], machine: list[str], spans) -> str:
    """Join words, dropping an article doubled at a term's edge ("the the"); capitalise
    the start when the machine translation had a capital there or a term begins it."""
    kept: list[tuple[str, bool]] = []
    for word, term in words:
        first = _bare(word.split(" ", 1)[0]).lower()
        if kept and not kept[-1][1] and kept[-1][0].lower() in _ARTICLES and first in _ARTICLES:
            kept.pop()  # the term brings its own article
        if kept and kept[-1][1] != term and _bare(kept[-1][0]).lower() == _bare(word).lower():
            if term:
                kept.pop()  # the machine's word said again by the term ("China China")
            else:
                continue
        kept.append((word, term))
    text = " ".join(word for word, _ in kept)
    starts_upper = not machine or machine[0][:1].isupper()
    starts_upper = starts_upper or any(text.startswith(span[2].en) for span in spans)
    if text and starts_upper:
        text = text[0].upper() + text[1:]
    return text


def piece_text(tokens: Sequence[str]) -> str:
    """The text sentencepiece `tokens` spell, as `token_spans` counts offsets."""
    return "".join(tokens).replace(SPIECE, " ")[1:]


def piece_spans(tokens: Sequence[str], glossary: Matcher) -> list[tuple[int, int, Term]]:
    """The token spans of every term occurrence in one tokenized piece."""
    return token_spans(tokens, glossary.find(piece_text(tokens)))


def apply_terms(output: PieceOutput, spans: Sequence[tuple[int, int, Term]]) -> PieceOutput:
    """`output` (translated with attention) with the terms of `spans` forced in."""
    if not spans or output.attention is None:
        return output
    return output._replace(text=enforce(output.tokens, output.attention, spans))
