"""Push the v2 features of inbox messages that arrived before the inbox webhook did.

    python scripts/backfill_features_2.py [--users fiona,max] [--force]

The webhook pushes the features of every new message; messages already in the inboxes (the
sample inboxes, say) have none online. For each user, this script reads the whole inbox from
the user-data API, asks the feature server which messages already have features online, has the
model API compute the others' features in batches, and pushes them through ``smss2_push``, online
and offline, each as of the time in its TIMEUUID: exactly what the webhook would have pushed.

Running it again pushes nothing new (``--force`` pushes everything again). It uses the webhook's
settings (``USER_DATA_API_URL``, ``MODEL_SERVING_API_URL``, ``FEATURE_SERVER_URL``...), and all
three services must be running.
"""

import argparse
import asyncio
import sys
from datetime import datetime

import httpx

from api.inbox.downstream import Downstream, DownstreamError
from api.inbox.settings import InboxSettings
from scripts.sample_inboxes import SAMPLE_MESSAGES

FEATURE = "sms_features2:features"
# Rows per model call and per push: well under the model API's batch limit.
CHUNK = 100


async def backfill_user(downstream: Downstream, user_id: str, force: bool) -> tuple[int, int]:
    """Push what ``user_id``'s inbox lacks; return (messages in the inbox, messages pushed)."""
    messages = await downstream.inbox(user_id)
    todo = messages
    if not force and messages:
        online: set[str] = set()
        for start in range(0, len(messages), CHUNK):
            chunk = [m["sms_id"] for m in messages[start : start + CHUNK]]
            online |= await downstream.online_ids(chunk, FEATURE)
        todo = [m for m in messages if m["sms_id"] not in online]
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        features = await downstream.features_of_many([m["sms_text"] for m in chunk])
        await downstream.push_many(
            [
                (m["sms_id"], vector, datetime.fromisoformat(m["date_sent"]))
                for m, vector in zip(chunk, features, strict=True)
            ]
        )
    return len(messages), len(todo)


async def backfill(settings: InboxSettings, users: list[str], force: bool) -> int:
    async with httpx.AsyncClient(timeout=max(settings.downstream_timeout_seconds, 30)) as client:
        downstream = Downstream(client, settings)
        for user_id in users:
            try:
                total, pushed = await backfill_user(downstream, user_id, force)
            except DownstreamError as error:
                print(f"{user_id}: stopped, {error}", file=sys.stderr)
                return 1
            print(f"{user_id}: {total} messages, {pushed} pushed, {total - pushed} already online")
    return 0


def main(argv: list[str] | None = None) -> int:
    sample_users = sorted({user for user, *_ in SAMPLE_MESSAGES})
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--users",
        default=",".join(sample_users),
        help=f"comma-separated user ids (default: the sample users, {', '.join(sample_users)})",
    )
    parser.add_argument("--force", action="store_true", help="push features already online too")
    args = parser.parse_args(argv)
    users = [user.strip() for user in args.users.split(",") if user.strip()]
    return asyncio.run(backfill(InboxSettings(), users, args.force))


if __name__ == "__main__":
    sys.exit(main())
