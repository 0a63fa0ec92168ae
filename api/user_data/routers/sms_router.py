"""The inbox routes: list, read one, add one."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api.common.errors import (
    ERROR_RESPONSES,
    NotFoundError,
    UnprocessableError,
    storage_unavailable_on_error,
    text_too_long,
)
from api.common.idempotency import (
    REPLAYED_HEADER,
    IdempotencyKeyHeader,
    key_of,
    request_digest,
    reused_key_error,
)
from api.common.identifiers import USER_ID_PATTERN
from api.common.timeuuid import TIMEUUID_PATTERN, new_timeuuid, parse_timeuuid
from api.user_data.deps import InboxStoreDep, SettingsDep
from api.user_data.schemas import InboxPublic, SmsCreate, SmsPublic
from api.user_data.storage.interfaces import (
    PAGE_TOKEN_PATTERN,
    InvalidPageTokenError,
    StoredSms,
)

INBOX_STORE = "inbox store"

router = APIRouter(prefix="/sms", tags=["inbox"], responses=ERROR_RESPONSES)

UserIdPath = Annotated[
    str, Path(pattern=USER_ID_PATTERN, description="Letters, digits, '_', '.' or '-'.")
]


def _public(sms: StoredSms) -> SmsPublic:
    return SmsPublic(
        sms_id=str(sms.sms_id),
        user_id=sms.user_id,
        sender_id=sms.sender_id,
        sms_text=sms.sms_text,
        date_sent=sms.date_sent,
    )


@router.get(
    "/{user_id}",
    response_model=InboxPublic,
    response_model_exclude_none=True,
    summary="A user's inbox",
    description="Messages newest first, a page at a time. An unknown user has an empty inbox.",
)
async def get_inbox(
    store: InboxStoreDep,
    settings: SettingsDep,
    user_id: UserIdPath,
    limit: Annotated[int | None, Query(gt=0, description="Messages per page.")] = None,
    page_token: Annotated[
        str | None,
        Query(pattern=PAGE_TOKEN_PATTERN, description="The `next_page_token` of the page before."),
    ] = None,
) -> InboxPublic:
    size = min(limit or settings.inbox_page_size, settings.inbox_max_page_size)
    with storage_unavailable_on_error(INBOX_STORE, "reading an inbox"):
        try:
            page = await store.page(user_id, size, page_token)
        except InvalidPageTokenError as error:
            raise UnprocessableError(str(error), code="invalid_page_token") from error
    return InboxPublic(
        user_id=user_id,
        messages=[_public(sms) for sms in page.messages],
        next_page_token=page.next_page_token,
    )


@router.get(
    "/{user_id}/{sms_id}",
    response_model=SmsPublic,
    summary="One message",
    description="A message of a user's inbox by its id (a TIMEUUID).",
)
async def get_sms(
    store: InboxStoreDep,
    user_id: UserIdPath,
    sms_id: Annotated[
        str, Path(pattern=TIMEUUID_PATTERN, description="A time-based UUID (version 1).")
    ],
) -> SmsPublic:
    try:
        wanted = parse_timeuuid(sms_id)
    except ValueError as error:
        raise UnprocessableError(
            f"sms_id {sms_id[:64]!r} is not a time-based UUID", code="invalid_sms_id"
        ) from error
    with storage_unavailable_on_error(INBOX_STORE, "reading a message"):
        found = await store.get(user_id, wanted)
    if found is None:
        raise NotFoundError(f"no message {sms_id} in the inbox of {user_id}", code="sms_not_found")
    return _public(found)


@router.post(
    "/{user_id}",
    response_model=SmsPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Add a message",
    description="Stores a message in a user's inbox under a new TIMEUUID; `date_sent` is now. "
    "201 means the message is stored: a storage failure is a 503 and nothing is kept. With an "
    "`Idempotency-Key`, sending the same request again answers with the message it stored "
    f"(and `{REPLAYED_HEADER}: true`) instead of storing it twice.",
    responses={
        409: {"description": "The Idempotency-Key was used before for another message."},
        503: {"description": "The inbox store is unavailable; retry later."},
    },
)
async def add_sms(
    store: InboxStoreDep,
    settings: SettingsDep,
    response: Response,
    user_id: UserIdPath,
    body: SmsCreate,
    idempotency_key: IdempotencyKeyHeader = None,
) -> SmsPublic:
    if len(body.sms_text) > settings.max_sms_length:
        raise text_too_long("sms_text", len(body.sms_text), settings.max_sms_length)
    sms = StoredSms(user_id, new_timeuuid(), body.sender_id, body.sms_text)
    key = key_of(idempotency_key)
    with storage_unavailable_on_error(INBOX_STORE, "storing a message"):
        if key is not None:
            digest = request_digest(body.model_dump())
            claimed_id, claimed_digest = await store.claim_key(user_id, key, sms.sms_id, digest)
            if claimed_digest != digest:
                raise reused_key_error()
            if claimed_id != sms.sms_id:
                response.headers[REPLAYED_HEADER] = "true"
                sms = StoredSms(user_id, claimed_id, body.sender_id, body.sms_text)
        # Stored again on a replay too: that completes a first request that claimed its key
        # but failed before the message was stored, and rewrites the same row otherwise.
        await store.add(sms)
    return _public(sms)
