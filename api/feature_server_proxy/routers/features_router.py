"""``POST /get-online-features``: allow-listed online features of messages named by ``sms_id``.

The request is checked here, before anything reaches Feast: every feature must be on the
allow-list (``PROXY_ALLOWED_FEATURES``), and at most ``PROXY_MAX_ENTITIES`` messages are named.
The answer is Feast's own JSON, from the reader ``PROXY_SOURCE`` chose (``readers.py``).
"""

from typing import Any

from fastapi import APIRouter, Response

from api.common.errors import ERROR_RESPONSES, ForbiddenError, UnprocessableError, error_body
from api.feature_server_proxy.deps import ReaderDep, SettingsDep
from api.feature_server_proxy.schemas import OnlineFeaturesRequest

router = APIRouter(tags=["features"])

_PROXY_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    403: {
        "description": "A feature that is not on the allow-list.",
        "content": {
            "application/json": {
                "example": error_body("feature_not_allowed", "sms_labels:label is not served")
            }
        },
    },
    502: {"description": "The feature store refused the read, or the feature server failed."},
    503: {"description": "The online store or the feature server cannot be read now."},
}


@router.post(
    "/get-online-features",
    summary="Online features",
    description="Feast's `get-online-features`, restricted: the answer has one column per "
    "feature plus `sms_id`, in no promised order, so map them by `metadata.feature_names`.",
    responses=_PROXY_ERRORS,
)
async def get_online_features(
    body: OnlineFeaturesRequest, reader: ReaderDep, settings: SettingsDep
) -> Response:
    allowed = settings.proxy_allowed_features
    refused = [feature for feature in body.features if feature not in allowed]
    if refused:
        raise ForbiddenError(
            f"not served by this proxy: {', '.join(refused)}",
            code="feature_not_allowed",
            allowed=sorted(allowed),
        )
    count = len(body.entities.sms_id)
    if count > settings.proxy_max_entities:
        raise UnprocessableError(
            f"{count} messages asked for; the limit is {settings.proxy_max_entities}",
            code="too_many_entities",
        )
    answer = await reader.read(body.features, body.entities.sms_id)
    return Response(answer, media_type="application/json")
