"""Routes of the user-data API."""
