"""What the user-data routes take from the app, as ``Annotated`` shortcuts.

They are ``async`` on purpose: FastAPI runs a plain ``def`` dependency in a worker thread.
"""

from typing import Annotated

from fastapi import Depends, Request

from api.user_data.settings import UserDataSettings
from api.user_data.storage.interfaces import InboxStore


async def get_inbox_store(request: Request) -> InboxStore:
    return request.app.state.inbox


async def get_settings(request: Request) -> UserDataSettings:
    return request.app.state.settings


InboxStoreDep = Annotated[InboxStore, Depends(get_inbox_store)]
SettingsDep = Annotated[UserDataSettings, Depends(get_settings)]
