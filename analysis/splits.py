"""A stable train/test split by message id.

Whether a message is held out depends only on its id, never on row order or a random state.
The cue-word analysis, the offline sources and every training notebook therefore agree on which
texts are "training texts", and adding messages to the corpus never moves old ones across.
"""

import hashlib

import pandas as pd

TEST_FRACTION = 0.2
_BUCKETS = 10_000


def is_test_id(sms_id: str, test_fraction: float = TEST_FRACTION) -> bool:
    """True when ``sms_id`` belongs to the held-out test split."""
    digest = hashlib.blake2b(sms_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % _BUCKETS < test_fraction * _BUCKETS


def split_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training and test parts of a frame with an ``sms_id`` column."""
    held_out = frame["sms_id"].map(is_test_id)
    return frame[~held_out], frame[held_out]
