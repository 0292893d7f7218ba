"""Downloads and installs against an in-process HTTP transport: no test touches the network."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from rich.progress import Progress

from models.card import load_card
from models.download import RemoteFile, download_file, hub_files, install_model
from models.errors import DownloadError, MissingExtraError, ModelExistsError, UnknownModelError
from models.registry import KNOWN_MODELS, SourceKind, get_known_model
from tests.models.builders import build_marian_release

Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)


def quiet_progress() -> Progress:
    return Progress(console=Console(file=io.StringIO()))


def refuse_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"unexpected request to {request.url}")


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@pytest.fixture
def release_zip(tmp_path_factory) -> bytes:
    folder = build_marian_release(tmp_path_factory.mktemp("release") / "opus-2019-12-18")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


class TestRegistry:
    def test_unknown_name_lists_the_known_ones(self):
        with pytest.raises(UnknownModelError, match="opus-mt-ar-en"):
            get_known_model("gpt-translate")

    def test_entries(self):
        assert {"opus-mt-ar-en", "opus-mt-tc-big-ar-en", "nllb-200-distilled-600M"} <= set(
            KNOWN_MODELS
        )
        for known in KNOWN_MODELS.values():
            assert known.url.startswith("https://") and known.licence
        nllb = KNOWN_MODELS["nllb-200-distilled-600M"]
        assert nllb.kind is SourceKind.hf_hub and nllb.needs_transformers
        assert nllb.source_prefix == ("arb_Arab",) and nllb.target_prefix == ("eng_Latn",)
        assert KNOWN_MODELS["opus-mt-ar-en"].source_suffix == ("</s>",)


class TestDownloadFile:
    def test_verified_file_lands_in_place(self, tmp_path):
        data = b"x" * 3000
        remote = RemoteFile(
            "https://host/m.bin", "m.bin", len(data), hashlib.sha256(data).hexdigest()
        )
        client = client_for(lambda request: httpx.Response(200, content=data))

        path = download_file(client, remote, tmp_path, quiet_progress())

        assert path.read_bytes() == data
        # Already there and verified: not fetched again.
        assert download_file(client_for(refuse_network), remote, tmp_path, quiet_progress()) == path

    def test_hash_mismatch_leaves_nothing(self, tmp_path):
        remote = RemoteFile("https://host/m.bin", "m.bin", sha256="0" * 64)
        client = client_for(lambda request: httpx.Response(200, content=b"tampered"))

        with pytest.raises(DownloadError, match="SHA-256"):
            download_file(client, remote, tmp_path, quiet_progress())
        assert list(tmp_path.iterdir()) == []

    def test_git_blob_hash_and_size(self, tmp_path):
        data = b'{"model_type": "m2m_100"}'
        good = RemoteFile(
            "https://host/config.json", "config.json", len(data), None, git_blob_sha1(data)
        )
        client = client_for(lambda request: httpx.Response(200, content=data))
        assert download_file(client, good, tmp_path, quiet_progress()).read_bytes() == data

        short = RemoteFile("https://host/c2.json", "c2.json", len(data) + 1)
        with pytest.raises(DownloadError, match="bytes"):
            download_file(client, short, tmp_path, quiet_progress())

    def test_interrupted_download_resumes(self, tmp_path):
        data = bytes(range(256)) * 40
        ranges = []

        class BrokenStream(httpx.SyncByteStream):
            def __iter__(self):
                yield data[:4000]
                raise httpx.ReadError("connection reset")

        def handler(request: httpx.Request) -> httpx.Response:
            ranges.append(request.headers.get("Range"))
            if "Range" not in request.headers:
                return httpx.Response(200, stream=BrokenStream())
            start = int(request.headers["Range"].removeprefix("bytes=").rstrip("-"))
            return httpx.Response(206, content=data[start:])

        remote = RemoteFile(
            "https://host/m.bin", "m.bin", len(data), hashlib.sha256(data).hexdigest()
        )
        with pytest.raises(DownloadError, match="again to resume"):
            download_file(client_for(handler), remote, tmp_path, quiet_progress())
        assert (tmp_path / "m.bin.part").stat().st_size == 4000

        path = download_file(client_for(handler), remote, tmp_path, quiet_progress())

        assert path.read_bytes() == data and ranges == [None, "bytes=4000-"]
        assert not (tmp_path / "m.bin.part").exists()

    def test_http_error(self, tmp_path):
        client = client_for(lambda request: httpx.Response(404))

        with pytest.raises(DownloadError, match="404"):
            download_file(client, RemoteFile("https://host/x", "x"), tmp_path, quiet_progress())

    def test_truncated_zip_is_refused(self, tmp_path, release_zip):
        client = client_for(lambda request: httpx.Response(200, content=release_zip[:-100]))

        with pytest.raises(DownloadError, match="zip"):
            download_file(
                client, RemoteFile("https://h/m.zip", "m.zip"), tmp_path, quiet_progress()
            )


class TestHubFiles:
    def test_pins_the_commit_and_prefers_safetensors(self):
        commit = "a" * 40
        siblings = [
            {"rfilename": "config.json", "size": 10, "blobId": "b" * 40},
            {
                "rfilename": "sentencepiece.bpe.model",
                "size": 20,
                "lfs": {"sha256": "c" * 64, "size": 20},
            },
            {"rfilename": "model.safetensors", "size": 30, "lfs": {"sha256": "d" * 64, "size": 30}},
            {"rfilename": "pytorch_model.bin", "size": 40, "lfs": {"sha256": "e" * 64, "size": 40}},
            {"rfilename": "README.md", "size": 5, "blobId": "f" * 40},
        ]

        def handler(request: httpx.Request) -> httpx.Response:
            assert request.url.path == "/api/models/facebook/nllb-200-distilled-600M/revision/main"
            assert request.url.params["blobs"] == "true"
            return httpx.Response(200, json={"sha": commit, "siblings": siblings})

        revision, files = hub_files(client_for(handler), "facebook/nllb-200-distilled-600M")

        assert revision == commit
        assert [f.filename for f in files] == [
            "config.json",
            "sentencepiece.bpe.model",
            "model.safetensors",
        ]
        weights = files[-1]
        assert weights.url == (
            f"https://huggingface.co/facebook/nllb-200-distilled-600M/resolve/{commit}/"
            "model.safetensors"
        )
        assert weights.sha256 == "d" * 64 and weights.git_blob_sha1 is None
        assert files[0].git_blob_sha1 == "b" * 40 and files[0].sha256 is None


class TestInstall:
    def test_opus_mt_release_end_to_end(self, tmp_path, release_zip):
        known = KNOWN_MODELS["opus-mt-ar-en"]
        requested = []

        def handler(request: httpx.Request) -> httpx.Response:
            requested.append(str(request.url))
            return httpx.Response(200, content=release_zip)

        card = install_model(known, tmp_path, client=client_for(handler), progress=quiet_progress())

        assert requested == [known.url]
        assert load_card(tmp_path / "opus-mt-ar-en") == card
        assert card.quantization == "int8"
        assert card.origin == f"{known.url} (sha256 {hashlib.sha256(release_zip).hexdigest()})"
        assert card.licence == known.licence
        assert not (tmp_path / ".downloads" / "opus-mt-ar-en").exists()

    def test_existing_model_is_refused_before_downloading(self, tmp_path):
        (tmp_path / "opus-mt-ar-en").mkdir()

        with pytest.raises(ModelExistsError):
            install_model(
                KNOWN_MODELS["opus-mt-ar-en"],
                tmp_path,
                client=client_for(refuse_network),
                progress=quiet_progress(),
            )

    def test_nllb_without_the_convert_extra_fails_before_downloading(self, tmp_path):
        from importlib.util import find_spec

        if find_spec("transformers") and find_spec("torch"):
            pytest.skip("transformers and torch are installed")

        with pytest.raises(MissingExtraError, match=r"pip install 'tarjama\[convert\]'"):
            install_model(
                KNOWN_MODELS["nllb-200-distilled-600M"],
                tmp_path,
                client=client_for(refuse_network),
                progress=quiet_progress(),
            )
        assert not any(Path(tmp_path).iterdir())


def test_card_of_install_names_the_release(tmp_path, release_zip):
    card = install_model(
        KNOWN_MODELS["opus-mt-tc-big-ar-en"],
        tmp_path,
        keep_download=True,
        client=client_for(lambda request: httpx.Response(200, content=release_zip)),
        progress=quiet_progress(),
    )
    data = json.loads((tmp_path / card.name / "model_card.json").read_text())
    assert "opusTCv20210807+bt_transformer-big_2022-03-09.zip (sha256 " in data["origin"]
    assert (tmp_path / ".downloads" / card.name).is_dir()
