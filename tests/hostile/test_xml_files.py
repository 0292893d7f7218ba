"""Hostile TMX and XLIFF files: entity expansion, external entities, malformed or foreign
documents and files over the limit get a 4xx naming the problem, and nothing is stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from service.app.main import create_app
from service.storage.db import create_engine, session_factory
from service.storage.tables import ReviewedMemory, SentenceEdit
from tests.conftest import arabic_word, http_client, run_worker_burst

SMALL_IMPORT_BYTES = 16 * 1024

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE doc [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
PARAMETER_ENTITY = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE doc [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>\n'
)


def tmx_with(prolog: str, text: str) -> bytes:
    return (
        f'{prolog}<tmx version="1.4"><header srclang="ar"/><body><tu>'
        f'<tuv xml:lang="ar"><seg>جملة {arabic_word()}</seg></tuv>'
        f'<tuv xml:lang="en"><seg>{text}</seg></tuv></tu></body></tmx>'
    ).encode()


def xliff_with(prolog: str, unit_id: str, source: str, text: str) -> bytes:
    return (
        f'{prolog}<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        '<file original="a" source-language="ar" datatype="plaintext"><body>'
        f'<trans-unit id="{unit_id}"><source>{source}</source><target>{text}</target>'
        "</trans-unit></body></file></xliff>"
    ).encode()


@dataclass
class Target:
    reviewer: httpx.AsyncClient
    article_id: str
    batch_id: str
    unit_id: str
    source: str
    database_url: str

    async def stored(self) -> tuple[int, int]:
        """Reviewed memory entries and corrections in the database."""
        engine = create_engine(self.database_url)
        try:
            async with session_factory(engine)() as session:
                entries = await session.scalar(select(func.count()).select_from(ReviewedMemory))
                edits = await session.scalar(select(func.count()).select_from(SentenceEdit))
        finally:
            await engine.dispose()
        return entries, edits


@pytest.fixture
async def target(settings, make_key) -> AsyncIterator[Target]:
    """A finished batch article, and an app whose import limit is 16 KiB."""
    app = create_app(settings.model_copy(update={"max_import_bytes": SMALL_IMPORT_BYTES}))
    async with app.router.lifespan_context(app):
        async with http_client(app, await make_key("review", "Hostile Tester")) as reviewer:
            text = f"خبر {arabic_word()}\n\nقال المتحدث {arabic_word()} إن الاجتماع انتهى."
            line = json.dumps({"text": text}, ensure_ascii=False)
            created = await reviewer.post(
                "/v1/batches",
                content=line.encode(),
                headers={"content-type": "application/x-ndjson"},
            )
            batch_id = created.json()["id"]
            await run_worker_burst(settings)
            articles = (await reviewer.get("/v1/articles", params={"limit": 200})).json()
            article_id = next(a["id"] for a in articles["items"] if a["batch_id"] == batch_id)
            article = (await reviewer.get(f"/v1/articles/{article_id}")).json()
            source = article["paragraphs"][0]["sentences"][0]["ar"]
            yield Target(
                reviewer,
                article_id,
                batch_id,
                f"{article_id}-0-0",
                source,
                settings.database_url,
            )
        await app.state.redis.delete(settings.queue_name)


def hostile_files(t: Target) -> dict[str, tuple[str, bytes, str]]:
    """name -> (path, body, fragment of the expected detail)."""
    tmx_path = "/v1/memory/import"
    article_path = f"/v1/articles/{t.article_id}/import"
    batch_path = f"/v1/batches/{t.batch_id}/import"
    entities = "declares XML entities, which are not accepted"
    cases = {
        "tmx-billion-laughs": (tmx_path, tmx_with(BILLION_LAUGHS, "&lol9;"), entities),
        "tmx-xxe": (tmx_path, tmx_with(XXE, "&xxe;"), entities),
        "tmx-parameter-entity": (tmx_path, tmx_with(PARAMETER_ENTITY, "x"), entities),
        "tmx-malformed": (tmx_path, b"<tmx><body><tu></body></tmx>", "malformed TMX"),
        "tmx-not-xml": (tmx_path, b"ar,en\n\xd8\xb3,x\n", "malformed TMX"),
        "tmx-empty": (tmx_path, b"", "the TMX file is empty"),
        "tmx-foreign-root": (tmx_path, b"<html><body/></html>", "not a TMX file"),
        "tmx-no-body": (tmx_path, b'<tmx version="1.4"><header/></tmx>', "has no <body>"),
    }
    for path, kind in ((article_path, "article"), (batch_path, "batch")):
        unit = (t.unit_id, t.source)
        cases |= {
            f"xliff-{kind}-billion-laughs": (
                path,
                xliff_with(BILLION_LAUGHS, *unit, "&lol9;"),
                entities,
            ),
            f"xliff-{kind}-xxe": (path, xliff_with(XXE, *unit, "&xxe;"), entities),
            f"xliff-{kind}-malformed": (
                path,
                xliff_with("", *unit, "<b>unclosed"),
                "malformed XLIFF",
            ),
            f"xliff-{kind}-version-2": (
                path,
                b'<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0"/>',
                "XLIFF version 2.0 is not read here",
            ),
            f"xliff-{kind}-no-units": (
                path,
                b'<xliff version="1.2"><file/></xliff>',
                "the XLIFF file has no units",
            ),
        }
    return cases


HOSTILE_NAMES = [
    "tmx-billion-laughs",
    "tmx-xxe",
    "tmx-parameter-entity",
    "tmx-malformed",
    "tmx-not-xml",
    "tmx-empty",
    "tmx-foreign-root",
    "tmx-no-body",
] + [
    f"xliff-{kind}-{case}"
    for kind in ("article", "batch")
    for case in ("billion-laughs", "xxe", "malformed", "version-2", "no-units")
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_hostile_files_are_422_and_store_nothing(target, name):
    path, body, fragment = hostile_files(target)[name]
    before = await target.stored()
    response = await target.reviewer.post(path, content=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert fragment in detail
    assert "root:" not in detail  # nothing of /etc/passwd comes back
    assert await target.stored() == before


@pytest.mark.parametrize("kind", ["memory", "article", "batch"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_files_over_the_import_limit_are_413_and_store_nothing(target, kind, chunked):
    path = {
        "memory": "/v1/memory/import",
        "article": f"/v1/articles/{target.article_id}/import",
        "batch": f"/v1/batches/{target.batch_id}/import",
    }[kind]
    unit = (
        (
            f'<tu><tuv xml:lang="ar"><seg>{target.source}</seg></tuv>'
            '<tuv xml:lang="en"><seg>Imported.</seg></tuv></tu>'
        )
        if kind == "memory"
        else (
            f'<trans-unit id="{target.unit_id}"><source>{target.source}</source>'
            "<target>Imported.</target></trans-unit>"
        )
    )
    body = (unit * (SMALL_IMPORT_BYTES // len(unit.encode()) + 2)).encode()

    async def chunks():
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    before = await target.stored()
    response = await target.reviewer.post(path, content=chunks() if chunked else body)
    assert response.status_code == 413
    assert f"larger than {SMALL_IMPORT_BYTES} bytes" in response.json()["detail"]
    assert await target.stored() == before


async def test_a_valid_file_under_the_limit_still_imports(target):
    """The hostile cases fail for what they hold, not because imports are refused."""
    body = xliff_with("", target.unit_id, target.source, f"Fixed {arabic_word()}.")
    response = await target.reviewer.post(f"/v1/articles/{target.article_id}/import", content=body)
    assert response.status_code == 200, response.text
    assert response.json()["updated"] == 1
