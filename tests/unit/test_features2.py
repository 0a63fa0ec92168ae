import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.feature_extractor import FeatureExtractor
from analysis.features2 import Features2Extractor, feature2_extractor
from analysis.features2.tokenizer import OOV_ID, PAD_ID, WORDS_ONLY, SmsTokenizer, standardize
from analysis.paths import PROJECT_ROOT

TEXTS = [
    "Call now to WIN a FREE prize!!",
    "call me when you are home",
    "free entry, txt WIN to 80088",
    "are you home yet?",
    "WIN WIN WIN call 0800123456",
]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", []),
        ("Hello there", ["hello", "there"]),
        ("WIN now", ["<caps>", "win", "now"]),
        ("I am A person", ["i", "am", "a", "person"]),
        ("see www.example.com or http://x.org/a?b=1", ["see", "<url>", "or", "<url>"]),
        ("visit prizes4u.co.uk today", ["visit", "<url>", "today"]),
        ("mail me@example.org", ["mail", "<email>"]),
        ("£100 or $5", ["<currency>", "<num>", "or", "<currency>", "<num>"]),
        ("call 09061701444 or 80088", ["call", "<longnum>", "or", "<longnum>"]),
        ("yes!!", ["yes", "!", "!"]),
        ("don't &amp; won't<br />ok", ["don't", "won't", "ok"]),
        ("Über CAFÉ", ["über", "<caps>", "café"]),
    ],
)
def test_standardize(text: str, tokens: list[str]) -> None:
    assert standardize(text) == tokens


def test_words_only_standardization_drops_the_signals() -> None:
    assert standardize("WIN £100 at www.x.com!!", WORDS_ONLY) == ["win", "at", "www", "x", "com"]


def test_fit_keeps_frequent_tokens_in_order_of_frequency() -> None:
    tokenizer = SmsTokenizer(max_num_words=6, max_seq_length=8).fit(TEXTS, min_count=2)
    assert tokenizer.vocabulary == ["<caps>", "win", "call", "!", "free"][:4]
    assert tokenizer.vocabulary_size == 6
    assert tokenizer.fitted_on["texts"] == len(TEXTS)


def test_encode_pads_on_the_left_and_truncates_the_end() -> None:
    tokenizer = SmsTokenizer(max_num_words=50, max_seq_length=5).fit(TEXTS, min_count=1)
    short = tokenizer.encode("call home")
    assert short[:3] == [PAD_ID] * 3
    assert short[3:] == tokenizer.ids("call home")
    long = tokenizer.encode("win win win win win win win call")
    assert long == tokenizer.ids("win win win win win")
    assert tokenizer.encode("") == [PAD_ID] * 5


def test_unknown_words_map_to_the_oov_id() -> None:
    tokenizer = SmsTokenizer(max_num_words=50, max_seq_length=3).fit(TEXTS, min_count=1)
    assert tokenizer.encode("zebra") == [PAD_ID, PAD_ID, OOV_ID]


def test_round_trip_through_the_json_file(tmp_path: Path) -> None:
    tokenizer = SmsTokenizer(max_num_words=20, max_seq_length=6).fit(TEXTS, min_count=1)
    path = tokenizer.save(tmp_path / "tokenizer" / "tokenizer.json")
    loaded = SmsTokenizer.load(path)
    assert loaded.to_json() == tokenizer.to_json()
    for text in [*TEXTS, "something else entirely", ""]:
        assert loaded.encode(text) == tokenizer.encode(text)
    stored = json.loads(path.read_text())
    assert stored["format"] == "sms-spam-tokenizer"
    assert stored["format_version"] == 1


def test_a_file_of_another_format_is_refused() -> None:
    with pytest.raises(ValueError, match="not a sms-spam-tokenizer file"):
        SmsTokenizer.from_json({"format": "keras", "format_version": 1})


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        SmsTokenizer(max_num_words=2, max_seq_length=5)
    with pytest.raises(ValueError, match="'pre' or 'post'"):
        SmsTokenizer(max_num_words=10, max_seq_length=5, padding="middle")


def test_features2_extractor_follows_the_interface() -> None:
    tokenizer = SmsTokenizer(max_num_words=20, max_seq_length=6).fit(TEXTS, min_count=1)
    extractor = Features2Extractor(tokenizer)
    assert isinstance(extractor, FeatureExtractor)
    assert extractor.feature_view == "sms_features2"
    assert list(extractor.feature_names) == ["features"]
    assert extractor.features(TEXTS[0]) == {"features": tokenizer.encode(TEXTS[0])}
    assert extractor.vector(TEXTS[0]) == tokenizer.encode(TEXTS[0])
    assert extractor.vectors(TEXTS) == tokenizer.encode_many(TEXTS)


def test_extractor_without_a_tokenizer_file_explains(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"create_tokenizer_2\.py"):
        Features2Extractor.from_file(tmp_path / "missing.json")


def test_tokenizer_script_and_command_line(
    corpus_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "tokenizer.json"
    made = subprocess.run(
        [
            sys.executable,
            "scripts/create_tokenizer_2.py",
            "--dataset",
            str(corpus_csv),
            "--max-num-words",
            "300",
            "--max-seq-length",
            "20",
            "--output",
            str(output),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "texts kept whole at length 20" in made.stdout
    tokenizer = SmsTokenizer.load(output)
    assert tokenizer.max_seq_length == 20
    assert tokenizer.fitted_on["texts"] < 400  # the training split only
    assert feature2_extractor.main(["You", "are", "A", "WINNER!!!"], output) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("tokens:")
    assert "'<caps>'" in lines[0]
    assert json.loads(lines[2]) == tokenizer.encode("You are A WINNER!!!")
    assert feature2_extractor.main(["hi"], tmp_path / "missing.json") == 2
