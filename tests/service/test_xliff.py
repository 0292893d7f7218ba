"""XLIFF 1.2: exports validate against the official schema; a file edited in a CAT tool
comes back as corrections with their audit trail. Through the API and a real worker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from lxml import etree

from tests.conftest import arabic_word, http_client, run_worker_burst

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
NDJSON = {"content-type": "application/x-ndjson"}
XLIFF = {"content-type": "application/x-xliff+xml"}


class LocalSchemas(etree.Resolver):
    """The XLIFF schema imports xml.xsd from the W3C's site: read the copy here instead."""

    def resolve(self, url, pubid, context):
        if url == "http://www.w3.org/2001/xml.xsd":
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        return None  # local files as usual; no_network refuses any other URL


def xml_parser() -> etree.XMLParser:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(LocalSchemas())
    return parser


@pytest.fixture(scope="module")
def xliff_schema() -> etree.XMLSchema:
    document = etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd"), xml_parser())
    return etree.XMLSchema(document)


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, xml_parser())


def own_text() -> str:
    word = arabic_word()
    return (
        f"عنوان الخبر {word}\n\n"
        f"قال الوزير {word} إن الحكومة ستدعم المزارعين. وأضاف أن الخطة تشمل المحافظات.\n\n"
        f"وختم {word} بالقول إن العمل بدأ & انتهى <غدا>. وقال إن النتائج ستعلن قريبا."
    )


