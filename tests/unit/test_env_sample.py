"""`.env.sample` documents every setting the services read."""

import re

import pytest
from pydantic_settings import BaseSettings

from analysis.paths import PROJECT_ROOT
from api.feature_server_proxy.settings import FeatureProxySettings
from api.inbox.settings import InboxSettings
from api.model_serving.settings import ModelServingSettings
from api.user_data.settings import UserDataSettings


@pytest.mark.parametrize(
    "settings", [ModelServingSettings, UserDataSettings, FeatureProxySettings, InboxSettings]
)
def test_every_setting_is_in_the_sample(settings: type[BaseSettings]) -> None:
    sample = (PROJECT_ROOT / ".env.sample").read_text()
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", sample, flags=re.MULTILINE))
    missing = {name.upper() for name in settings.model_fields} - documented
    assert not missing, f"{settings.__name__}: add {sorted(missing)} to .env.sample"
