"""The webhook's own state: the outbox of pushes still to make and the receipts of accepted keys.

Both live in this instance's SQLite file (``OUTBOX_PATH``) on every deployment, Cassandra
included, so there is no backend to choose: the messages themselves are in the user-data API's
storage, and these tables only hold what this process still owes or has already answered.
"""
