"""Routes about the user-data API itself: readiness (liveness comes with every service's app)."""

from fastapi import APIRouter, Response, status

from api.user_data.deps import InboxStoreDep
from api.user_data.schemas import Readiness

router = APIRouter(tags=["service"])


@router.get(
    "/ready",
    summary="Readiness",
    description="200 when the inbox store answers, else 503.",
    response_model=Readiness,
    responses={503: {"model": Readiness}},
)
async def ready(inbox: InboxStoreDep, response: Response) -> Readiness:
    try:
        await inbox.ping()
    except Exception as error:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Readiness(ready=False, storage=f"unavailable: {error}")
    return Readiness(ready=True, storage="ok")
