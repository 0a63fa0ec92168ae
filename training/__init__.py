"""Training code shared by the notebooks in ``training/model*_*/``.

The notebooks tell the story and show results; the logic lives here so that it is importable and
tested.
"""
