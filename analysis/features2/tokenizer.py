"""The v2 tokenizer: text to a fixed-length sequence of token ids, with no TensorFlow.

Keras 3 dropped ``keras.preprocessing.text.Tokenizer``, and serving should not load TensorFlow
just to split words. This tokenizer is plain Python, and persists as one JSON file (settings
and vocabulary), so that training and serving read exactly the same thing.

Standardisation keeps the signals that spam carries beyond its words. Each of these becomes a
token of its own:

- a link or a web address (``<url>``) and an e-mail address (``<email>``);
- a currency sign (``<currency>``);
- a short number (``<num>``) and a long one, such as a phone number or a short code
  (``<longnum>``);
- a word written in capitals, marked by a ``<caps>`` before it;
- an exclamation mark (``!``).

Id 0 is padding and id 1 stands for any word outside the vocabulary.
"""

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.atomic_files import atomic_output
from analysis.text_cleaning import clean_text

FORMAT = "sms-spam-tokenizer"
FORMAT_VERSION = 1
PAD_ID = 0
OOV_ID = 1
OOV_TOKEN = "<oov>"  # noqa: S105 (a vocabulary entry, not a password)

_TOKEN = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|co\.uk|co|net|org|biz|info|uk|ly|tv)\b\S*)"
    r"|(?P<email>[\w.+-]+@[\w-]+\.[\w.]+)"
    r"|(?P<currency>[£$€¥])"
    r"|(?P<number>\d+(?:[.,]\d+)*)"
    r"|(?P<word>[^\W\d_]+(?:'[^\W\d_]+)?)"
    r"|(?P<bang>!)",
    re.IGNORECASE,
)
_LONG_NUMBER_DIGITS = 5


_PLAIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

SIGNALS = "signals"
WORDS_ONLY = "words"
STANDARDIZATIONS = (SIGNALS, WORDS_ONLY)


def standardize(text: str, standardization: str = SIGNALS) -> list[str]:
    """The tokens of a text, before they are mapped to ids.

    ``signals`` is the standardisation described above; ``words`` keeps lower-case words only,
    and exists to measure what the signals are worth.
    """
    if standardization == WORDS_ONLY:
        return _PLAIN_WORD.findall(clean_text(text).lower())
    tokens: list[str] = []
    for match in _TOKEN.finditer(clean_text(text)):
        kind = match.lastgroup
        value = match.group()
        if kind == "word":
            if len(value) > 1 and value.isupper():
                tokens.append("<caps>")
            tokens.append(value.lower())
        elif kind == "number":
            digits = sum(c.isdigit() for c in value)
            tokens.append("<longnum>" if digits >= _LONG_NUMBER_DIGITS else "<num>")
        elif kind == "bang":
            tokens.append("!")
        else:
            tokens.append(f"<{kind}>")
    return tokens


@dataclass
class SmsTokenizer:
    """A vocabulary and the rules to turn a text into ``max_seq_length`` token ids."""

    max_num_words: int
    max_seq_length: int
    vocabulary: list[str] = field(default_factory=list)  # index i holds the token of id i + 2
    padding: str = "pre"  # pad on the left, so that the last steps an LSTM sees are words
    truncating: str = "post"  # keep the beginning of a long text
    standardization: str = SIGNALS
    fitted_on: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_num_words < 3 or self.max_seq_length < 1:
            raise ValueError("max_num_words must be at least 3 and max_seq_length at least 1")
        if self.padding not in ("pre", "post") or self.truncating not in ("pre", "post"):
            raise ValueError("padding and truncating are 'pre' or 'post'")
        if self.standardization not in STANDARDIZATIONS:
            raise ValueError(f"standardization is one of {STANDARDIZATIONS}")
        self._ids = {token: index + 2 for index, token in enumerate(self.vocabulary)}

    @property
    def vocabulary_size(self) -> int:
        """How many ids exist, padding and out-of-vocabulary included."""
        return len(self.vocabulary) + 2

    def fit(self, texts: Iterable[str], min_count: int = 2) -> "SmsTokenizer":
        """Learn the vocabulary: the most frequent tokens seen at least ``min_count`` times."""
        texts = list(texts)
        counts = Counter(
            token for text in texts for token in standardize(text, self.standardization)
        )
        ranked = sorted(
            (token for token, count in counts.items() if count >= min_count),
            key=lambda token: (-counts[token], token),
        )
        self.vocabulary = ranked[: self.max_num_words - 2]
        self._ids = {token: index + 2 for index, token in enumerate(self.vocabulary)}
        digest = hashlib.sha256("\n".join(sorted(texts)).encode("utf-8")).hexdigest()
        self.fitted_on = {"texts": len(texts), "min_count": min_count, "texts_sha256": digest}
        return self

    def ids(self, text: str) -> list[int]:
        """Token ids of a text, neither padded nor truncated."""
        return [self._ids.get(token, OOV_ID) for token in standardize(text, self.standardization)]

    def encode(self, text: str) -> list[int]:
        """Exactly ``max_seq_length`` ids: truncated or padded with 0 as configured."""
        ids = self.ids(text)
        if len(ids) > self.max_seq_length:
            ids = (
                ids[: self.max_seq_length]
                if self.truncating == "post"
                else ids[-self.max_seq_length :]
            )
        padding = [PAD_ID] * (self.max_seq_length - len(ids))
        return padding + ids if self.padding == "pre" else ids + padding

    def encode_many(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.encode(text) for text in texts]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "max_num_words": self.max_num_words,
            "max_seq_length": self.max_seq_length,
            "padding": self.padding,
            "truncating": self.truncating,
            "standardization": self.standardization,
            "pad_id": PAD_ID,
            "oov_id": OOV_ID,
            "oov_token": OOV_TOKEN,
            "fitted_on": self.fitted_on,
            "vocabulary": self.vocabulary,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SmsTokenizer":
        if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"not a {FORMAT} file of version {FORMAT_VERSION}: "
                f"{data.get('format')!r} version {data.get('format_version')!r}"
            )
        return cls(
            max_num_words=data["max_num_words"],
            max_seq_length=data["max_seq_length"],
            vocabulary=list(data["vocabulary"]),
            padding=data["padding"],
            truncating=data["truncating"],
            standardization=data["standardization"],
            fitted_on=data.get("fitted_on", {}),
        )

    def save(self, path: Path) -> Path:
        with atomic_output(path) as partial:
            partial.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path: Path) -> "SmsTokenizer":
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
