"""v1 features (2019): capitalisation, non-alphabetic share and seven cue-word flags."""

from analysis.features1.feature1_extractor import Features1Extractor

__all__ = ["Features1Extractor"]
