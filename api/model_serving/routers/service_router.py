"""Routes about the service itself: the served models, readiness and metrics (the liveness route
comes with every service's app, ``api/common/service_app.py``)."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response, status
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.common.errors import NotFoundError, api_error_handler, http_error_handler
from api.model_serving.deps import ServiceDep
from api.model_serving.metrics import CONTENT_TYPE
from api.model_serving.models.catalog import MODEL_CATALOG
from api.model_serving.schemas import ModelsList, ModelSummary, Readiness

router = APIRouter(tags=["service"])


@router.get(
    "/models",
    response_model=ModelsList,
    summary="Served models",
    description="The model versions this instance serves, with their key facts.",
)
async def list_models(request: Request) -> ModelsList:
    return ModelsList(
        models=[
            ModelSummary(
                version=version,
                summary=MODEL_CATALOG[version].summary,
                description=model.card.description,
                feature_service=model.card.feature_service,
                artifact_sha256=model.fingerprint,
                metrics=model.card.metrics,
                created_at=model.card.created_at,
            )
            for version, model in request.app.state.models.items()
        ]
    )


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness",
    description="200 when every model is loaded and storage answers, else 503.",
    responses={503: {"model": Readiness}},
)
async def ready(request: Request, service: ServiceDep, response: Response) -> Readiness:
    models = {
        v: v in request.app.state.models for v in request.app.state.settings.spam_model_versions
    }
    try:
        await service.storage.ping()
        storage = "ok"
    except Exception as error:
        storage = f"unavailable: {error}"
    readiness = Readiness(
        ready=all(models.values()) and storage == "ok", models=models, storage=storage
    )
    if not readiness.ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return readiness


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    description="Cache hits and misses and request latency, per version and endpoint.",
)
async def metrics(service: ServiceDep) -> Response:
    return Response(service.metrics.render(), media_type=CONTENT_TYPE)


def unknown_version_handler(served_versions: list[str]) -> Callable[..., Awaitable[Response]]:
    """An HTTP-error handler that explains a 404 under ``/model/{version}/`` for a version this
    instance does not serve; every other error keeps the common format."""

    async def handle(request: Request, error: Exception) -> Response:
        parts = request.url.path.split("/")
        if (
            isinstance(error, StarletteHTTPException)
            and error.status_code == 404
            and len(parts) > 2
            and parts[1] == "model"
            and parts[2] not in served_versions
        ):
            return await api_error_handler(
                request,
                NotFoundError(
                    f"model version {parts[2]!r} is not served; served versions: "
                    f"{', '.join(served_versions)}",
                    code="unknown_model_version",
                    served_versions=served_versions,
                ),
            )
        return await http_error_handler(request, error)

    return handle
