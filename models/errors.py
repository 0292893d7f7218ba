"""Failures of installing, importing, converting and evaluating translation models.

One class per failure, all under `ModelError`, so that the command line can print any of
them as a one-line message instead of a traceback:

    ModelError
    ├── ModelSourceError            the path given to import cannot be used
    │   ├── ModelSourceNotFoundError    nothing at that path
    │   ├── UnknownModelFormatError     no supported model format recognised there
    │   └── IncompleteModelError        a recognised format with files missing
    ├── ModelExistsError            the name is taken and --force was not given
    ├── UnknownModelError           `install NAME` for a name the registry does not know
    ├── MissingExtraError           an optional dependency is not installed
    ├── ConversionError             the converter or the check of its output failed
    ├── DownloadError               a download failed or did not verify
    └── EvaluationError             the parallel files cannot be evaluated

`models.card.ModelCardError` (an invalid card in an installed model) stays beside the card.
"""

from __future__ import annotations


class ModelError(Exception):
    """Base class: something about a translation model went wrong."""


class ModelSourceError(ModelError):
    """The path given to import cannot be used."""


class ModelSourceNotFoundError(ModelSourceError):
    """Nothing exists at the given path."""


class UnknownModelFormatError(ModelSourceError):
    """The path holds no model in a supported format."""


class IncompleteModelError(ModelSourceError):
    """The format was recognised but files it needs are missing."""


class ModelExistsError(ModelError):
    """A model of that name is installed already."""


class UnknownModelError(ModelError):
    """The registry has no model of that name."""


class MissingExtraError(ModelError):
    """An optional dependency is missing; the message names the pip extra to install."""

    def __init__(self, what: str, extra: str, modules: list[str]) -> None:
        self.extra = extra
        self.modules = modules
        super().__init__(
            f"{what} needs {', '.join(modules)}, which {'is' if len(modules) == 1 else 'are'} "
            f"not installed: run pip install 'tarjama[{extra}]'"
        )


class ConversionError(ModelError):
    """Converting the model, or checking the converted model, failed."""


class DownloadError(ModelError):
    """A download failed, or what arrived does not match what was expected."""


class EvaluationError(ModelError):
    """The source and reference files cannot be evaluated."""
