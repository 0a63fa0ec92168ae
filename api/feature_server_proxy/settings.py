"""Settings of the feature-server proxy (environment or ``.env``; see ``.env.sample``)."""

from pydantic import Field, field_validator

from api.common.settings import CommaList, HttpServiceSettings, split_commas

# What a browser may read: every feature the models take as input. Labels are not on the list,
# and neither is anything else the online store may hold.
DEFAULT_ALLOWED_FEATURES = [
    *(f"sms_features1:{name}" for name in ("cap_r", "nal_r")),
    *(f"sms_features1:cw_scores_{index}" for index in range(7)),
    "sms_features2:features",
]


class FeatureProxySettings(HttpServiceSettings):
    feature_server_url: str = "http://localhost:6566"
    feature_server_timeout_seconds: float = Field(default=5.0, gt=0)
    proxy_allowed_features: CommaList = DEFAULT_ALLOWED_FEATURES
    proxy_max_entities: int = Field(default=100, gt=0)

    _split = field_validator("proxy_allowed_features", mode="before")(split_commas)
