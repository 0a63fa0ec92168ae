"""Served model versions: one wrapper class per kind of model, one catalog of versions."""
