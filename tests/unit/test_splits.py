from pathlib import Path

import pandas as pd
import pytest

from analysis import corpus
from analysis.splits import (
    SPLITS,
    TEST,
    TEST_FRACTION,
    TRAIN,
    VALIDATION,
    VALIDATION_FRACTION,
    corpus_splits,
    is_test_text,
    select,
    split_frame,
    split_of_text,
    text_key,
)

DISTINCT = [f"{a} {b} {c}" for a in "abcdefghij" for b in "klmnopqrst" for c in "uvwxyzABCD"]


def test_split_is_stable_and_close_to_the_fractions() -> None:
    texts = [f"{word} {other}" for word in DISTINCT for other in ("one", "two", "three", "four")]
    names = [split_of_text(text) for text in texts]
    assert names == [split_of_text(text) for text in texts]
    test_share = names.count(TEST) / len(names)
    validation_share = names.count(VALIDATION) / (len(names) - names.count(TEST))
    assert abs(test_share - TEST_FRACTION) < 0.03
    assert abs(validation_share - VALIDATION_FRACTION) < 0.03
    assert set(names) == set(SPLITS)


@pytest.mark.parametrize(
    "copy",
    [
        "WINNER! Call 09061701461 to claim your prize",
        "winner call 09061701461 to claim your prize",
        "Winner!!   Call 09061701461 to claim your prize.",
        "Winner &amp; call 09061701461 to claim <b>your</b> prize",
        "Winner! Call 08718726270 to claim your prize",
    ],
)
def test_copies_of_a_text_share_a_key_and_a_split(copy: str) -> None:
    original = "Winner! Call 09061701461 to claim your prize"
    assert text_key(copy) == text_key(original)
    assert split_of_text(copy) == split_of_text(original)


def test_different_texts_have_different_keys() -> None:
    assert text_key("see you at eight") != text_key("see you at nine")
    assert text_key(":)") == ":)"  # no word: the cleaned text itself
    assert text_key("") == ""


def test_fractions_at_the_extremes() -> None:
    assert is_test_text("anything", test_fraction=0.0) is False
    assert is_test_text("anything", test_fraction=1.0) is True
    assert split_of_text("anything", test_fraction=0.0, validation_fraction=1.0) == VALIDATION
    assert split_of_text("anything", test_fraction=0.0, validation_fraction=0.0) == TRAIN


def test_the_split_ignores_ids_and_row_order() -> None:
    frame = pd.DataFrame({"sms_id": ["a", "b", "c"], "text": ["hi there", "HI THERE!", "bye"]})
    reordered = frame.iloc[::-1].assign(sms_id=["z", "y", "x"])
    assert corpus_splits(frame).tolist() == corpus_splits(reordered).tolist()[::-1]
    assert corpus_splits(frame)["a"] == corpus_splits(frame)["b"]


def test_no_text_is_on_two_sides_of_the_synthetic_corpus(corpus_csv: Path) -> None:
    frame = corpus.read_frame(corpus_csv)
    train, test = split_frame(frame)
    assert len(train) + len(test) == len(frame)
    assert not set(train["text"].map(text_key)) & set(test["text"].map(text_key))
    assert set(train["label"]) == set(test["label"]) == {"ham", "spam"}


def test_recorded_splits_are_looked_up_by_id() -> None:
    features = pd.DataFrame({"sms_id": ["a", "b", "c"], "features": [[1], [2], [3]]})
    recorded = pd.Series({"a": TRAIN, "b": TEST, "c": VALIDATION})
    train, test = split_frame(features, recorded)
    assert train["sms_id"].tolist() == ["a", "c"]
    assert test["sms_id"].tolist() == ["b"]
    assert select(features, [VALIDATION], recorded)["sms_id"].tolist() == ["c"]


def test_missing_or_unknown_splits_are_refused() -> None:
    features = pd.DataFrame({"sms_id": ["a", "b"], "features": [[1], [2]]})
    with pytest.raises(ValueError, match="no recorded split"):
        split_frame(features, pd.Series({"a": TRAIN}))
    with pytest.raises(ValueError, match="unknown split"):
        split_frame(features, pd.Series({"a": TRAIN, "b": "holdout"}))
    with pytest.raises(ValueError, match="text column"):
        split_frame(features)
