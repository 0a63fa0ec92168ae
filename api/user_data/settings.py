"""Settings of the user-data API (environment or ``.env``; see ``.env.sample``)."""

from pydantic import Field

from api.common.settings import ServiceSettings


class UserDataSettings(ServiceSettings):
    max_sms_length: int = Field(default=2_000, gt=0)
    inbox_page_size: int = Field(default=20, gt=0)
    inbox_max_page_size: int = Field(default=100, gt=0)
    # How long an Idempotency-Key is remembered (on Cassandra, the table's own TTL applies).
    idempotency_key_ttl_seconds: int = Field(default=86_400, gt=0)
