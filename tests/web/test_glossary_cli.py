"""`tarjama glossary import` and `tarjama submit --glossary` against the API served for
real (this folder's live_server), translated by a real worker."""

from __future__ import annotations

import re

import httpx
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import run_worker_burst

runner = CliRunner()


async def test_import_a_glossary_and_submit_with_it(tmp_path, live_server, web_settings, keys):
    env = {"TARJAMA_API_URL": live_server, "TARJAMA_API_KEY": keys.submit}
    glossary_file = tmp_path / "places.csv"
    glossary_file.write_text(
        "ar,en\nدير الزور,Deir ez-Zor\nالبوكمال,Albu Kamal\n", encoding="utf-8"
    )
    imported = runner.invoke(app, ["glossary", "import", str(glossary_file)], env=env)
    assert imported.exit_code == 0, imported.output
    glossary_id = re.search(r"glossary (\w+): places, 2 entries", imported.output).group(1)

    bad = tmp_path / "bad.csv"
    bad.write_text("arabic,english\nحلب,Aleppo\n", encoding="utf-8")
    refused = runner.invoke(app, ["glossary", "import", str(bad)], env=env)
    assert refused.exit_code == 1 and "ar and en" in refused.output

    article = tmp_path / "deir.txt"
    article.write_text("قصف على دير الزور\n\nوصلت قافلة إلى البوكمال.", encoding="utf-8")
    submitted = runner.invoke(app, ["submit", str(article), "--glossary", glossary_id], env=env)
    assert submitted.exit_code == 0, submitted.output
    batch_id = re.search(r"batch (\w+): 1 accepted", submitted.output).group(1)
    await run_worker_burst(web_settings)

    headers = {"Authorization": f"Bearer {keys.submit}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers) as client:
        export = await client.get(f"/v1/batches/{batch_id}/export")
    result = httpx.Response(200, content=export.content).json()
    assert "Deir ez-Zor" in result["title"]["en"]
    sentence = result["paragraphs"][0]["sentences"][0]
    assert "Albu Kamal" in sentence["en"]
    assert sentence["terms"] == [{"ar": "البوكمال", "en": "Albu Kamal"}]
