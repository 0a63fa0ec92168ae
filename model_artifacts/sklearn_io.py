"""Saving and loading scikit-learn models without pickle.

Artifacts are written with skops, whose loader refuses any type it was not told to trust. The
allow-list below names exactly the types our models contain beyond skops' own defaults, so a
tampered artifact cannot run code when it is loaded.
"""

from pathlib import Path
from typing import Any

import skops.io as sio

from analysis.atomic_files import atomic_output
from model_artifacts.card import UntrustedArtifactError, file_sha256

FORMAT = "skops"
__all__ = ["FORMAT", "TRUSTED_TYPES", "UntrustedArtifactError", "load_sklearn", "save_sklearn"]
TRUSTED_TYPES = frozenset(
    {
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    }
)


def save_sklearn(model: Any, path: Path) -> str:
    """Write ``model`` to ``path`` atomically; return its sha256."""
    with atomic_output(path) as partial:
        sio.dump(model, partial)
    return file_sha256(path)


def load_sklearn(path: Path, expected_sha256: str | None = None) -> Any:
    """Load a model written by ``save_sklearn``.

    When ``expected_sha256`` is given (from the model card), a file that differs is refused.
    """
    if expected_sha256 is not None and file_sha256(path) != expected_sha256:
        raise UntrustedArtifactError(f"{path} does not match the digest in its model card")
    untrusted = set(sio.get_untrusted_types(file=path))
    unexpected = untrusted - TRUSTED_TYPES
    if unexpected:
        raise UntrustedArtifactError(f"{path} contains types not on the allow-list: {unexpected}")
    return sio.load(path, trusted=sorted(untrusted))
