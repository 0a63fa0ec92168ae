"""Routes about the webhook itself: readiness (liveness comes with every service's app)."""

from fastapi import APIRouter, Response, status

from api.inbox.deps import DownstreamDep, OutboxDep
from api.inbox.downstream import USER_DATA
from api.inbox.schemas import Readiness

router = APIRouter(tags=["service"])


@router.get(
    "/ready",
    tags=["service"],
    summary="Readiness",
    description="200 when the user-data API answers, since then messages are accepted; the "
    "model API and the feature server are reported, and so is how many messages wait for "
    "their features.",
    response_model=Readiness,
    responses={503: {"model": Readiness}},
)
async def ready(downstream: DownstreamDep, outbox: OutboxDep, response: Response) -> Readiness:
    services = await downstream.health()
    ready = services[USER_DATA] == "ok"
    if not ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Readiness(ready=ready, services=services, pending_pushes=await outbox.count())
