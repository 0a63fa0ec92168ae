"""Create the model-serving API's tables (prediction cache, call log) for the configured backend.

    python scripts/initialize_model_serving_api_caches.py [--create-keyspace --replication-factor N]

The backend comes from the same settings as the API (``STORAGE_BACKEND``, ``SQLITE_PATH``,
``CASSANDRA_*`` / ``ASTRA_DB_*`` in the environment or ``.env``). Running it again is harmless.
"""

import argparse
import asyncio
import sys

from api.common.storage import cassandra
from api.model_serving.settings import ModelServingSettings
from api.model_serving.storage import cassandra_store
from api.model_serving.storage.factory import sqlite_path
from api.model_serving.storage.sqlite_store import SqliteServingStorage


async def initialise_sqlite(settings: ModelServingSettings) -> str:
    storage = await SqliteServingStorage.open(
        sqlite_path(settings), settings.cache_ttl_seconds, settings.call_log_ttl_seconds
    )
    try:
        await storage.create_schema()
    finally:
        await storage.close()
    return f"SQLite database {sqlite_path(settings)}"


def initialise_cassandra(
    settings: ModelServingSettings, create_keyspace: bool, replication_factor: int
) -> str:
    config = settings.cassandra()
    statements = cassandra_store.schema(config.keyspace)
    cassandra.create_schema(config, statements, create_keyspace, replication_factor)
    return f"Cassandra keyspace {config.keyspace}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--create-keyspace",
        action="store_true",
        help="on Cassandra, create the keyspace first (Astra DB keyspaces are made in its console)",
    )
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args(argv)
    settings = ModelServingSettings()
    if settings.storage_backend == "cassandra":
        where = initialise_cassandra(settings, args.create_keyspace, args.replication_factor)
    else:
        where = asyncio.run(initialise_sqlite(settings))
    print(f"model-serving tables (prediction_cache, call_log) are ready in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
