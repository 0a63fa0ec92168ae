"""The FastAPI services of the SMS spam detector and the code they share (``api.common``)."""
