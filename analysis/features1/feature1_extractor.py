"""v1 features, made by hand in 2019.

- ``cap_r``: upper-case letters among all letters;
- ``nal_r``: characters that are not letters among all non-blank characters;
- ``cw_scores_0`` ... ``cw_scores_6``: 1 when the text contains cue word 0...6, else 0.

The cue words live in ``cue_words.json`` beside this file, written by
``analysis/features1/select_cue_words.py``, which explains the choice.

Try it: ``python analysis/features1/feature1_extractor.py You are A WINNER OF FREE CASH\\!\\!\\!``
"""

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.feature_extractor import FeatureExtractor
from analysis.text_cleaning import clean_text, words

CUE_WORDS_FILE = Path(__file__).with_name("cue_words.json")
# The key, in a Parquet file's schema metadata, of the cue words its v1 features were made with.
CUE_WORDS_METADATA = "sms_spam.cue_words"
NUM_CUE_WORDS = 7


def load_cue_words(path: Path = CUE_WORDS_FILE) -> tuple[str, ...]:
    """The ordered cue words recorded by the selection script."""
    chosen = tuple(json.loads(path.read_text(encoding="utf-8"))["cue_words"])
    if len(chosen) != NUM_CUE_WORDS or len(set(chosen)) != NUM_CUE_WORDS:
        raise ValueError(f"{path}: expected {NUM_CUE_WORDS} distinct cue words, got {chosen}")
    return chosen


def capital_ratio(cleaned: str) -> float:
    """Upper-case letters among all letters of a cleaned text (0 without letters)."""
    letters = [c for c in cleaned if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def non_alpha_ratio(cleaned: str) -> float:
    """Non-letters among all non-blank characters of a cleaned text (0 when blank)."""
    non_blank = [c for c in cleaned if not c.isspace()]
    return sum(not c.isalpha() for c in non_blank) / len(non_blank) if non_blank else 0.0


class Features1Extractor(FeatureExtractor):
    """The v1 hand-made features."""

    feature_view = "sms_features1"

    def __init__(self, cue_words: Sequence[str] | None = None) -> None:
        self.cue_words = tuple(cue_words) if cue_words is not None else load_cue_words()
        if len(self.cue_words) != NUM_CUE_WORDS:
            raise ValueError(f"v1 needs exactly {NUM_CUE_WORDS} cue words")
        self._feature_names = (
            "cap_r",
            "nal_r",
            *(f"cw_scores_{index}" for index in range(NUM_CUE_WORDS)),
        )

    @property
    def feature_names(self) -> Sequence[str]:
        return self._feature_names

    def features(self, text: str) -> dict[str, Any]:
        cleaned = clean_text(text)
        present = set(words(cleaned))
        named: dict[str, Any] = {"cap_r": capital_ratio(cleaned), "nal_r": non_alpha_ratio(cleaned)}
        for index, word in enumerate(self.cue_words):
            named[f"cw_scores_{index}"] = int(word in present)
        return named


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    extractor = Features1Extractor()
    text = " ".join(argv)
    print("features:", extractor.features(text))
    print("names:   ", list(extractor.feature_names))
    print("vector:  ", extractor.vector(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
