"""Translation models: the CTranslate2 model directories and the code that builds,
converts, loads and evaluates them. The only package that imports ctranslate2.

Public surface: `ModelCard`, `load_card`, `Translator`, `Translation`, `MODELS_DIR`.
"""

from models.card import MODELS_DIR, ModelCard, ModelCardError, load_card, resolve_model_dir

__all__ = [
    "MODELS_DIR",
    "ModelCard",
    "ModelCardError",
    "load_card",
    "resolve_model_dir",
]
