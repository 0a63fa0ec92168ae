"""Which model versions exist and how each is loaded.

A version is a folder under ``models/`` (artifact + model card) and the wrapper class that knows
how to call it. ``SPAM_MODEL_VERSIONS`` picks which of these the API serves.
"""

from dataclasses import dataclass
from pathlib import Path

from api.model_serving.models.base import SpamModel
from api.model_serving.models.sklearn_features1 import SklearnFeatures1Model


@dataclass(frozen=True)
class ModelSpec:
    folder: str
    wrapper: type[SpamModel]
    summary: str


MODEL_CATALOG: dict[str, ModelSpec] = {
    "v1": ModelSpec(
        folder="model1_2019",
        wrapper=SklearnFeatures1Model,
        summary="2019: gradient-boosted trees on nine hand-made features",
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
    if not (folder / "metadata.json").is_file():
        raise ModelNotAvailableError(
            f"model {version} is not trained yet: {folder}/metadata.json is missing (run make train)"
        )
    return spec.wrapper.load(version, folder)
