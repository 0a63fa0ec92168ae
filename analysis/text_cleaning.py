"""Cleaning shared by every feature extractor.

The corpus keeps its upstream quirks: HTML entities (``&amp;``, ``&lt;3``), markup left over from
the YouTube comments (``<br />``, ``<a href=...>``), byte-order marks and odd Unicode forms. A
feature should see the text a person would read, so all extractors start from ``clean_text``.
"""

import html
import re
import unicodedata

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,200}>")
_WHITESPACE = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)

# Entities are sometimes escaped twice upstream ("&amp;lt;"); unescaping is repeated a bounded
# number of times so that a crafted input cannot make it loop for long.
_MAX_UNESCAPE_ROUNDS = 3


def clean_text(text: str) -> str:
    """Return ``text`` as a reader sees it: entities decoded, tags and invisibles removed,
    Unicode in NFKC form and runs of whitespace folded to one space."""
    for _ in range(_MAX_UNESCAPE_ROUNDS):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    text = _TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return _WHITESPACE.sub(" ", text).strip()


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def words(cleaned: str) -> list[str]:
    """Split text that ``clean_text`` returned into lower-case words (runs of letters and
    digits; an inner apostrophe is kept, as in "don't").

    A plain regular expression on purpose: nltk's tokenizers need data downloads that an
    offline machine cannot make, and spam cues do not need linguistic tokenisation.
    """
    return _WORD.findall(cleaned.lower())
