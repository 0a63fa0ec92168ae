import pytest

from analysis.text_cleaning import clean_text, words


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("   \n\t ", ""),
        ("fish &amp; chips", "fish & chips"),
        ("I &lt;3 you", "I <3 you"),
        ("double &amp;lt;3 escaped", "double <3 escaped"),
        ("line one<br />line two<br/>", "line one line two"),
        ('see <a href="http://example.org/x">this</a> now', "see this now"),
        ("\ufeffhello\u200b world\ufeff", "hello world"),
        ("\uff46\uff55\uff4c\uff4c \uff57\uff49\uff44\uff54\uff48", "full width"),
        ("tabs\tand\n\nnewlines", "tabs and newlines"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_keeps_a_lone_angle_bracket() -> None:
    assert clean_text("2 < 3 and 5 > 4") == "2 < 3 and 5 > 4"


def test_clean_text_is_idempotent_on_cleaned_text() -> None:
    once = clean_text("A&amp;B <b>bold</b> \ufeff x")
    assert clean_text(once) == once


def test_words_lowercases_and_keeps_inner_apostrophes() -> None:
    assert words(clean_text("Don't MISS it: www.win-now.com, Call 0800!")) == [
        "don't",
        "miss",
        "it",
        "www",
        "win",
        "now",
        "com",
        "call",
        "0800",
    ]


def test_words_handles_unicode_letters() -> None:
    assert words("Über café naïve") == ["über", "café", "naïve"]


def test_words_of_empty_text() -> None:
    assert words("") == []
