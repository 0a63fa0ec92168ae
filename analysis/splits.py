"""A stable train/validation/test split by normalised text.

The corpus repeats itself: the same message, sometimes with other capitals, spacing, markup or
numbers, appears under several ids. A split by id would put copies of one text on both sides,
and a model that memorised the training texts would be scored on texts it has seen. Here the
side of a message depends only on its normalised text (``text_key``), through a hash: copies
always fall together, the split does not depend on row order or a random state, and adding
messages to the corpus never moves old ones across.

- **test**: about ``TEST_FRACTION`` of the texts, held out for the final scores;
- **validation**: about ``VALIDATION_FRACTION`` of the rest, for early stopping and for choosing
  a decision threshold;
- **train**: everything else.

"Training split" in the project means train and validation together: everything but test.

The offline sources carry no texts, so the training notebooks cannot compute the split from a
retrieved frame. ``scripts/create_offline_sources_1.py`` therefore records each labelled
message's split in ``sms_splits.parquet`` beside the labels, computed here, and the notebooks
read it back (``training.historical.read_splits``).
"""

import hashlib
import re
from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.text_cleaning import clean_text, words

TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.15

TRAIN = "train"
VALIDATION = "validation"
TEST = "test"
SPLITS = (TRAIN, VALIDATION, TEST)

_BUCKETS = 10_000
_NUMBER = re.compile(r"\d+")


def text_key(text: str) -> str:
    """The text two messages share when they are copies of one another.

    The words of the cleaned text, lower-cased, with every number replaced by ``0``: markup,
    entities, capitals, spacing and punctuation do not make a text new, and neither does the
    phone number or amount in a spam template sent many times. A text without any word keeps
    its cleaned, lower-cased form.
    """
    cleaned = clean_text(text)
    found = words(cleaned)
    if not found:
        return cleaned.casefold()
    return _NUMBER.sub("0", " ".join(found))


def _bucket(key: str, salt: str) -> int:
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8, person=salt.encode()).digest()
    return int.from_bytes(digest, "big") % _BUCKETS


def split_of_text(
    text: str,
    test_fraction: float = TEST_FRACTION,
    validation_fraction: float = VALIDATION_FRACTION,
) -> str:
    """``"train"``, ``"validation"`` or ``"test"``: the split a message belongs to."""
    key = text_key(text)
    # Two independent hashes: the validation draw must not depend on how close a text came
    # to the test threshold.
    if _bucket(key, "test") < test_fraction * _BUCKETS:
        return TEST
    if _bucket(key, "validation") < validation_fraction * _BUCKETS:
        return VALIDATION
    return TRAIN


def is_test_text(text: str, test_fraction: float = TEST_FRACTION) -> bool:
    """True when a message with this text belongs to the held-out test split."""
    return split_of_text(text, test_fraction) == TEST


def corpus_splits(frame: pd.DataFrame) -> pd.Series:
    """The split of every message of a corpus frame (``sms_id`` and ``text`` columns), as a
    Series of split names indexed by ``sms_id``."""
    return pd.Series(
        [split_of_text(text) for text in frame["text"]],
        index=pd.Index(frame["sms_id"], name="sms_id"),
        name="split",
    )


def splits_of(frame: pd.DataFrame, splits: Mapping[str, str] | pd.Series | None) -> pd.Series:
    """The split name of each row of ``frame``, aligned with its index.

    With ``splits`` (``sms_id`` → split name, as ``corpus_splits`` or the recorded
    ``sms_splits.parquet`` give it), rows are looked up by id and every row must be found;
    without it, ``frame`` needs a ``text`` column and the split is computed from the texts.
    """
    if splits is None:
        if "text" not in frame.columns:
            raise ValueError("without recorded splits, the frame needs a text column")
        return pd.Series([split_of_text(text) for text in frame["text"]], index=frame.index)
    lookup = splits if isinstance(splits, pd.Series) else pd.Series(splits, dtype=object)
    names = frame["sms_id"].map(lookup)
    if names.isna().any():
        missing = frame.loc[names.isna(), "sms_id"].tolist()
        raise ValueError(
            f"{len(missing)} messages have no recorded split (first few: {sorted(missing)[:5]})"
        )
    unknown = set(names) - set(SPLITS)
    if unknown:
        raise ValueError(f"unknown split names {sorted(unknown)}; expected {SPLITS}")
    return names


def split_frame(
    frame: pd.DataFrame, splits: Mapping[str, str] | pd.Series | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training split (train and validation) and the test split of ``frame``.

    See ``splits_of`` for where the split of each row comes from.
    """
    held_out = splits_of(frame, splits) == TEST
    return frame[~held_out], frame[held_out]


def select(
    frame: pd.DataFrame, names: Iterable[str], splits: Mapping[str, str] | pd.Series | None = None
) -> pd.DataFrame:
    """The rows of ``frame`` whose split is one of ``names``."""
    wanted = set(names)
    unknown = wanted - set(SPLITS)
    if unknown:
        raise ValueError(f"unknown split names {sorted(unknown)}; expected {SPLITS}")
    return frame[splits_of(frame, splits).isin(wanted)]
