"""Which model versions exist and how each is loaded.

A version is a folder under ``models/`` (artifact + model card) and the wrapper class that knows
how to call it. ``SPAM_MODEL_VERSIONS`` picks which of these the API serves.
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

from api.model_serving.models.base import SpamModel
from model_artifacts.card import METADATA_FILE
from model_artifacts.layout import MODEL_FOLDERS


@dataclass(frozen=True)
class ModelSpec:
    folder: str  # under MODELS_DIR: the artifact and its metadata.json
    wrapper: str  # "module:Class", imported only when the version is served
    summary: str

    def wrapper_class(self) -> type[SpamModel]:
        module, _, name = self.wrapper.partition(":")
        return getattr(importlib.import_module(module), name)


MODEL_CATALOG: dict[str, ModelSpec] = {
    "v1": ModelSpec(
        folder=MODEL_FOLDERS["v1"],
        wrapper="api.model_serving.models.sklearn_features1:SklearnFeatures1Model",
        summary="2019: gradient-boosted trees on nine hand-made features",
    ),
    "v2": ModelSpec(
        folder=MODEL_FOLDERS["v2"],
        wrapper="api.model_serving.models.keras_tokens:KerasTokenModel",
        summary="2020: an LSTM reading the token ids of the v2 features",
    ),
    "v3": ModelSpec(
        folder=MODEL_FOLDERS["v3"],
        wrapper="api.model_serving.models.keras_tokens:KerasTokenModel",
        summary="2021: five embedding bags on the v2 token ids, read from the online store",
    ),
}


class ModelNotAvailableError(RuntimeError):
    """A configured version is unknown, or its artifact has not been trained yet."""


def load_model(version: str, models_dir: Path) -> SpamModel:
    spec = MODEL_CATALOG.get(version)
    if spec is None:
        raise ModelNotAvailableError(
            f"unknown model version {version!r}; known versions: {', '.join(MODEL_CATALOG)}"
        )
    folder = models_dir / spec.folder
    if not (folder / METADATA_FILE).is_file():
        raise ModelNotAvailableError(
            f"model {version} is not trained yet: {folder}/{METADATA_FILE} is missing "
            "(run make train)"
        )
    return spec.wrapper_class().load(version, folder)
