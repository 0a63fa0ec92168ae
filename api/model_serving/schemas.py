"""Request and response models of the model-serving API."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# A feature value is a JSON number: strings, booleans and null are refused, not coerced.
FeatureValue = Annotated[float, Field(strict=True, allow_inf_nan=False)]

_TEXT_EXAMPLE = "I have a dream"


class _Flags(BaseModel):
    """What every model request carries besides its input; ``inputs()`` lists the input(s)."""

    model_config = ConfigDict(extra="forbid")

    # Strict: JSON true or false only, not 0, 1 or "yes", which the schema does not allow.
    skip_cache: bool = Field(
        default=False,
        strict=True,
        description="Compute afresh instead of reading the prediction cache.",
    )
    echo_input: bool = Field(
        default=False, strict=True, description="Repeat the input in the response."
    )


class TextInput(_Flags):
    text: str = Field(description="The message text.", examples=[_TEXT_EXAMPLE])

    def inputs(self) -> list[Any]:
        return [self.text]


class FeaturesInput(_Flags):
    """Each model version has a subclass of its own, whose documented vector is that model's
    (its length, the range of each value, an example): see ``api/model_serving/openapi.py``."""

    features: list[FeatureValue] = Field(
        description="A feature vector, in the order of the model's `feature_names`.",
    )

    def inputs(self) -> list[Any]:
        return [self.features]


class TextBatchInput(_Flags):
    texts: list[str] = Field(
        description="Message texts.", examples=[[_TEXT_EXAMPLE, "WIN CASH now!!"]]
    )

    def inputs(self) -> list[Any]:
        return list(self.texts)


class FeaturesBatchInput(_Flags):
    """Subclassed per model version, like ``FeaturesInput``."""

    features: list[list[FeatureValue]] = Field(
        description="Feature vectors, each in the order of the model's `feature_names`.",
    )

    def inputs(self) -> list[Any]:
        return list(self.features)


class TopLabel(BaseModel):
    label: str = Field(examples=["ham"])
    value: float = Field(description="Its probability.", examples=[0.97])


class FeaturesResult(BaseModel):
    features: list[Any] = Field(description="The model's feature vector (see its `info`).")
    from_cache: bool
    input: str | None = Field(default=None, description="The input text, with `echo_input`.")


class PredictionResult(BaseModel):
    prediction: dict[str, float] = Field(
        description="The probability of each label.", examples=[{"ham": 0.97, "spam": 0.03}]
    )
    top: TopLabel
    from_cache: bool
    input: str | list[Any] | None = Field(
        default=None, description="The input text or features, with `echo_input`."
    )


class FeaturesBatchResult(BaseModel):
    results: list[FeaturesResult]


class PredictionBatchResult(BaseModel):
    results: list[PredictionResult]


class CallLogEntry(BaseModel):
    call_id: str = Field(description="A time-based UUID.")
    called_at: datetime
    endpoint: str
    model_version: str
    input: Any
    output: Any
    items: int
    from_cache: int = Field(description="How many of the items came from the cache.")


class ModelSummary(BaseModel):
    version: str
    summary: str
    description: str
    feature_service: str
    artifact_sha256: str
    metrics: dict[str, float]
    created_at: datetime


class ModelsList(BaseModel):
    models: list[ModelSummary]


class Readiness(BaseModel):
    ready: bool
    models: dict[str, bool]
    storage: str = Field(description="'ok', or why storage does not answer.")
