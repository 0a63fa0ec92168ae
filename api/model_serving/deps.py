"""Dependencies of the model-serving routes."""

from typing import Annotated

from fastapi import Depends, Request

from api.common.client_address import caller_id
from api.model_serving.serving import PredictionService
from api.model_serving.settings import ModelServingSettings


def get_settings(request: Request) -> ModelServingSettings:
    return request.app.state.settings


def get_service(request: Request) -> PredictionService:
    return request.app.state.service


def get_caller(request: Request) -> str:
    return caller_id(request, request.app.state.trusted_proxies)


SettingsDep = Annotated[ModelServingSettings, Depends(get_settings)]
ServiceDep = Annotated[PredictionService, Depends(get_service)]
CallerDep = Annotated[str, Depends(get_caller)]
