"""Settings of the model-serving API (environment or ``.env``; see ``.env.sample``)."""

from pathlib import Path

from pydantic import Field, field_validator

from analysis.paths import MODELS_DIR
from api.common.settings import CommaList, ServiceSettings, split_commas


class ModelServingSettings(ServiceSettings):
    spam_model_versions: CommaList = Field(default=["v1"], min_length=1)
    models_dir: Path = MODELS_DIR

    max_text_length: int = Field(default=5_000, gt=0)
    max_batch_size: int = Field(default=1_000, gt=0)
    cache_ttl_seconds: int = Field(default=30 * 24 * 3600, gt=0)
    call_log_ttl_seconds: int = Field(default=3600, gt=0)
    call_log_max_rows: int = Field(default=500, gt=0)
    storage_flush_seconds: float = Field(
        default=0.05, gt=0, description="Longest wait before call-log and cache writes."
    )
    storage_max_pending: int = Field(
        default=100_000,
        gt=0,
        description="Call-log rows (and cache entries) kept in memory while storage is down; "
        "beyond that the oldest are dropped and counted.",
    )
    rate_limit_per_minute: int = Field(
        default=0,
        ge=0,
        description="Model calls a caller may make in any minute before a 429; 0 = no limit.",
    )
    prediction_cache_memory_items: int = Field(
        default=10_000, ge=0, description="Results kept in memory in front of storage; 0 = off."
    )

    _split_versions = field_validator("spam_model_versions", mode="before")(split_commas)
