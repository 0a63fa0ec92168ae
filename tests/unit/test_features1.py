import json
import subprocess
import sys

import pytest

from analysis.feature_extractor import FeatureExtractor
from analysis.features1 import Features1Extractor
from analysis.features1.feature1_extractor import CUE_WORDS_FILE, load_cue_words
from analysis.paths import PROJECT_ROOT

CUES = ("check", "subscribe", "call", "com", "to", "www", "txt")


@pytest.fixture
def extractor() -> Features1Extractor:
    return Features1Extractor(CUES)


def test_is_a_feature_extractor_with_nine_ordered_names(extractor: Features1Extractor) -> None:
    assert isinstance(extractor, FeatureExtractor)
    assert extractor.feature_view == "sms_features1"
    assert list(extractor.feature_names) == ["cap_r", "nal_r"] + [
        f"cw_scores_{i}" for i in range(7)
    ]


def test_reference_vector_of_the_tutorial(extractor: Features1Extractor) -> None:
    # 1 capital among 11 letters, no punctuation, no cue word: the README's curl example.
    assert extractor.vector("I have a dream") == [1 / 11, 0.0, 0, 0, 0, 0, 0, 0, 0]


def test_ratios_and_flags(extractor: Features1Extractor) -> None:
    named = extractor.features("CALL now: txt WIN to 80012!!")
    # letters: CALL now txt WIN to -> 15 letters, 7 upper; non-blank: 23 chars, 8 non-letters
    assert named["cap_r"] == pytest.approx(7 / 15)
    assert named["nal_r"] == pytest.approx(8 / 23)
    flags = [named[f"cw_scores_{i}"] for i in range(7)]
    assert flags == [0, 0, 1, 0, 1, 0, 1]


def test_cue_words_match_whole_words_only(extractor: Features1Extractor) -> None:
    # "checkered", "tomato" and "comics" contain cue words but are not them.
    assert extractor.vector("checkered tomato comics")[2:] == [0] * 7


def test_empty_and_blank_text(extractor: Features1Extractor) -> None:
    for text in ("", "   ", "\n\t"):
        assert extractor.vector(text) == [0.0, 0.0, 0, 0, 0, 0, 0, 0, 0]


def test_text_without_letters(extractor: Features1Extractor) -> None:
    assert extractor.vector("12345 !!! ???")[:2] == [0.0, 1.0]


def test_unicode_text(extractor: Features1Extractor) -> None:
    named = extractor.features("ÉTÉ à Zürich 😀")
    assert named["cap_r"] == pytest.approx(4 / 10)
    assert named["nal_r"] == pytest.approx(1 / 11)


def test_html_entities_and_tags_are_decoded_first(extractor: Features1Extractor) -> None:
    assert extractor.vector("check&#39;s <br />www") == extractor.vector("check's www")
    assert extractor.features("Tom &amp; Jerry")["nal_r"] == pytest.approx(1 / 9)


def test_very_long_text(extractor: Features1Extractor) -> None:
    vector = extractor.vector("Subscribe " * 50_000)
    assert vector[0] == pytest.approx(1 / 9)
    assert vector[3] == 1


def test_vectors_is_vector_for_each_text(extractor: Features1Extractor) -> None:
    texts = ["a", "CHECK it", ""]
    assert extractor.vectors(texts) == [extractor.vector(t) for t in texts]


def test_needs_exactly_seven_cue_words() -> None:
    with pytest.raises(ValueError, match="7"):
        Features1Extractor(["one", "two"])


def test_committed_cue_words_are_seven_distinct_lowercase_words() -> None:
    cues = load_cue_words()
    assert len(set(cues)) == 7
    assert all(word == word.lower() and word.isalnum() for word in cues)
    record = json.loads(CUE_WORDS_FILE.read_text())
    assert record["test_split_spam_f1"]["selected"] > record["test_split_spam_f1"]["story_list"]


def test_command_line_prints_features_names_and_vector() -> None:
    result = subprocess.run(
        [sys.executable, "analysis/features1/feature1_extractor.py", "I", "have", "a", "dream"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith("features: {'cap_r': 0.0909")
    assert lines[1].startswith("names:")
    assert "'cw_scores_6'" in lines[1]
    assert lines[2] == "vector:   [0.09090909090909091, 0.0, 0, 0, 0, 0, 0, 0, 0]"


def test_command_line_without_text_explains_usage() -> None:
    result = subprocess.run(
        [sys.executable, "analysis/features1/feature1_extractor.py"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "feature1_extractor.py" in result.stderr
