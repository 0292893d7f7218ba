"""`tarjama models ...`: install, import, list and evaluate translation models.

Commands print one-line errors (exit code 1) for every failure they expect; the work
itself lives in `models/` (import, download, registry, evaluation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from models.card import ModelCard, ModelCardError, resolve_model_dir
from models.errors import EvaluationError, ModelError, ModelSourceNotFoundError
from models.registry import KNOWN_MODELS, get_known_model, installed_models
from service.config import PROJECT_DIR, get_settings

if TYPE_CHECKING:  # the translator imports ctranslate2: only load it for commands that need it
    from models.translator import Translation

# TICO-19 dev (CC0), shipped in the repository: see samples/README.md.
DEFAULT_EVAL_SRC = PROJECT_DIR / "samples" / "eval" / "tico19-dev.ar"
DEFAULT_EVAL_REF = DEFAULT_EVAL_SRC.with_suffix(".en")
EXIT_ERROR = 1

app = typer.Typer(
    help="Install, import, list and evaluate translation models.", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True)


@contextmanager
def _reported_errors() -> Iterator[None]:
    """Turn expected failures into a one-line message and exit code 1."""
    try:
        yield
    except (ModelError, ModelCardError, OSError) as exc:  # OSError: disk full, permissions
        # soft_wrap: one line however long its paths, so it can be copied and grepped
        errors.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_ERROR) from None


@app.command()
def install(
    name: Annotated[str, typer.Argument(help="A known model, e.g. opus-mt-ar-en.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an installed model.")] = False,
    keep_download: Annotated[
        bool, typer.Option("--keep-download", help="Keep the downloaded files after import.")
    ] = False,
) -> None:
    """Download a known model, convert it to int8 CTranslate2 and install it."""
    # Downloading, importing and evaluating load ctranslate2: only the commands that do so
    # import them, and `tarjama models list` starts quickly.
    from models.download import check_installable, install_model

    settings = get_settings()
    with _reported_errors():
        known = get_known_model(name)
        check_installable(known, settings.models_dir, force=force)
        if known.download_mb:
            console.print(
                f"Downloading {known.name} (about {known.download_mb:,} MB) from {known.url}",
                markup=False,
            )
        card = install_model(known, settings.models_dir, force=force, keep_download=keep_download)
    _print_installed(card, settings.models_dir)


@app.command("import")
def import_model(
    path: Annotated[
        Path,
        typer.Argument(
            help="An OPUS-MT zip or folder, a Hugging Face folder, or a CTranslate2 folder."
        ),
    ],
    name: Annotated[str | None, typer.Option("--name", help="Name to install it under.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an installed model.")] = False,
    licence: Annotated[str | None, typer.Option("--licence", help="Licence to record.")] = None,
) -> None:
    """Import a model copied onto this machine (for sites without network access)."""
    from models import importers

    settings = get_settings()
    with _reported_errors():
        # A copied release of a known model (e.g. --name opus-mt-ar-en) gets its full card.
        known = KNOWN_MODELS.get(name) if name else None
        card = importers.import_model(
            path,
            settings.models_dir,
            name=name,
            force=force,
            known=known,
            licence=licence,
            origin=None if known is None else f"{known.url} (imported from {path})",
        )
    _print_installed(card, settings.models_dir)


def _print_installed(card: ModelCard, models_dir: Path) -> None:
    where = escape(str(Path(models_dir) / card.name))
    console.print(
        f"Installed [bold]{escape(card.name)}[/bold] in {where} "
        f"({card.quantization}, licence: {escape(card.licence)})",
        highlight=False,
    )
    console.print(f"Use it with TARJAMA_MODEL={card.name}", highlight=False, markup=False)


@app.command("list")
def list_models() -> None:
    """Show the installed models, which one is the default, and the ones known to install."""

    settings = get_settings()
    default_dir = resolve_model_dir(settings.model, settings.models_dir).resolve()
    table = Table(title=f"Installed models in {escape(str(settings.models_dir))}")
    for column in ("", "name", "quantisation", "size", "origin"):
        table.add_column(column, overflow="fold")
    installed = installed_models(settings.models_dir)
    for model in installed:
        mark = "*" if model.path.resolve() == default_dir else ""
        if model.card is None:
            table.add_row(
                mark,
                escape(model.name),
                "?",
                _size(model.size_bytes),
                f"[red]{escape(model.problem)}[/red]",
            )
        else:
            table.add_row(
                mark,
                escape(model.name),
                escape(model.card.quantization),
                _size(model.size_bytes),
                escape(model.card.origin),
            )
    console.print(table)
    if not any(m.path.resolve() == default_dir for m in installed):
        console.print(
            f"[yellow]The default model {escape(repr(settings.model))} is not installed.[/yellow]"
        )
    else:
        console.print(f"* default model (TARJAMA_MODEL={settings.model})", markup=False)
    names = [n for n in KNOWN_MODELS if n not in {m.name for m in installed}]
    if names:
        console.print(f"Known, not installed (tarjama models install NAME): {', '.join(names)}")


def _size(size_bytes: int) -> str:
    size = float(size_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class SegmentedTranslate:
    """Translate lines as the article pipeline does: each line is a paragraph, split into
    sentences, the sentences translated together, their translations joined again."""

    def __init__(self, translate: Callable[[Sequence[str]], list[Translation]]) -> None:
        self.translate = translate
        self.sentences = 0  # how many sentences the lines were split into
        self.split_lines = 0  # how many lines the segmenter split into several sentences

    def __call__(self, lines: Sequence[str]) -> list[Translation]:
        from models.translator import Translation  # ctranslate2: see `install`
        from workers.segment import split_sentences

        groups = [split_sentences(line) for line in lines]
        self.sentences = sum(len(g) for g in groups)
        self.split_lines = sum(len(g) > 1 for g in groups)
        translated = self.translate([s for group in groups for s in group])
        results, cursor = [], 0
        for group in groups:
            parts = translated[cursor : cursor + len(group)]
            cursor += len(group)
            confidence = sum(t.confidence for t in parts) / len(parts) if parts else 0.0
            results.append(Translation(" ".join(t.text for t in parts if t.text), confidence))
        return results


@app.command("eval")
def eval_model(
    src: Annotated[
        Path | None,
        typer.Option(
            "--src",
            help="Source (Arabic) file, one segment a line "
            "(default: samples/eval/tico19-dev.ar, shipped with tarjama).",
        ),
    ] = None,
    ref: Annotated[
        Path | None,
        typer.Option(
            "--ref",
            help="Reference (English) file, line-aligned "
            "(default: samples/eval/tico19-dev.en; give both or neither).",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Model name or path; default: the configured model."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Use the first N lines only.")
    ] = None,
) -> None:
    """BLEU and chrF of a model, with the bare engine and through the article pipeline."""
    from models.quality import evaluate, read_parallel
    from models.translator import Translator

    settings = get_settings()
    with _reported_errors():
        src, ref = _eval_files(src, ref)
        data = read_parallel(src, ref, limit)
        model_dir = resolve_model_dir(model or settings.model, settings.models_dir)
        if not model_dir.exists():
            raise ModelSourceNotFoundError(
                f"no model {model or settings.model!r} in {settings.models_dir}: see "
                "`tarjama models list`, or give --model a path"
            )
        translator = Translator(model_dir, settings.translator_options())
        segmented = SegmentedTranslate(translator.translate)
        scores = [
            evaluate(translator.translate, data, "engine"),
            evaluate(segmented, data, "pipeline"),
        ]
    table = Table(
        title=f"{escape(translator.name)} ({translator.quantization}) on {escape(data.name)}: "
        f"{len(data.sources)} segments, beam {settings.beam_size}"
    )
    for column in ("method", "units", "BLEU", "chrF", "confidence", "seconds", "lines/s"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for score, units in zip(scores, (len(data.sources), segmented.sentences), strict=True):
        table.add_row(
            score.method,
            str(units),
            f"{score.bleu:.2f}",
            f"{score.chrf:.2f}",
            f"{score.mean_confidence:.3f}",
            f"{score.seconds:.1f}",
            f"{score.segments_per_second:.1f}",
        )
    console.print(table)
    console.print(
        "engine: each line translated as one unit. pipeline: each line split into sentences "
        f"as articles are ({segmented.split_lines} of {len(data.sources)} lines were split), "
        "translated, re-joined. confidence: mean per line.",
        highlight=False,
    )
    console.print(f"sacrebleu: {scores[0].signature}", highlight=False, markup=False)


def _eval_files(src: Path | None, ref: Path | None) -> tuple[Path, Path]:

    if src is None and ref is None:
        return DEFAULT_EVAL_SRC, DEFAULT_EVAL_REF
    if src is None or ref is None:
        raise EvaluationError(
            "give both --src and --ref, or neither for the shipped tico19-dev set "
            f"({DEFAULT_EVAL_SRC.parent})"
        )
    return src, ref
