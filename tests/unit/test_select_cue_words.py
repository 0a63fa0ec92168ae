import json
from pathlib import Path

from analysis.features1 import select_cue_words
from analysis.features1.feature1_extractor import load_cue_words


def test_selection_is_reproducible_and_recorded(corpus_csv: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    for output in (first, second):
        code = select_cue_words.main(
            ["--dataset", str(corpus_csv), "--candidates", "10", "--write", "--output", str(output)]
        )
        assert code == 0
    assert first.read_text() == second.read_text()
    record = json.loads(first.read_text())
    chosen = load_cue_words(first)
    assert len(chosen) == 7
    # Every chosen word leans towards spam in the synthetic corpus, whose spam is built from
    # prize draws and channel adverts.
    assert {"check", "subscribe"} <= set(chosen)
    assert record["test_split_spam_f1"]["selected"] >= record["test_split_spam_f1"]["story_list"]
    scores = record["cross_validated_spam_f1_after_each_word"]
    assert len(scores) == 7
    assert scores == sorted(scores)


def test_candidates_lean_towards_spam(corpus_csv: Path) -> None:
    from analysis import corpus

    frame = corpus.read_frame(corpus_csv)
    texts = select_cue_words._Texts(frame["text"].tolist())
    is_spam = (frame["label"] == "spam").to_numpy()
    ranked = select_cue_words.rank_candidates(texts, is_spam, min_count=5)
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)
    words = [word for word, _ in ranked]
    assert "lunch" not in words
    assert "subscribe" in words


def test_bad_dataset_is_reported(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nope.csv"
    assert select_cue_words.main(["--dataset", str(missing)]) == 2
    assert "select_cue_words:" in capsys.readouterr().err
