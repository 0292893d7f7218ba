"""Glossaries through the API: uploads, ownership, hostile files, and terms enforced in
translations by a real worker."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from service.storage.db import create_engine, session_factory
from service.storage.tables import Article
from tests.conftest import http_client, run_worker_burst

ENTRIES = [
    {"ar": "دير الزور", "en": "Deir ez-Zor"},
    {"ar": "الأمم المتحدة", "en": "the United Nations"},
    {"ar": "البوكمال", "en": "Albu Kamal"},
]
TEXT = (
    "وصلت قافلة إلى دير الزور صباح اليوم.\n\n"
    "قال متحدث باسم الأمم المتحدة إن الطرق من البوكمال وبدير الزور مفتوحة. "
    "وأضاف أن الوضع هادئ.\n"
    "ودعا للأمم المتحدة مراقبين إلى البوكمال."
)
CSV = {"content-type": "text/csv"}
TBX = {"content-type": "application/x-tbx+xml"}


def tbx(*entries: tuple[str, str], doctype: str = "") -> bytes:
    body = "".join(
        f'<termEntry id="t{i}"><langSet xml:lang="ar"><tig><term>{ar}</term></tig></langSet>'
        f'<langSet xml:lang="en"><tig><term>{en}</term></tig></langSet></termEntry>'
        for i, (ar, en) in enumerate(entries)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<martif type="TBX" xml:lang="en">'
        f"<martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></martifHeader>"
        f"<text><body>{body}</body></text></martif>"
    ).encode()


async def create(client, entries=ENTRIES, name="places") -> dict:
    response = await client.post("/v1/glossaries", json={"name": name, "entries": entries})
    assert response.status_code == 201, response.text
    return response.json()


async def test_json_glossary_round_trip(client):
    created = await create(client)
    assert created["name"] == "places" and created["entries"] == 3 and created["created_at"]
    read = (await client.get(f"/v1/glossaries/{created['id']}")).json()
    assert read["entries"] == ENTRIES and read["entry_count"] == 3
    assert created["id"] in [g["id"] for g in (await client.get("/v1/glossaries")).json()["items"]]

    replaced = await client.put(
        f"/v1/glossaries/{created['id']}",
        json={"name": "one place", "entries": ENTRIES[:1]},
    )
    assert replaced.status_code == 200 and replaced.json()["entries"] == 1
    read = (await client.get(f"/v1/glossaries/{created['id']}")).json()
    assert read["name"] == "one place" and read["entries"] == ENTRIES[:1]

    assert (await client.delete(f"/v1/glossaries/{created['id']}")).status_code == 204
    assert (await client.get(f"/v1/glossaries/{created['id']}")).status_code == 404


async def test_csv_and_tbx_uploads(client):
    csv_body = 'ar,en\nدير الزور,Deir ez-Zor\n"الأمم المتحدة","the United Nations"\n'
    response = await client.post(
        "/v1/glossaries", params={"name": "csv"}, content=csv_body.encode(), headers=CSV
    )
    assert response.status_code == 201, response.text
    read = (await client.get(f"/v1/glossaries/{response.json()['id']}")).json()
    assert read["entries"] == ENTRIES[:2]

    response = await client.post(
        "/v1/glossaries",
        params={"name": "tbx"},
        content=tbx(("البوكمال", "Albu Kamal"), ("دير الزور", "Deir ez-Zor")),
        headers=TBX,
    )
    assert response.status_code == 201, response.text
    read = (await client.get(f"/v1/glossaries/{response.json()['id']}")).json()
    assert read["entries"] == [ENTRIES[2], ENTRIES[0]]


async def test_glossaries_are_owned_like_articles(app, client, make_key):
    mine = await create(client)
    async with http_client(app, await make_key("submit")) as other:
        assert (await other.get(f"/v1/glossaries/{mine['id']}")).status_code == 404
        assert (await other.delete(f"/v1/glossaries/{mine['id']}")).status_code == 404
        listed = (await other.get("/v1/glossaries")).json()["items"]
        assert mine["id"] not in [g["id"] for g in listed]
        # Someone else's glossary is no more usable than an unknown one.
        for glossary in (mine["id"], "f" * 32):
            response = await other.post("/v1/articles", json={"text": TEXT, "glossary": glossary})
            assert response.status_code == 422
            assert "glossary" in response.json()["detail"]
    async with http_client(app, await make_key("review")) as reviewer:
        assert (await reviewer.get(f"/v1/glossaries/{mine['id']}")).status_code == 200


BILLION_LAUGHS = (
    '<!DOCTYPE martif [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
XXE = '<!DOCTYPE martif [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _hostile_cases():
    many = [{"ar": f"مدينة رقم {i}", "en": f"city {i}"} for i in range(10_001)]
    return [
        ("malformed CSV", CSV, 'ar,en\n"دير الزور,Deir\n'.encode(), 422, "malformed CSV"),
        ("CSV without header", CSV, "دير الزور,Deir\n".encode(), 422, "header"),
        ("CSV ragged row", CSV, "ar,en\nدير الزور,Deir,extra\n".encode(), 422, "fields"),
        ("CSV not UTF-8", CSV, b"ar,en\n\xff\xfe,x\n", 422, "UTF-8"),
        ("malformed TBX", TBX, b"<martif><text><body><termEntry>", 422, "malformed TBX"),
        ("billion laughs", TBX, tbx(("&lol3;", "x"), doctype=BILLION_LAUGHS), 422, "entities"),
        ("XXE", TBX, tbx(("&xxe;", "x"), doctype=XXE), 422, "entities"),
        (
            "TBX entry without English",
            TBX,
            b'<martif><text><body><termEntry><langSet xml:lang="ar"><tig><term>'
            + "حلب".encode()
            + b"</term></tig></langSet></termEntry></body></text></martif>",
            422,
            "no en term",
        ),
        ("empty term", None, {"name": "x", "entries": [{"ar": " ", "en": "x"}]}, 422, "empty"),
        (
            "duplicate term",
            None,
            {"name": "x", "entries": [ENTRIES[1], {"ar": "الامم المتحدة", "en": "UN"}]},
            422,
            "duplicate",
        ),
        (
            "term too long",
            None,
            {"name": "x", "entries": [{"ar": "ب" * 201, "en": "x"}]},
            422,
            "200 characters",
        ),
        (
            "no Arabic",
            None,
            {"name": "x", "entries": [{"ar": "Aleppo", "en": "x"}]},
            422,
            "no Arabic",
        ),
        ("no entries", None, {"name": "x", "entries": []}, 422, "no entries"),
        ("too many entries", None, {"name": "x", "entries": many}, 422, "10000"),
        ("malformed JSON", {"content-type": "application/json"}, b"{", 422, "invalid JSON"),
        ("other media type", {"content-type": "text/plain"}, b"ar,en", 415, "text/csv"),
    ]


@pytest.mark.parametrize("case", _hostile_cases(), ids=lambda c: c[0])
async def test_hostile_uploads_are_refused_and_nothing_is_stored(client, case):
    _, headers, body, code, said = case
    before = (await client.get("/v1/glossaries")).json()["items"]
    if headers is None:
        response = await client.post("/v1/glossaries", json=body)
    else:
        response = await client.post(
            "/v1/glossaries", params={"name": "bad"}, content=body, headers=headers
        )
    assert response.status_code == code, response.text
    assert said in json.dumps(response.json()["detail"], ensure_ascii=False)
    assert (await client.get("/v1/glossaries")).json()["items"] == before


async def test_body_over_the_limit_is_refused(client, settings):
    rows = "ar,en\n" + "".join(f"مدينة{i},city {i}\n" for i in range(90_000))
    assert len(rows.encode()) > settings.max_body_bytes
    response = await client.post(
        "/v1/glossaries", params={"name": "big"}, content=rows.encode(), headers=CSV
    )
    assert response.status_code == 413
    assert (await client.get("/v1/glossaries")).json()["items"] == []


def _sentences(article: dict) -> list[dict]:
    return [s for p in article["paragraphs"] for s in p["sentences"]]


async def test_terms_are_enforced_by_a_real_worker(client, settings):
    glossary = await create(client)
    plain = (await client.post("/v1/articles", json={"text": TEXT, "force": True})).json()
    with_terms = await client.post("/v1/articles", json={"text": TEXT, "glossary": glossary["id"]})
    assert with_terms.status_code == 202, with_terms.text
    assert with_terms.json()["glossary"] == glossary["id"]
    await run_worker_burst(settings)

    article = (await client.get(f"/v1/articles/{with_terms.json()['id']}")).json()
    assert article["status"] == "done" and article["reused_from"] is None
    expected = [
        ["Deir ez-Zor"],
        ["the United Nations", "Albu Kamal", "Deir ez-Zor"],
        [],
        ["the United Nations", "Albu Kamal"],
    ]
    sentences = _sentences(article)
    assert [[t["en"] for t in s["terms"]] for s in sentences] == expected
    for sentence in sentences:
        for term in sentence["terms"]:
            assert term["en"].lower() in sentence["en"].lower(), sentence
    assert sentences[1]["terms"][0] == ENTRIES[1]
    # "the United Nations" keeps one article, wherever the model put its own.
    assert not any("the the" in s["en"].lower() for s in sentences)

    without = (await client.get(f"/v1/articles/{plain['id']}")).json()
    assert all(s["terms"] == [] for s in _sentences(without))

    # Again with the glossary: the memory has every sentence, and still every term.
    again = await client.post("/v1/articles", json={"text": TEXT, "glossary": glossary["id"]})
    await run_worker_burst(settings)
    repeat = (await client.get(f"/v1/articles/{again.json()['id']}")).json()
    # (A sentence without terms may be the plain article's translation, from a batch of
    # other lengths: only the sentences with terms have memory entries of their own.)
    assert [s["terms"] for s in _sentences(repeat)] == [s["terms"] for s in sentences]
    assert [s["en"] for s in _sentences(repeat) if s["terms"]] == [
        s["en"] for s in sentences if s["terms"]
    ]
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            row = (
                await session.execute(
                    select(Article.unit_count, Article.memory_hits).where(
                        Article.id == repeat["id"]
                    )
                )
            ).one()
    finally:
        await engine.dispose()
    assert row.memory_hits == row.unit_count > 0


async def test_batch_lines_and_query_name_glossaries(client, settings):
    glossary = await create(client)
    other = await create(client, [{"ar": "دير الزور", "en": "Dayr al-Zawr"}], name="other")
    lines = [
        json.dumps({"text": TEXT}, ensure_ascii=False),
        json.dumps({"text": TEXT, "glossary": other["id"]}, ensure_ascii=False),
        json.dumps({"text": TEXT, "glossary": "0" * 32}, ensure_ascii=False),
    ]
    response = await client.post(
        "/v1/batches",
        params={"glossary": glossary["id"]},
        content="\n".join(lines),
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == 2
    assert body["rejected"] == [{"line": 3, "error": f"glossary: no glossary {'0' * 32!r}"}]
    await run_worker_burst(settings)
    export = (await client.get(f"/v1/batches/{body['id']}/export")).text.splitlines()
    first, second = (json.loads(line) for line in export)
    assert "Deir ez-Zor" in _sentences(first)[0]["en"]
    assert _sentences(first)[0]["terms"] == [ENTRIES[0]]
    assert "Dayr al-Zawr" in _sentences(second)[0]["en"]
    tmx = (await client.get(f"/v1/batches/{body['id']}/export", params={"format": "tmx"})).text
    assert '<prop type="x-glossary-terms">دير الزور = Deir ez-Zor</prop>' in tmx

    unknown = await client.post(
        "/v1/batches",
        params={"glossary": "0" * 32},
        content=lines[0],
        headers={"content-type": "application/x-ndjson"},
    )
    assert unknown.status_code == 422 and "glossary" in unknown.json()["detail"]
