"""The interface every feature extractor implements.

An extractor turns one message text into the features of one feature view. The very same object
computes features offline (the Parquet sources behind Feast) and online (the model-serving API),
so training and serving cannot drift apart.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any


class FeatureExtractor(ABC):
    """Text in, named features out."""

    #: The feature view these features are registered under in Feast.
    feature_view: str

    @property
    @abstractmethod
    def feature_names(self) -> Sequence[str]:
        """The feature names, in the order of ``vector``."""

    @abstractmethod
    def features(self, text: str) -> dict[str, Any]:
        """The features of one text, by name."""

    def vector(self, text: str) -> list[Any]:
        """The features of one text as the model consumes them: a flat list in a fixed order."""
        named = self.features(text)
        return [named[name] for name in self.feature_names]

    def vectors(self, texts: Iterable[str]) -> list[list[Any]]:
        """``vector`` for many texts."""
        return [self.vector(text) for text in texts]
