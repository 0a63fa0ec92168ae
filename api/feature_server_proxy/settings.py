"""Settings of the feature-server proxy (environment or ``.env``; see ``.env.sample``)."""

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from analysis.paths import FEATURE_REPO_DIR
from api.common.settings import CommaList, HttpServiceSettings, split_commas

# What a browser may read: every feature the models take as input. Labels are not on the list,
# and neither is anything else the online store may hold.
DEFAULT_ALLOWED_FEATURES = [
    *(f"sms_features1:{name}" for name in ("cap_r", "nal_r")),
    *(f"sms_features1:cw_scores_{index}" for index in range(7)),
    "sms_features2:features",
]


class FeatureProxySettings(HttpServiceSettings):
    # Where reads go (api/feature_server_proxy/readers.py): the online store, through Feast's
    # SDK in this process, or Feast's feature server over HTTP.
    proxy_source: Literal["online_store", "feature_server"] = "online_store"
    # With online_store: the feature repo, and its yaml when not feature_store.yaml (Feast's own
    # variable, which its CLI reads too; the Cassandra yaml also reads CASSANDRA_*).
    sms_feature_repo: Path = FEATURE_REPO_DIR
    feast_fs_yaml_file_path: Path | None = None
    # With feature_server:
    feature_server_url: str = "http://localhost:6566"
    feature_server_timeout_seconds: float = Field(default=5.0, gt=0)
    proxy_allowed_features: CommaList = DEFAULT_ALLOWED_FEATURES
    proxy_max_entities: int = Field(default=100, gt=0)

    _split = field_validator("proxy_allowed_features", mode="before")(split_commas)
