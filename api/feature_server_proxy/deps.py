"""What the proxy's routes take from the app, as ``Annotated`` shortcuts.

They are ``async`` on purpose: FastAPI runs a plain ``def`` dependency in a worker thread.
"""

from typing import Annotated

from fastapi import Depends, Request

from api.feature_server_proxy.readers import FeatureReader
from api.feature_server_proxy.settings import FeatureProxySettings


async def get_reader(request: Request) -> FeatureReader:
    return request.app.state.reader


async def get_settings(request: Request) -> FeatureProxySettings:
    return request.app.state.settings


ReaderDep = Annotated[FeatureReader, Depends(get_reader)]
SettingsDep = Annotated[FeatureProxySettings, Depends(get_settings)]
