"""The model-artifact contract: what training writes and what serving reads.

Every trained model is a folder under ``models/`` holding the artifact and its model card
(``metadata.json``). This package is all the two sides share: the card's schema, the folder of
each version, and loading with digest checks (scikit-learn artifacts through skops' allow-list,
the tokenizer the card points at). Training imports it to write, the model API to read, and
neither imports the other (the import-linter contracts in ``pyproject.toml`` keep it so).
"""
