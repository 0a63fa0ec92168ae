"""v2 features (2020): padded token-id sequences from a tokenizer fitted on training texts."""

from analysis.features2.feature2_extractor import Features2Extractor

__all__ = ["Features2Extractor"]
