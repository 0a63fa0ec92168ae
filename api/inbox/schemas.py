"""Requests and responses of the inbox webhook."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.common.identifiers import SenderId, UserId


class IncomingSms(BaseModel):
    """What an SMS gateway posts when a message arrives for one of our users."""

    model_config = ConfigDict(extra="forbid")

    user_id: UserId = Field(description="The recipient.", examples=["fiona"])
    sender_id: SenderId = Field(examples=["max"])
    sms_text: str = Field(min_length=1, examples=["Are we still on for lunch tomorrow?"])


class Receipt(BaseModel):
    sms_id: str = Field(description="The message's TIMEUUID in the user's inbox.")
    user_id: str
    date_sent: datetime
    features: Literal["pushed", "queued"] = Field(
        description="'pushed': the message's v2 features are in the feature store. 'queued': "
        "the model API or the feature server failed; the features wait in the outbox and are "
        "pushed as soon as both answer."
    )


class Readiness(BaseModel):
    ready: bool = Field(description="Messages are accepted: the user-data API answers.")
    services: dict[str, str] = Field(description="Each downstream service: 'ok', or what failed.")
    pending_pushes: int = Field(description="Messages whose features wait in the outbox.")
