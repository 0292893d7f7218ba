"""Fetch a known model from where it is published, then import it. Used only by install.

Every file is streamed to `<name>.part` with a progress bar, checked, and only then renamed;
an interrupted download resumes from its `.part` file.
Checks: the size the server announced; the SHA-256 the Hugging Face hub publishes for
large (LFS) files and the git blob hash it publishes for small ones; for a release zip,
the registry's SHA-256 where the publisher states one, and the zip's own CRCs. Files
already downloaded and verified are not fetched again.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from models.card import ModelCard, sha256_file
from models.errors import DownloadError
from models.importers import import_model, refuse_existing, require_convert_extra
from models.registry import HF_HUB_URL, KnownModel, SourceKind

CHUNK_BYTES = 1 << 20
CONNECT_TIMEOUT_S = 30.0
READ_TIMEOUT_S = 120.0
DOWNLOADS_DIRNAME = ".downloads"
USER_AGENT = "tarjama-model-installer"
PARTIAL_CONTENT = 206
RANGE_NOT_SATISFIABLE = 416
# Files of a hub repository that the converter needs; other weight formats are skipped.
HUB_SUPPORT_FILES = (
    "config.json",
    "generation_config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "sentencepiece.bpe.model",
    "source.spm",
    "target.spm",
    "vocab.json",
)


@dataclass(frozen=True)
class RemoteFile:
    """One file to download and what it must match once downloaded."""

    url: str
    filename: str
    size: int | None = None
    sha256: str | None = None
    git_blob_sha1: str | None = None  # the hub's id for small files kept in git itself


def new_client() -> httpx.Client:
    timeout = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
    return httpx.Client(follow_redirects=True, timeout=timeout, headers={"User-Agent": USER_AGENT})


def new_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )


def install_model(
    known: KnownModel,
    models_dir: Path,
    *,
    force: bool = False,
    keep_download: bool = False,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
) -> ModelCard:
    """Download `known`, convert it to int8 and save it as `models_dir/<name>`."""
    check_installable(known, models_dir, force=force)
    cache = Path(models_dir) / DOWNLOADS_DIRNAME / known.name
    with ExitStack() as stack:
        http = client or stack.enter_context(new_client())
        bar = progress or stack.enter_context(new_progress())
        if known.kind is SourceKind.opus_mt_zip:
            files, revision = [release_file(known)], ""
        else:
            revision, files = hub_files(http, known.hub_repo)
        download_all(http, files, cache, bar)
    if known.kind is SourceKind.opus_mt_zip:
        # Release zips come without a published checksum: record what was installed.
        local = cache / files[0].filename
        origin = f"{known.url} (sha256 {sha256_file(local)})"
    else:
        local, origin = cache, f"{known.url} (revision {revision})"
    card = import_model(local, models_dir, name=known.name, force=force, known=known, origin=origin)
    if not keep_download:
        shutil.rmtree(cache, ignore_errors=True)
    return card


def check_installable(known: KnownModel, models_dir: Path, *, force: bool = False) -> None:
    """Fail now, not after a long download, if the name is taken or an extra is missing."""
    refuse_existing(Path(models_dir) / known.name, force)
    if known.needs_transformers:
        require_convert_extra(f"installing {known.name}")


def release_file(known: KnownModel) -> RemoteFile:
    return RemoteFile(url=known.url, filename=known.url.rsplit("/", 1)[-1], sha256=known.sha256)


def hub_files(
    client: httpx.Client, repo: str, revision: str = "main"
) -> tuple[str, list[RemoteFile]]:
    """The commit `revision` points to, and the files of `repo` needed to convert it."""
    url = f"{HF_HUB_URL}/api/models/{repo}/revision/{quote(revision, safe='')}"
    try:
        response = client.get(url, params={"blobs": "true"})
        response.raise_for_status()
        info = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise DownloadError(f"cannot list the files of {repo} on the hub: {exc}") from exc
    commit = info.get("sha") or revision
    siblings = {s["rfilename"]: s for s in info.get("siblings", [])}
    wanted = [n for n in HUB_SUPPORT_FILES if n in siblings] + _weight_files(siblings)
    if not any(n.endswith((".safetensors", ".bin")) for n in wanted):
        raise DownloadError(f"{repo} has no safetensors or PyTorch weights to convert")
    return commit, [
        RemoteFile(
            url=f"{HF_HUB_URL}/{repo}/resolve/{commit}/{quote(name)}",
            filename=name,
            size=siblings[name].get("size"),
            sha256=(siblings[name].get("lfs") or {}).get("sha256"),
            git_blob_sha1=None if siblings[name].get("lfs") else siblings[name].get("blobId"),
        )
        for name in wanted
    ]


def _weight_files(siblings: dict[str, dict]) -> list[str]:
    """safetensors if the repository has them, else the PyTorch checkpoint(s)."""
    names = sorted(siblings)
    safetensors = [n for n in names if n.endswith(".safetensors") and "/" not in n]
    if safetensors:
        return safetensors + [n for n in names if n == "model.safetensors.index.json"]
    return [n for n in names if n.startswith("pytorch_model") and "/" not in n]


def download_all(
    client: httpx.Client, files: Iterable[RemoteFile], dest_dir: Path, progress: Progress
) -> list[Path]:
    """Download every file into `dest_dir` (skipping verified ones); return their paths."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    return [download_file(client, f, dest_dir, progress) for f in files]


