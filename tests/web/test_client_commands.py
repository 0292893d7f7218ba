"""The client commands (cli/client_commands.py) against the API served by uvicorn (this
folder's live server): a batch exported as XLIFF, edited, imported back; the memory
exported and imported as TMX."""

from __future__ import annotations

import json

import httpx
from lxml import etree
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import arabic_word, run_worker_burst
from tests.service.test_xliff import NS, xml_parser


def tarjama(url: str, key: str, *args: str) -> str:
    result = CliRunner().invoke(
        app, list(args), env={"TARJAMA_API_URL": url, "TARJAMA_API_KEY": key}
    )
    assert result.exit_code == 0, result.output
    return result.output


async def test_xliff_and_memory_round_trips_through_the_cli(
    live_server, web_settings, keys, tmp_path
):
    word = arabic_word()
    sentence = f"قال المتحدث {word} إن الاجتماع انتهى."
    line = json.dumps({"text": f"خبر {word}\n\n{sentence}"}, ensure_ascii=False)
    with httpx.Client(
        base_url=live_server, headers={"Authorization": f"Bearer {keys.submit}"}
    ) as client:
        created = client.post(
            "/v1/batches", content=line, headers={"content-type": "application/x-ndjson"}
        )
    batch_id = created.json()["id"]
    await run_worker_burst(web_settings)

    xliff = tmp_path / "batch.xlf"
    assert "wrote" in tarjama(
        live_server, keys.review, "export", batch_id, "--format", "xliff", "-o", str(xliff)
    )
    document = etree.parse(str(xliff), xml_parser())
    unit = document.find(".//x:trans-unit", NS)
    unit.find("x:target", NS).text = "The spokesman said the meeting was over."
    document.write(str(xliff), xml_declaration=True, encoding="UTF-8")
    output = tarjama(live_server, keys.review, "import", str(xliff), "--batch", batch_id)
    assert output.startswith("1 updated, 0 unchanged, 0 rejected")

    memory = tmp_path / "memory.tmx"
    tarjama(live_server, keys.review, "memory", "export", "-o", str(memory))
    exported = memory.read_text(encoding="utf-8")
    assert sentence in exported and "The spokesman said the meeting was over." in exported
    output = tarjama(live_server, keys.review, "memory", "import", str(memory))
    assert " imported (" in output and "0 rejected" in output
