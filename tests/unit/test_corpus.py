import csv
from pathlib import Path

import pytest

from analysis import corpus
from analysis.corpus import CorpusError, LabelledMessage


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_round_trip_keeps_quotes_commas_and_newlines(tmp_path: Path) -> None:
    messages = [
        LabelledMessage("a1", 'say "hi", then\nleave', "ham"),
        LabelledMessage("a2", "WIN £100 now!!", "spam"),
    ]
    path = tmp_path / "corpus.csv"
    assert corpus.write_atomically(messages, path) == 2
    assert corpus.read_messages(path) == messages
    frame = corpus.read_frame(path)
    assert list(frame.columns) == ["sms_id", "text", "label"]
    assert frame["text"].tolist() == [m.text for m in messages]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["id", "text", "label"], ["a", "x", "ham"]], "expected the header"),
        ([["sms_id", "text", "label"], ["a", "x", "eggs"]], "row 2: label 'eggs'"),
        ([["sms_id", "text", "label"], ["a", "x", "ham"], ["a", "y", "spam"]], "row 3: duplicate"),
        ([["sms_id", "text", "label"], ["", "x", "ham"]], "row 2: empty sms_id"),
        ([["sms_id", "text", "label"], ["a", "x"]], "row 2 has 2 fields"),
        ([["sms_id", "text", "label"]], "no rows"),
        ([], "expected the header"),
    ],
)
def test_validation_errors_name_the_row(tmp_path: Path, rows: list, message: str) -> None:
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(CorpusError, match=message):
        corpus.read_messages(path)


def test_many_errors_are_summarised(tmp_path: Path) -> None:
    rows = [["sms_id", "text", "label"]] + [["a", "x", "nope"] for _ in range(30)]
    with pytest.raises(CorpusError, match=r"and \d+ more"):
        corpus.read_messages(_write(tmp_path / "bad.csv", rows))


def test_invalid_messages_never_replace_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "corpus.csv"
    corpus.write_atomically([LabelledMessage("a", "x", "ham")], path)
    before = path.read_bytes()
    with pytest.raises(CorpusError):
        corpus.write_atomically([LabelledMessage("b", "y", "maybe")], path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.csv"]


def test_a_failure_while_writing_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    path = tmp_path / "corpus.csv"
    corpus.write_atomically([LabelledMessage("a", "x", "ham")], path)
    before = path.read_bytes()

    def exploding_messages():
        yield LabelledMessage("b", "y", "ham")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        corpus.write_atomically(exploding_messages(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.csv"]
