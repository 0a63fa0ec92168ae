"""``POST /sms``: a new message for one of our users, from an SMS gateway.

The webhook stores it in the user's inbox (user-data API), asks the model API for its v2
features, and pushes them to the feature store (Feast's feature server, push source
``smss2_push``, online and offline), with the time in the message's TIMEUUID as event time.

What an answer promises:

- ``201``: the message is in the inbox and its features are in the feature store;
- ``202``: the message is in the inbox; its features wait in the outbox and are pushed as soon
  as the model API and the feature server answer (``api/inbox/delivery.py``);
- ``503``: the inbox could not store the message; nothing was kept, so send it again;
- ``4xx``: the message itself was refused; sending it again will not help.

So an accepted message (201 or 202) is never lost, and neither are its features. With an
``Idempotency-Key``, it is not stored twice either: a repeat gets the first answer back
(``api/inbox/storage/receipts.py``), and the user-data API stores one message per key.
"""

import logging
import uuid

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from api.common.errors import (
    ERROR_RESPONSES,
    ApiError,
    BadGatewayError,
    ServiceUnavailableError,
    text_too_long,
)
from api.common.idempotency import (
    REPLAYED_HEADER,
    IdempotencyConflictError,
    IdempotencyKeyHeader,
    key_of,
    request_digest,
    reused_key_error,
)
from api.inbox.delivery import FeatureDelivery
from api.inbox.deps import DeliveryDep, DownstreamDep, KeysInFlightDep, ReceiptsDep, SettingsDep
from api.inbox.downstream import Downstream, DownstreamError, MessageRefusedError, StoredMessage
from api.inbox.schemas import IncomingSms, Receipt
from api.inbox.storage.outbox import PendingPush
from api.inbox.storage.receipts import StoredReceipt

logger = logging.getLogger(__name__)

router = APIRouter(tags=["inbox"])


@router.post(
    "/sms",
    response_model=Receipt,
    status_code=status.HTTP_201_CREATED,
    summary="A new message",
    description="Stores the message in the user's inbox and pushes its v2 features. 201: "
    "both done. 202: stored, features queued and pushed as soon as possible. 503: not "
    "stored, send it again. With an `Idempotency-Key`, a repeat of an accepted request gets "
    f"its first answer back (with `{REPLAYED_HEADER}: true`), even after a restart, and "
    "the message is stored once.",
    responses={
        **ERROR_RESPONSES,
        202: {"model": Receipt, "description": "Stored; the features are queued."},
        409: {"description": "A request with this Idempotency-Key is still being served."},
        502: {"description": "The user-data API answered something unexpected."},
        503: {"description": "The message could not be stored; send it again."},
    },
)
async def receive_sms(
    body: IncomingSms,
    settings: SettingsDep,
    receipts: ReceiptsDep,
    in_flight: KeysInFlightDep,
    downstream: DownstreamDep,
    delivery: DeliveryDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    if len(body.sms_text) > settings.max_sms_length:
        raise text_too_long("sms_text", len(body.sms_text), settings.max_sms_length)
    key = key_of(idempotency_key)
    if key is None:
        # Still a key for the user-data API, so that this request's own second attempt
        # (when the first answer is lost) cannot store the message twice.
        accepted = await _accept(downstream, delivery, body, str(uuid.uuid4()))
        return JSONResponse(accepted.receipt, status_code=accepted.status)
    digest = request_digest(body.model_dump())
    earlier = await receipts.get(key)
    if earlier is not None:
        if earlier.request_digest != digest:
            raise reused_key_error()
        return JSONResponse(
            earlier.receipt, status_code=earlier.status, headers={REPLAYED_HEADER: "true"}
        )
    if key in in_flight:
        raise IdempotencyConflictError(
            "a request with this Idempotency-Key is still being served; send it again later"
        )
    in_flight.add(key)
    try:
        accepted = await _accept(downstream, delivery, body, key)
        try:
            await receipts.put(key, accepted)
        except Exception:  # the message is accepted all the same; a repeat stores it once
            logger.exception("the receipt of an accepted message was not kept")
        return JSONResponse(accepted.receipt, status_code=accepted.status)
    finally:
        in_flight.discard(key)


async def _accept(
    downstream: Downstream, delivery: FeatureDelivery, body: IncomingSms, key: str
) -> StoredReceipt:
    """Store the message (once per ``key``), then push or queue its features; the answer."""
    stored = await _store(downstream, body, key)
    item = PendingPush(stored.sms_id, body.user_id, body.sms_text, stored.date_sent)
    try:
        pushed = await delivery.deliver(item)
    except Exception as error:  # the outbox itself failed: say so, with the stored id
        logger.exception("features of %s neither pushed nor queued", stored.sms_id)
        raise ServiceUnavailableError(
            "the message is stored but its features could not be queued",
            code="features_not_queued",
            sms_id=stored.sms_id,
        ) from error
    receipt = Receipt(
        sms_id=stored.sms_id,
        user_id=body.user_id,
        date_sent=stored.date_sent,
        features="pushed" if pushed else "queued",
    )
    return StoredReceipt(
        request_digest(body.model_dump()),
        status.HTTP_201_CREATED if pushed else status.HTTP_202_ACCEPTED,
        receipt.model_dump(mode="json"),
    )


async def _store(downstream: Downstream, body: IncomingSms, key: str) -> StoredMessage:
    try:
        return await downstream.store(body, key)
    except MessageRefusedError as refusal:
        raise _refused(refusal) from refusal
    except DownstreamError as error:
        if error.status is None or error.status >= 500:
            raise ServiceUnavailableError(
                f"the message was not stored ({error}); send it again",
                code="inbox_unavailable",
            ) from error
        raise BadGatewayError(str(error), code="user_data_error") from error


def _refused(refusal: MessageRefusedError) -> ApiError:
    """The user-data API's refusal, passed on: it speaks the same error format."""
    detail = refusal.body.get("detail") if isinstance(refusal.body, dict) else None
    if not isinstance(detail, dict):
        detail = {"message": str(refusal.body)}
    extra = {key: value for key, value in detail.items() if key not in ("code", "message")}
    error = ApiError(
        f"the inbox refused the message: {detail.get('message', 'no reason given')}",
        code=str(detail.get("code", "refused_by_inbox")),
        **extra,
    )
    error.status_code = refusal.status
    return error
