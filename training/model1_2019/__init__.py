"""Model v1 (2019): gradient-boosted trees on the hand-made v1 features."""
