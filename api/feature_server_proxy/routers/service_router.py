"""Routes about the proxy itself: readiness (liveness comes with every service's app)."""

from fastapi import APIRouter, Response

from api.common.errors import ServiceUnavailableError
from api.feature_server_proxy.deps import ReaderDep, SettingsDep
from api.feature_server_proxy.schemas import Readiness

router = APIRouter(tags=["service"])


@router.get(
    "/ready",
    summary="Readiness",
    description="200 when a read from the source (the online store, or the feature server's "
    "health check) succeeds, else 503.",
    response_model=Readiness,
    responses={503: {"model": Readiness}},
)
async def ready(reader: ReaderDep, settings: SettingsDep, response: Response) -> Readiness:
    try:
        await reader.check()
    except ServiceUnavailableError as error:
        response.status_code = 503
        return Readiness(ready=False, source=settings.proxy_source, status=str(error))
    return Readiness(ready=True, source=settings.proxy_source, status="ok")
