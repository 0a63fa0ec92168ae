"""Create the inbox tables (``smss_by_users``, ``sms_idempotency_keys``) and load the samples.

    python scripts/initialize_user_api_data.py [--no-samples] [--create-keyspace]

The backend comes from the same settings as the user-data API (``STORAGE_BACKEND``,
``SQLITE_PATH``, ``CASSANDRA_*`` / ``ASTRA_DB_*``). The samples have fixed ids: running the
script again does not duplicate them.
"""

import argparse
import asyncio
import sys
from collections import Counter

from api.common.storage.backends import SchemaOptions
from api.common.timeuuid import timeuuid_at
from api.user_data.settings import UserDataSettings
from api.user_data.storage.factory import create_inbox_tables, open_inbox_store
from api.user_data.storage.interfaces import InboxStore, StoredSms
from scripts.sample_inboxes import SAMPLE_MESSAGES


def sample_messages() -> list[StoredSms]:
    return [
        StoredSms(user, timeuuid_at(sent_at, f"{user}/{sender}/{text}"), sender, text)
        for user, sender, sent_at, text in SAMPLE_MESSAGES
    ]


async def load_samples(store: InboxStore) -> Counter[str]:
    messages = sample_messages()
    await asyncio.gather(*(store.add(sms) for sms in messages))
    return Counter(sms.user_id for sms in messages)


async def load(settings: UserDataSettings) -> Counter[str]:
    store = await open_inbox_store(settings)
    try:
        return await load_samples(store)
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-samples", action="store_true", help="create the table only")
    parser.add_argument("--create-keyspace", action="store_true")
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args(argv)
    settings = UserDataSettings()
    options = SchemaOptions(args.create_keyspace, args.replication_factor)
    where = asyncio.run(create_inbox_tables(settings, options))
    print(f"tables smss_by_users and sms_idempotency_keys are ready in {where}")
    if not args.no_samples:
        per_user = asyncio.run(load(settings))
        print(
            f"loaded {sum(per_user.values())} sample messages: "
            + ", ".join(f"{user} {count}" for user, count in sorted(per_user.items()))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
