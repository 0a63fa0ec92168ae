"""The ``Idempotency-Key`` request header, as payment APIs and the IETF draft of that name use it.

A client that sends the same POST again (because it never got the answer) with the same key gets
the answer of the first request instead of a second effect. The key is the client's, unique per
operation. A request whose key is still being served, or that reuses a key for another request
body, is answered 409, with codes that tell the two apart. (The draft suggests 422 for the second;
409 says the same thing, a conflict with what the key already stands for, and keeps a request
that the schema allows from being answered as if the schema forbade it.) The draft writes the key
as a quoted string, payment APIs send it bare: both are accepted.
"""

import hashlib
import json
from typing import Annotated, Any

from fastapi import Header

from api.common.errors import ApiError

# Visible ASCII except the double quote, optionally quoted as the draft writes it.
KEY_PATTERN = r'^"?[!#-~]{1,255}"?$'
REPLAYED_HEADER = "Idempotent-Replayed"

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=KEY_PATTERN,
        description="Makes the POST safe to send again: a repeat with the same key and body "
        "gets the first answer back instead of storing the message twice. A UUID is a good key.",
    ),
]


class IdempotencyConflictError(ApiError):
    status_code = 409
    code = "idempotency_key_in_use"


def key_of(header: str | None) -> str | None:
    """The key a header value carries, without the draft's quotes."""
    if header is None:
        return None
    return header[1:-1] if len(header) >= 2 and header[0] == header[-1] == '"' else header


def request_digest(payload: Any) -> str:
    """A digest of a request's body, to tell a repeat from another request under the same key."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def reused_key_error() -> IdempotencyConflictError:
    return IdempotencyConflictError(
        "this Idempotency-Key was sent before with another request body; use a new key for a "
        "new message",
        code="idempotency_key_reused",
    )
