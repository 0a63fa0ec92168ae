"""The tokenizer a token model was trained with, recorded in its card and checked on load."""

import os
from pathlib import Path
from typing import Any

from analysis.features2.tokenizer import SmsTokenizer
from model_artifacts.card import ModelCard, file_sha256


class TokenizerMismatchError(ValueError):
    """The tokenizer file is not the one the model's card names."""


def tokenizer_reference(tokenizer_file: Path, model_folder: Path) -> dict[str, Any]:
    """What a card records of its tokenizer: the file relative to the model, and its digest."""
    tokenizer = SmsTokenizer.load(tokenizer_file)
    return {
        "file": os.path.relpath(tokenizer_file, model_folder),
        "sha256": file_sha256(tokenizer_file),
        "max_seq_length": tokenizer.max_seq_length,
        "vocabulary_size": tokenizer.vocabulary_size,
        "standardization": tokenizer.standardization,
    }


def load_tokenizer(card: ModelCard, folder: Path) -> SmsTokenizer:
    """The tokenizer the model in ``folder`` was trained with, checked against its card."""
    reference: dict[str, Any] = card.details["tokenizer"]
    path = (folder / reference["file"]).resolve()
    if file_sha256(path) != reference["sha256"]:
        raise TokenizerMismatchError(
            f"{path} is not the tokenizer model {card.version} was trained with"
        )
    return SmsTokenizer.load(path)
