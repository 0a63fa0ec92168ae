"""Text analysis for the SMS spam detector: cleaning, splits and feature extractors."""
