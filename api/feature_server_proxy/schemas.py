"""Requests of the feature-server proxy (a strict subset of what Feast's server accepts), and its
readiness."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# "view:feature", as Feast names a feature.
FeatureRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]+:[A-Za-z0-9_]+$")]
SmsId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Entities(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sms_id: list[SmsId] = Field(
        min_length=1, description="The messages to read features of.", examples=[["sms10001"]]
    )


class OnlineFeaturesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    features: list[FeatureRef] = Field(
        min_length=1,
        description="Features as `view:feature`; only those on the proxy's allow-list.",
        examples=[["sms_features2:features"]],
    )
    entities: Entities


class Readiness(BaseModel):
    ready: bool
    source: Literal["online_store", "feature_server"] = Field(description="Where reads go.")
    status: str = Field(description="'ok', or why the source cannot be read.")
