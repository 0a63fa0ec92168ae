"""What the webhook's routes take from the app, as ``Annotated`` shortcuts.

They are ``async`` on purpose: FastAPI runs a plain ``def`` dependency in a worker thread.
"""

from typing import Annotated

from fastapi import Depends, Request

from api.inbox.delivery import FeatureDelivery
from api.inbox.downstream import Downstream
from api.inbox.settings import InboxSettings
from api.inbox.storage.outbox import Outbox
from api.inbox.storage.receipts import ReceiptLog


async def get_settings(request: Request) -> InboxSettings:
    return request.app.state.settings


async def get_downstream(request: Request) -> Downstream:
    return request.app.state.downstream


async def get_delivery(request: Request) -> FeatureDelivery:
    return request.app.state.delivery


async def get_outbox(request: Request) -> Outbox:
    return request.app.state.outbox


async def get_receipts(request: Request) -> ReceiptLog:
    return request.app.state.receipts


async def get_keys_in_flight(request: Request) -> set[str]:
    """The Idempotency-Keys whose first request is being served, so that a concurrent repeat is
    told so."""
    return request.app.state.keys_in_flight


SettingsDep = Annotated[InboxSettings, Depends(get_settings)]
DownstreamDep = Annotated[Downstream, Depends(get_downstream)]
DeliveryDep = Annotated[FeatureDelivery, Depends(get_delivery)]
OutboxDep = Annotated[Outbox, Depends(get_outbox)]
ReceiptsDep = Annotated[ReceiptLog, Depends(get_receipts)]
KeysInFlightDep = Annotated[set[str], Depends(get_keys_in_flight)]
