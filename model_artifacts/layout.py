"""Where each model version lives under the models folder, and what its artifact is called."""

from pathlib import Path

MODEL_FOLDERS: dict[str, str] = {
    "v1": "model1_2019",
    "v2": "model2_2020/classifier",
    "v3": "model3_2021/classifier",
}
SKLEARN_ARTIFACT = "model.skops"
KERAS_ARTIFACT = "model.keras"


def model_folder(models_dir: Path, version: str) -> Path:
    """The folder of ``version``'s artifact and card under ``models_dir``."""
    try:
        return models_dir / MODEL_FOLDERS[version]
    except KeyError:
        raise ValueError(
            f"unknown model version {version!r}: one of {sorted(MODEL_FOLDERS)}"
        ) from None
