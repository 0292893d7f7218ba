"""The memory in and out as TMX: imported units are reviewed entries that the next article
gets; the export holds them with who and when; only reviewers and admins may do either."""

from __future__ import annotations

from collections.abc import AsyncIterator

import defusedxml.ElementTree as SafeET
import httpx
import pytest

from service.app.csrf import CSRF_HEADER, csrf_token
from tests.conftest import arabic_word, http_client, run_worker_burst, sign_in
from tests.web.test_review_pages import browser_client

TMX = {"content-type": "application/x-tmx+xml"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def tu(ar: str | None, en: str | None, *, lang_attr: str = "xml:lang", props: str = "") -> str:
    variants = "".join(
        f'<tuv {lang_attr}="{lang}"><seg>{text}</seg></tuv>'
        for lang, text in (("ar-SY", ar), ("en-GB", en))
        if text is not None
    )
    return f"<tu>{props}{variants}</tu>"


def tmx(*units: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
        '<tmx version="1.4"><header creationtool="CAT" creationtoolversion="1" segtype="sentence"'
        ' o-tmf="x" adminlang="en" srclang="ar" datatype="plaintext"/>'
        f"<body>{''.join(units)}</body></tmx>"
    ).encode()


@pytest.fixture
async def reviewer(app, make_key) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(app, await make_key("review", "Sami Nasr")) as client:
        yield client


async def test_imported_units_are_reviewed_entries_the_next_article_gets(
    reviewer, client, settings
):
    word = arabic_word()
    ar = f"أعلنت وزارة الصحة {word} عن حملة تطعيم جديدة."
    ar_coded = f"وصل الوفد {word} إلى دمشق."
    response = await reviewer.post(
        "/v1/memory/import",
        content=tmx(
            tu(ar, "The health ministry announced a new vaccination campaign."),
            # TMX 1.1's `lang`, and an inline code whose content is no text.
            tu(
                ar_coded,
                'The delegation <bpt i="1">&lt;b&gt;</bpt>arrived<ept i="1">'
                "&lt;/b&gt;</ept> in Damascus.",
                lang_attr="lang",
            ),
            tu(f"بلا ترجمة {word}", None),
            tu(f"نص {word}", "   "),
            tu("English only", "English only"),
            tu(f"جملة {word}", "bad\x07bell".replace("\x07", "&#x202E;")),
            tu(f"آلة {word}", "Machine.", props='<prop type="x-tarjama-origin">machine</prop>'),
        ),
        headers=TMX,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["imported"], body["entries"], body["rejected_total"]) == (2, 2, 5)
    assert body["rejected"] == [
        {"unit": "3", "error": "no English (en) variant"},
        {"unit": "4", "error": "the English segment: the sentence is empty"},
        {"unit": "5", "error": "the Arabic segment has no Arabic letter"},
        {
            "unit": "6",
            "error": "the English segment: the sentence contains control or bidi "
            "override characters (U+202E)",
        },
        {
            "unit": "7",
            "error": "a machine translation (x-tarjama-origin machine), not a reviewed one",
        },
    ]

    created = await client.post("/v1/articles", json={"text": f"خبر {word}\n\n{ar} {ar_coded}"})
    await run_worker_burst(settings)
    article = (await client.get(f"/v1/articles/{created.json()['id']}")).json()
    got = [(s["en"], s["provenance"]) for s in article["paragraphs"][0]["sentences"]]
    assert got == [
        ("The health ministry announced a new vaccination campaign.", "edited"),
        ("The delegation arrived in Damascus.", "edited"),
    ]


async def test_the_export_holds_reviewed_entries_with_who_and_when(reviewer, client, settings):
    word = arabic_word()
    ar = f"ارتفعت الأسعار {word} في الأسواق."
    await reviewer.post(
        "/v1/memory/import", content=tmx(tu(ar, "Prices rose in the markets.")), headers=TMX
    )
    # A later import replaces the entry: the latest English wins.
    await reviewer.post(
        "/v1/memory/import", content=tmx(tu(ar, "Market prices rose.")), headers=TMX
    )
    machine_ar = f"قال المتحدث {word} إن الاجتماع انتهى."
    await client.post("/v1/articles", json={"text": f"عنوان {word}\n\n{machine_ar}"})
    await run_worker_burst(settings)

    response = await reviewer.get("/v1/memory/export", params={"format": "tmx"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-tmx+xml")
    root = SafeET.fromstring(response.content)
    assert root.get("version") == "1.4"

    def units(tree) -> dict[str, tuple]:
        found = {}
        for unit in tree.iter("tu"):
            segs = {v.get(XML_LANG): v.findtext("seg") for v in unit.iter("tuv")}
            props = {p.get("type"): p.text for p in unit.iter("prop")}
            found[segs["ar"]] = (segs["en"], props, unit.get("changeid"))
        return found

    reviewed = units(root)
    assert reviewed[ar] == (
        "Market prices rose.",
        {"x-tarjama-origin": "reviewed", "x-reviewed-via": "tmx"},
        "Sami Nasr",
    )
    assert machine_ar not in reviewed

    full = (await reviewer.get("/v1/memory/export", params={"include": "all"})).content
    everything = units(SafeET.fromstring(full))
    assert everything[machine_ar][1]["x-tarjama-origin"] == "machine"
    assert everything[ar][0] == "Market prices rose."

    # What the export wrote, an import takes back, except the machine units.
    origins = [
        p.text for p in SafeET.fromstring(full).iter("prop") if p.get("type") == "x-tarjama-origin"
    ]
    result = (await reviewer.post("/v1/memory/import", content=full)).json()
    assert result["imported"] == origins.count("reviewed")
    assert result["rejected_total"] == origins.count("machine") > 0


async def test_only_reviewers_and_admins_touch_the_memory(app, make_key, client):
    body = tmx(tu(f"جملة {arabic_word()}", "A sentence."))
    assert (await client.post("/v1/memory/import", content=body)).status_code == 403
    assert (await client.get("/v1/memory/export")).status_code == 403
    async with http_client(app, await make_key("admin")) as admin:
        assert (await admin.post("/v1/memory/import", content=body)).status_code == 200
        assert (await admin.get("/v1/memory/export")).status_code == 200
    async with http_client(app) as anonymous:
        assert (await anonymous.get("/v1/memory/export")).status_code == 401


async def test_an_import_with_the_review_cookie_needs_the_csrf_token(app, make_key):
    token = await sign_in(app, await make_key("review"))
    body = tmx(tu(f"جملة {arabic_word()}", "A sentence."))
    async with browser_client(app, token) as browser:
        refused = await browser.post("/v1/memory/import", content=body)
        assert refused.status_code == 403
        assert CSRF_HEADER in refused.json()["detail"]
        accepted = await browser.post(
            "/v1/memory/import", content=body, headers={CSRF_HEADER: csrf_token(token)}
        )
        assert accepted.status_code == 200
