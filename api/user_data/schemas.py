"""Request and response models of the user-data API."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.common.identifiers import SenderId


class SmsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sender_id: SenderId = Field(examples=["max"])
    sms_text: str = Field(
        min_length=1,
        description="The message; its maximum length is a setting (MAX_SMS_LENGTH).",
        examples=["Are we still on for lunch tomorrow?"],
    )


class SmsPublic(BaseModel):
    sms_id: str = Field(description="A time-based UUID (TIMEUUID).")
    user_id: str
    sender_id: str
    sms_text: str
    date_sent: datetime = Field(description="The time carried by sms_id, in UTC.")


class InboxPublic(BaseModel):
    user_id: str
    messages: list[SmsPublic] = Field(description="Newest first.")
    next_page_token: str | None = Field(
        default=None, description="Pass as `page_token` for the next page; absent at the end."
    )


class Readiness(BaseModel):
    ready: bool
    storage: str = Field(description="'ok', or why the inbox store does not answer.")
