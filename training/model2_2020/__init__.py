"""Model v2 (2020): an LSTM over the token ids of the v2 features."""
