"""Settings of the inbox webhook (environment or ``.env``; see ``.env.sample``)."""

from pathlib import Path

from pydantic import Field

from api.common.settings import LOCAL_DATA_DIR, HttpServiceSettings


class InboxSettings(HttpServiceSettings):
    user_data_api_url: str = "http://localhost:8111"
    model_serving_api_url: str = "http://localhost:8000"
    feature_server_url: str = "http://localhost:6566"
    downstream_timeout_seconds: float = Field(default=5.0, gt=0)
    # The model version whose text_to_features computes what is pushed: v2's token ids feed
    # sms_features2 through the push source smss2_push.
    features_model_version: str = "v2"
    push_source_name: str = "smss2_push"
    # Features that could not be pushed wait here, on this instance's disk, until they are.
    outbox_path: Path = LOCAL_DATA_DIR / "inbox_outbox.db"
    retry_first_seconds: float = Field(default=1.0, gt=0)
    retry_max_seconds: float = Field(default=300.0, gt=0)
    max_sms_length: int = Field(default=2_000, gt=0)
    # How long the answer to a POST with an Idempotency-Key is kept for its repeats.
    idempotency_key_ttl_seconds: int = Field(default=86_400, gt=0)
