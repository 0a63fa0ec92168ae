"""Inboxes on SQLite or Cassandra, behind one interface."""
