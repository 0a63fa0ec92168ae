"""Logging is configured once, when a service starts, never at import time."""

import logging

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Send our loggers' records to stderr at ``level`` (uvicorn keeps its own handlers)."""
    root = logging.getLogger()
    if not any(getattr(h, "_sms_spam", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._sms_spam = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level.upper())
    # The Cassandra driver is chatty at INFO about topology; its warnings still show.
    logging.getLogger("cassandra").setLevel(max(root.level, logging.WARNING))
