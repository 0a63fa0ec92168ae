"""The model-serving API's data: the prediction cache and the call log, on SQLite or Cassandra."""
