"""The sample articles, submitted as a batch the way `tarjama submit` sends them, export
TMX whose units are whole sentences (12 of them are hard-wrapped at 78 columns)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # our own export, no entities

from cli.client_commands import article_files, ndjson_body
from tests.conftest import SAMPLES_DIR, run_worker_burst
from workers.reflow import split_paragraphs

NDJSON = {"content-type": "application/x-ndjson"}
SENTENCE_END_RE = re.compile(r"[.!?؟…][\"'”’»)\]}›]*$")


def prop(unit, name: str) -> str:
    return next(p.text for p in unit.findall("prop") if p.attrib["type"] == name)


async def test_samples_batch_exports_tmx_of_whole_sentences(client, settings):
    files = article_files([SAMPLES_DIR])
    body = b"".join(ndjson_body(files))
    created = (await client.post("/v1/batches", content=body, headers=NDJSON)).json()
    assert created["accepted"] == len(files) == 13
    await run_worker_burst(settings)

    tmx = await client.get(f"/v1/batches/{created['id']}/export", params={"format": "tmx"})
    units = ET.fromstring(tmx.content).findall("body/tu")
    lines = sum(len(split_paragraphs(f.read_text(encoding="utf-8"))) for f in files)
    assert 100 < len(units) < 2 * lines
    paragraphs = {}
    for unit in units:
        key = (prop(unit, "x-article-id"), int(prop(unit, "x-paragraph")))
        paragraphs.setdefault(key, []).append(unit.find("tuv/seg").text)
    unfinished = []
    for segments in paragraphs.values():
        # Every unit ends a sentence, or is a whole paragraph of its own: a heading or a
        # dateline ("الأضرار البدنية", "خاص - SY24").
        for segment in segments:
            if not SENTENCE_END_RE.search(segment):
                assert segments == [segment] and len(segment.split()) <= 6, segment
                unfinished.append(segment)
    assert len(unfinished) <= 5
