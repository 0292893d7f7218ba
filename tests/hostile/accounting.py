"""Checks that a finished article lost, added and reordered none of its text."""

from __future__ import annotations


def visible_chars(text: str) -> str:
    """`text` without whitespace: what must survive segmentation, in order."""
    return "".join(text.split())


def assert_accounted_for(text: str, article: dict, *, title_given: bool) -> None:
    """Every non-space character of `text` is in exactly one paragraph (or the detected
    headline), in order; each paragraph is exactly its sentences; indexes are 0.. in order."""
    assert article["status"] == "done", article["error"]
    pieces = [p["ar"] for p in article["paragraphs"]]
    if not title_given and article["title"]["ar"] is not None:
        pieces.insert(0, article["title"]["ar"])
    assert visible_chars("".join(pieces)) == visible_chars(text)
    assert [p["index"] for p in article["paragraphs"]] == list(range(len(article["paragraphs"])))
    for paragraph in article["paragraphs"]:
        sentences = paragraph["sentences"]
        assert sentences, paragraph
        assert [s["index"] for s in sentences] == list(range(len(sentences)))
        assert visible_chars("".join(s["ar"] for s in sentences)) == visible_chars(paragraph["ar"])
        for sentence in sentences:
            assert sentence["ar"] in paragraph["ar"]
            assert isinstance(sentence["en"], str)
