"""v2 features, learned in 2020: a message as a fixed-length sequence of token ids.

The feature view ``sms_features2`` has one feature, ``features``: ``max_seq_length`` ids from the
tokenizer in ``models/model2_2020/tokenizer/tokenizer.json`` (written by
``scripts/create_tokenizer_2.py``). The same object computes the Parquet offline source and the
model API's features, and needs no TensorFlow.

Try it: ``python analysis/features2/feature2_extractor.py You are A WINNER OF FREE CASH\\!\\!\\!``
"""

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.feature_extractor import FeatureExtractor
from analysis.features2.tokenizer import SmsTokenizer, standardize
from analysis.paths import MODELS_DIR

TOKENIZER_FILE = MODELS_DIR / "model2_2020" / "tokenizer" / "tokenizer.json"


class Features2Extractor(FeatureExtractor):
    """Token ids of a text, padded to the tokenizer's sequence length."""

    feature_view = "sms_features2"

    def __init__(self, tokenizer: SmsTokenizer) -> None:
        self.tokenizer = tokenizer

    @classmethod
    def from_file(cls, path: Path = TOKENIZER_FILE) -> "Features2Extractor":
        if not path.is_file():
            raise FileNotFoundError(
                f"no tokenizer at {path}: run python scripts/create_tokenizer_2.py first"
            )
        return cls(SmsTokenizer.load(path))

    @property
    def feature_names(self) -> Sequence[str]:
        return ("features",)

    def features(self, text: str) -> dict[str, Any]:
        return {"features": self.tokenizer.encode(text)}

    def vector(self, text: str) -> list[Any]:
        # The model's input is the id sequence itself, not a list holding it.
        return self.tokenizer.encode(text)


def main(argv: list[str], tokenizer_file: Path = TOKENIZER_FILE) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        extractor = Features2Extractor.from_file(tokenizer_file)
    except FileNotFoundError as error:
        print(f"feature2_extractor: {error}", file=sys.stderr)
        return 2
    text = " ".join(argv)
    tokenizer = extractor.tokenizer
    print("tokens:  ", standardize(text, tokenizer.standardization))
    print(f"features: ({tokenizer.max_seq_length} ids, 0 = padding, 1 = unknown word)")
    print(extractor.vector(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
