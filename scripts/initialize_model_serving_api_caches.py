"""Create the model-serving API's tables (prediction cache, call log) for the configured backend.

    python scripts/initialize_model_serving_api_caches.py [--create-keyspace --replication-factor N]

The backend comes from the same settings as the API (``STORAGE_BACKEND``, ``SQLITE_PATH``,
``CASSANDRA_*`` / ``ASTRA_DB_*`` in the environment or ``.env``). Running it again is harmless.
"""

import argparse
import asyncio
import sys

from api.common.storage.backends import SchemaOptions
from api.model_serving.settings import ModelServingSettings
from api.model_serving.storage.factory import create_serving_tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--create-keyspace",
        action="store_true",
        help="on Cassandra, create the keyspace first (Astra DB keyspaces are made in its console)",
    )
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args(argv)
    options = SchemaOptions(args.create_keyspace, args.replication_factor)
    where = asyncio.run(create_serving_tables(ModelServingSettings(), options))
    print(f"model-serving tables (prediction_cache, call_log) are ready in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