@dataclass
class Desk:
    submitter: httpx.AsyncClient
    reviewer: httpx.AsyncClient
    settings: object

    async def translate(self, text: str) -> str:
        response = await self.submitter.post("/v1/articles", json={"text": text})
        assert response.status_code == 202, response.text
        await run_worker_burst(self.settings)
        return response.json()["id"]

    async def article(self, article_id: str) -> dict:
        return (await self.reviewer.get(f"/v1/articles/{article_id}")).json()

    async def export(self, path: str) -> bytes:
        response = await self.reviewer.get(path, params={"format": "xliff"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/x-xliff+xml")
        return response.content


@pytest.fixture
async def desk(app, make_key, settings) -> AsyncIterator[Desk]:
    async with (
        http_client(app, await make_key("submit", "newsdesk")) as submitter,
        http_client(app, await make_key("review", "Layla Haddad")) as reviewer,
    ):
        yield Desk(submitter, reviewer, settings)


def units(document: etree._Element) -> dict[str, etree._Element]:
    return {u.get("id"): u for u in document.iterfind(".//x:trans-unit", NS)}


def target_of(unit: etree._Element) -> etree._Element:
    return unit.find("x:target", NS)


async def test_an_article_exports_as_valid_xliff_one_unit_per_sentence(desk, xliff_schema):
    article_id = await desk.translate(own_text())
    await desk.reviewer.patch(
        f"/v1/articles/{article_id}/paragraphs/0/sentences/1", json={"en": "He added more."}
    )
    document = parse(await desk.export(f"/v1/articles/{article_id}/export"))
    assert xliff_schema.validate(document), xliff_schema.error_log

    article = await desk.article(article_id)
    expected = {
        f"{article_id}-{p['index']}-{s['index']}": s
        for p in article["paragraphs"]
        for s in p["sentences"]
    }
    found = units(document)
    assert list(found) == list(expected)
    for uid, sentence in expected.items():
        assert found[uid].findtext("x:source", namespaces=NS) == sentence["ar"]
        assert target_of(found[uid]).text == sentence["en"]
    edited = found[f"{article_id}-0-1"]
    assert (target_of(edited).get("state"), edited.get("approved")) == ("final", "yes")
    machine = target_of(found[f"{article_id}-0-0"])
    assert machine.get("state") == "needs-review-translation"
    assert machine.get("state-qualifier") in {"mt-suggestion", "leveraged-tm"}
    file = document.find("x:file", NS)
    assert (file.get("source-language"), file.get("target-language")) == ("ar", "en")


def test_the_schema_check_catches_what_it_should(xliff_schema):
    """The validation is no formality: a unit without a source, or an unknown state, fails."""
    head = '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
    file = '<file original="a" source-language="ar" datatype="plaintext"><body>'
    good = f'{head}{file}<trans-unit id="1"><source>س</source></trans-unit></body></file></xliff>'
    assert xliff_schema.validate(parse(good.encode()))
    for bad_unit in (
        '<trans-unit id="1"><target>x</target></trans-unit>',
        '<trans-unit id="1"><source>س</source><target state="done">x</target></trans-unit>',
    ):
        bad = f"{head}{file}{bad_unit}</body></file></xliff>"
        assert not xliff_schema.validate(parse(bad.encode()))


async def test_a_round_trip_applies_changed_targets_as_corrections(desk):
    article_id = await desk.translate(own_text())
    before = await desk.article(article_id)
    document = parse(await desk.export(f"/v1/articles/{article_id}/export"))
    found = units(document)
    target_of(found[f"{article_id}-0-0"]).text = "The minister said the government would help."
    target_of(found[f"{article_id}-1-0"]).text = "He ended by saying the work had begun."
    # Reflowed whitespace is no change.
    untouched = target_of(found[f"{article_id}-0-1"])
    untouched.text = f"  {untouched.text}  "

    response = await desk.reviewer.post(
        f"/v1/articles/{article_id}/import", content=etree.tostring(document), headers=XLIFF
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "updated": 2,
        "unchanged": len(found) - 2,
        "rejected": [],
        "rejected_total": 0,
    }

    after = await desk.article(article_id)
    first = after["paragraphs"][0]["sentences"][0]
    assert (first["en"], first["provenance"], first["edited"]) == (
        "The minister said the government would help.",
        "edited",
        True,
    )
    assert first["machine_en"] == before["paragraphs"][0]["sentences"][0]["en"]
    assert after["paragraphs"][0]["sentences"][1] == before["paragraphs"][0]["sentences"][1]
    trail = (await desk.submitter.get(f"/v1/articles/{article_id}/edits")).json()["items"]
    assert [(e["paragraph"], e["sentence"], e["editor"]) for e in trail] == [
        (0, 0, "Layla Haddad"),
        (1, 0, "Layla Haddad"),
    ]

    # The same file again changes nothing.
    again = await desk.reviewer.post(
        f"/v1/articles/{article_id}/import", content=etree.tostring(document), headers=XLIFF
    )
    assert again.json()["updated"] == 0 and again.json()["unchanged"] == len(found)
    assert len((await desk.reviewer.get(f"/v1/articles/{article_id}/edits")).json()["items"]) == 2

    # The imported correction teaches the memory: the next article gets it.
    first_ar = before["paragraphs"][0]["sentences"][0]["ar"]
    next_id = await desk.translate(f"خبر آخر {arabic_word()}\n\n{first_ar}")
    reused = (await desk.article(next_id))["paragraphs"][0]["sentences"][0]
    assert (reused["en"], reused["provenance"]) == (first["en"], "edited")


async def test_units_that_cannot_apply_are_rejected_with_reasons(desk):
    article_id = await desk.translate(own_text())
    other_id = await desk.translate(own_text())
    document = parse(await desk.export(f"/v1/articles/{article_id}/export"))
    found = units(document)
    ids = list(found)
    body = document.find(".//x:body", NS)

    found[ids[0]].find("x:source", NS).text = "نص عربي آخر تغير بعد التصدير."
    target_of(found[ids[0]]).text = "Should not apply."
    found[ids[1]].remove(target_of(found[ids[1]]))
    target_of(found[ids[2]]).text = "bad\u202ebidi"
    foreign = etree.fromstring(etree.tostring(found[ids[3]]))
    foreign.set("id", f"{other_id}-0-0")
    body.append(foreign)
    missing = etree.fromstring(etree.tostring(found[ids[3]]))
    missing.set("id", f"{article_id}-9-0")
    body.append(missing)
    stranger = etree.fromstring(etree.tostring(found[ids[3]]))
    stranger.set("id", "unit-7")
    body.append(stranger)
    body.append(etree.fromstring(etree.tostring(found[ids[3]])))  # a duplicate

    response = await desk.reviewer.post(
        f"/v1/articles/{article_id}/import", content=etree.tostring(document), headers=XLIFF
    )
    assert response.status_code == 200, response.text
    result = response.json()
    reasons = {r["unit"]: r["error"] for r in result["rejected"]}
    assert reasons[ids[0]] == "the source no longer matches the stored Arabic"
    assert reasons[ids[1]] == "the unit has no target"
    assert "U+202E" in reasons[ids[2]]
    assert reasons[f"{other_id}-0-0"] == (
        f"the unit belongs to article {other_id}, which is not in article {article_id}"
    )
    assert reasons[f"{article_id}-9-0"] == f"article {article_id} has no sentence 0 in paragraph 9"
    assert reasons["unit-7"] == "the unit id is not one tarjama exported"
    assert result["rejected_total"] == 7  # the duplicate too
    assert result["updated"] == 0 and result["unchanged"] == len(ids) - 3
    assert (await desk.reviewer.get(f"/v1/articles/{article_id}/edits")).json()["items"] == []
    assert (await desk.article(other_id))["paragraphs"][0]["sentences"][0]["edited"] is False


async def test_a_batch_round_trip(desk):
    lines = [
        json.dumps({"text": own_text(), "external_id": f"n{i}"}, ensure_ascii=False)
        for i in range(2)
    ]
    created = await desk.submitter.post("/v1/batches", content="\n".join(lines), headers=NDJSON)
    batch_id = created.json()["id"]
    await run_worker_burst(desk.settings)
    document = parse(await desk.export(f"/v1/batches/{batch_id}/export"))
    files = document.findall("x:file", NS)
    assert len(files) == 2
    assert [f.findtext("x:header/x:note", namespaces=NS) for f in files] == [
        "external id: n0",
        "external id: n1",
    ]
    edited = []
    for file in files:
        unit = file.find(".//x:trans-unit", NS)
        target_of(unit).text = f"Corrected in the CAT tool, unit {unit.get('id')}."
        edited.append(unit.get("id"))
    response = await desk.reviewer.post(
        f"/v1/batches/{batch_id}/import", content=etree.tostring(document), headers=XLIFF
    )
    assert response.status_code == 200, response.text
    assert response.json()["updated"] == 2 and response.json()["rejected_total"] == 0
    for uid in edited:
        article_id, p, s = uid.rsplit("-", 2)
        sentence = (await desk.article(article_id))["paragraphs"][int(p)]["sentences"][int(s)]
        assert sentence["en"] == f"Corrected in the CAT tool, unit {uid}."

    # An article outside the batch is no part of its import.
    outside = await desk.translate(own_text())
    single = parse(await desk.export(f"/v1/articles/{outside}/export"))
    response = await desk.reviewer.post(
        f"/v1/batches/{batch_id}/import", content=etree.tostring(single), headers=XLIFF
    )
    assert response.json()["updated"] == 0
    assert {r["error"] for r in response.json()["rejected"]} == {
        f"the unit belongs to article {outside}, which is not in batch {batch_id}"
    }


async def test_only_reviewers_import_and_unknown_targets_are_404(desk):
    article_id = await desk.translate(own_text())
    data = await desk.export(f"/v1/articles/{article_id}/export")
    response = await desk.submitter.post(f"/v1/articles/{article_id}/import", content=data)
    assert response.status_code == 403
    response = await desk.reviewer.post("/v1/articles/nope/import", content=data)
    assert response.status_code == 404
    response = await desk.reviewer.post("/v1/batches/nope/import", content=data)
    assert response.status_code == 404
    response = await desk.reviewer.post(
        f"/v1/articles/{article_id}/import", params={"format": "tmx"}, content=data
    )
    assert response.status_code == 422
