"""Settings shared by the services: storage backend, Cassandra/Astra DB, HTTP limits.

Each service has one settings class that extends these. Values come from the environment or
from the ``.env`` file at the repository root (see ``.env.sample``); secrets are ``SecretStr``,
so they never appear in logs or reprs.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from analysis.paths import PROJECT_ROOT
from api.common.client_address import normalise_proxies

ENV_FILE = PROJECT_ROOT / ".env"
LOCAL_DATA_DIR = PROJECT_ROOT / "local_data"

CommaList = Annotated[list[str], NoDecode]


def split_commas(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


@dataclass(frozen=True)
class CassandraConfig:
    """How to reach Cassandra: contact points (optionally with auth) or an Astra DB bundle."""

    keyspace: str
    hosts: tuple[str, ...] = ()
    port: int = 9042
    username: str | None = None
    password: SecretStr | None = None
    secure_bundle_path: Path | None = None
    astra_token: SecretStr | None = None
    protocol_version: int | None = 5
    request_timeout_s: float = 10.0

    @property
    def is_astra(self) -> bool:
        return self.secure_bundle_path is not None


class HttpServiceSettings(BaseSettings):
    """What every service reads from the environment about serving HTTP."""

    model_config = SettingsConfigDict(env_file=ENV_FILE, extra="ignore")

    cors_allow_origins: CommaList = ["http://localhost:3000", "http://127.0.0.1:3000"]
    # The proxies whose X-Forwarded-For names the caller (api/common/client_address.py).
    trusted_proxies: CommaList = []
    max_body_bytes: int = 1_000_000
    log_level: str = "INFO"

    _split_http = field_validator("cors_allow_origins", "trusted_proxies", mode="before")(
        split_commas
    )

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _proxies_are_addresses(cls, value: list[str]) -> list[str]:
        return normalise_proxies(value)

    @model_validator(mode="after")
    def _origins_are_listed(self) -> "HttpServiceSettings":
        if "*" in self.cors_allow_origins:
            raise ValueError("CORS_ALLOW_ORIGINS must list origins; '*' is not allowed")
        return self


class ServiceSettings(HttpServiceSettings):
    """What a service with storage of its own reads: the backend and how to reach it."""

    storage_backend: Literal["sqlite", "cassandra"] = "sqlite"
    sqlite_path: Path | None = None

    cassandra_hosts: CommaList = []
    cassandra_port: int = 9042
    cassandra_keyspace: str = "sms_spam"
    cassandra_username: str | None = None
    cassandra_password: SecretStr | None = None
    # The native protocol spoken to CASSANDRA_HOSTS: 5 for Cassandra 4.0 and newer, 4 for 3.x.
    cassandra_protocol_version: int = 5
    astra_db_secure_bundle_path: Path | None = None
    astra_db_application_token: SecretStr | None = None

    _split_hosts = field_validator("cassandra_hosts", mode="before")(split_commas)

    @field_validator("cassandra_username", "astra_db_secure_bundle_path", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _cassandra_is_reachable(self) -> "ServiceSettings":
        if self.storage_backend == "cassandra":
            if self.astra_db_secure_bundle_path is not None:
                if self.astra_db_application_token is None:
                    raise ValueError("an Astra DB bundle needs ASTRA_DB_APPLICATION_TOKEN")
            elif not self.cassandra_hosts:
                raise ValueError(
                    "STORAGE_BACKEND=cassandra needs CASSANDRA_HOSTS or ASTRA_DB_SECURE_BUNDLE_PATH"
                )
        return self

    def cassandra(self) -> CassandraConfig:
        return CassandraConfig(
            keyspace=self.cassandra_keyspace,
            hosts=tuple(self.cassandra_hosts),
            port=self.cassandra_port,
            username=self.cassandra_username,
            password=self.cassandra_password,
            protocol_version=self.cassandra_protocol_version,
            secure_bundle_path=self.astra_db_secure_bundle_path,
            astra_token=self.astra_db_application_token,
        )
