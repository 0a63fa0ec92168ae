"""Routes of the model-serving API."""
