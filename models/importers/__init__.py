"""Import a model from a local folder or zip into the models folder, as an int8 CTranslate2
directory with its tokenizers, a model card and a README.

`base.ModelSource` does what every format shares: output, quantisation, validation and
saving. Each format supplies only how to recognise itself, which files it needs, and how to
write `model.bin`: a Marian/OPUS-MT release (`marian`), a Hugging Face Transformers folder
(`huggingface`, needs the `convert` extra) or an already converted CTranslate2 folder
(`ct2`, copied as it is: its quantisation is recorded, not changed).

An import is atomic (`install`): everything is written to a hidden staging folder beside
the target and renamed into place only once the model has been checked.
"""

from models.importers.base import QUANTIZATION, ModelSource, model_readme
from models.importers.ct2 import CTranslate2Source, saved_quantization
from models.importers.huggingface import TransformersSource, require_convert_extra
from models.importers.install import (
    SOURCE_FORMATS,
    check_model_name,
    detect_source,
    import_model,
    refuse_existing,
)
from models.importers.marian import MarianSource
from models.importers.validate import validate_model

__all__ = [
    "QUANTIZATION",
    "SOURCE_FORMATS",
    "CTranslate2Source",
    "MarianSource",
    "ModelSource",
    "TransformersSource",
    "check_model_name",
    "detect_source",
    "import_model",
    "model_readme",
    "refuse_existing",
    "require_convert_extra",
    "saved_quantization",
    "validate_model",
]
