"""The model-serving API: every served model version behind one router factory."""
