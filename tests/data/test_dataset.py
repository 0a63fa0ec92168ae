"""Data tests: the corpus and its split, checked before any model sees them.

On the synthetic corpus always, and on the real corpus where ../shared holds it.
"""

from pathlib import Path

import pandas as pd
import pytest

from analysis import corpus, data_checks
from analysis.offline_sources import splits_table, write_parquet
from analysis.splits import TEST, TRAIN, corpus_splits, text_key


def test_the_synthetic_corpus_passes_and_its_balance_is_reported(corpus_csv: Path) -> None:
    report = data_checks.check_frame(corpus.read_frame(corpus_csv))
    assert report.failures == []
    assert report.balance.sum().sum() == 400
    assert list(report.balance.index) == ["train", "validation", "test"]
    table = report.balance_table()
    print("\n" + table)
    assert "| test |" in table
    assert "spam share" in table


def test_a_wrong_schema_is_refused() -> None:
    frame = pd.DataFrame({"id": ["a"], "text": ["hi"], "label": ["ham"]})
    assert data_checks.check_frame(frame).failures[0].startswith("schema:")


def test_an_unknown_label_or_a_missing_one_is_refused(corpus_csv: Path) -> None:
    frame = corpus.read_frame(corpus_csv)
    odd = frame.assign(label=frame["label"].replace({"spam": "junk"}))
    assert any(f.startswith("labels:") for f in data_checks.check_frame(odd).failures)
    only_ham = frame[frame["label"] == "ham"]
    assert any(f.startswith("labels:") for f in data_checks.check_frame(only_ham).failures)


def test_a_split_by_id_that_separates_copies_is_caught(corpus_csv: Path) -> None:
    frame = corpus.read_frame(corpus_csv)
    # Copies of one text under two ids, recorded on two sides, as a split by id would.
    twin = frame.iloc[[0]].assign(sms_id="twin")
    doubled = pd.concat([frame, twin], ignore_index=True)
    recorded = corpus_splits(doubled)
    recorded["twin"] = TEST if recorded[frame["sms_id"].iloc[0]] != TEST else TRAIN
    failures = data_checks.check_frame(doubled, recorded).failures
    assert any("1 normalised texts are in two splits" in f for f in failures)
    assert any("recorded in another split" in f for f in failures)


def test_recorded_splits_must_cover_every_message(corpus_csv: Path) -> None:
    frame = corpus.read_frame(corpus_csv)
    recorded = corpus_splits(frame).iloc[1:]
    failures = data_checks.check_frame(frame, recorded).failures
    assert failures == [f"recorded split: 1 messages have none (first few: ['{frame.sms_id[0]}'])"]


def test_the_command_prints_the_balance_and_fails_on_bad_data(
    corpus_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert data_checks.main(["--dataset", str(corpus_csv)]) == 0
    out = capsys.readouterr().out
    assert "| validation |" in out
    assert "data checks passed" in out
    recorded = write_parquet(splits_table(corpus.read_frame(corpus_csv)), tmp_path / "s.parquet")
    assert data_checks.main(["--dataset", str(corpus_csv), "--splits", str(recorded)]) == 0
    assert "recorded splits checked" in capsys.readouterr().out
    only_ham = tmp_path / "only_ham.csv"
    frame = corpus.read_frame(corpus_csv)
    frame[frame["label"] == "ham"].to_csv(only_ham, index=False)
    assert data_checks.main(["--dataset", str(only_ham)]) == 1
    assert "labels:" in capsys.readouterr().err


@pytest.mark.shared_corpus
def test_the_real_corpus_passes_and_no_text_is_on_two_sides(shared_corpus: Path) -> None:
    frame = corpus.read_frame(shared_corpus)
    report = data_checks.check_frame(frame)
    print(f"\nthe real corpus, {len(frame)} messages:\n" + report.balance_table())
    assert report.failures == []
    splits = corpus_splits(frame)
    keys = frame["text"].map(text_key)
    test_keys = set(keys[frame["sms_id"].map(splits) == TEST])
    assert not test_keys & set(keys[frame["sms_id"].map(splits) != TEST])
    # The split is a stable function of the texts: these counts change only with the corpus.
    assert report.balance.loc["test"].sum() == 1358