def download_file(
    client: httpx.Client, remote: RemoteFile, dest_dir: Path, progress: Progress
) -> Path:
    """Stream one file to disk with progress, verify it, and move it into place.

    An interrupted download leaves `<name>.part`; the next attempt resumes it where the
    server allows ranges, and starts again where it does not.
    """
    target = dest_dir / remote.filename
    if target.is_file() and _matches(target, remote):
        return target
    part = target.with_name(target.name + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    done = part.stat().st_size if part.is_file() else 0
    task = progress.add_task(remote.filename, total=remote.size, completed=done)
    try:
        headers = {"Range": f"bytes={done}-"} if done else {}
        with client.stream("GET", remote.url, headers=headers) as response:
            if done and response.status_code == RANGE_NOT_SATISFIABLE:  # a stale part file
                part.unlink()
                return download_file(client, remote, dest_dir, progress)
            response.raise_for_status()
            if response.status_code != PARTIAL_CONTENT:
                done = 0
            length = int(response.headers.get("Content-Length", 0))
            announced = done + length if length else remote.size
            progress.update(task, total=announced, completed=done)
            with open(part, "ab" if done else "wb") as handle:
                for chunk in response.iter_bytes():  # as it arrives: a resume loses nothing
                    handle.write(chunk)
                    progress.advance(task, len(chunk))
    except httpx.HTTPError as exc:
        raise DownloadError(
            f"downloading {remote.url} failed: {exc}; run the command again to resume"
        ) from exc
    expected = RemoteFile(
        remote.url, remote.filename, remote.size or announced, remote.sha256, remote.git_blob_sha1
    )
    problem = _verification_problem(part, expected)
    if problem:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{remote.url}: {problem}; the download was removed, try again")
    part.replace(target)
    return target


def _matches(path: Path, remote: RemoteFile) -> bool:
    # A zip checks itself (its CRCs and central directory, written last), so a complete
    # one can be reused even when nothing else is known about it.
    checkable = remote.size is not None or remote.sha256 or remote.git_blob_sha1
    return (
        bool(checkable or remote.filename.endswith(".zip"))
        and _verification_problem(path, remote) is None
    )


def _verification_problem(path: Path, remote: RemoteFile) -> str | None:
    """Why `path` is not the file described by `remote`, or None when it is."""
    size = path.stat().st_size
    if remote.size is not None and size != remote.size:
        return f"got {size} bytes, expected {remote.size}"
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(f"blob {size}\0".encode())
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            sha256.update(chunk)
            sha1.update(chunk)
    if remote.sha256 and sha256.hexdigest() != remote.sha256:
        return f"SHA-256 {sha256.hexdigest()} does not match the published {remote.sha256}"
    if remote.git_blob_sha1 and sha1.hexdigest() != remote.git_blob_sha1:
        return (
            f"git blob hash {sha1.hexdigest()} does not match the published {remote.git_blob_sha1}"
        )
    if remote.filename.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                broken = archive.testzip()
        except zipfile.BadZipFile as exc:
            return f"not a valid zip archive ({exc})"
        if broken:
            return f"member {broken} of the archive is corrupt"
    return None
