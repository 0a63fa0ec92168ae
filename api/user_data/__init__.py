"""The user-data API: every user's SMS inbox."""
