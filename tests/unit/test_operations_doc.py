"""docs/operations.md lists every setting with its real default, and commands that exist."""

import importlib.util
import re
from pathlib import Path

import pytest
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from analysis.paths import PROJECT_ROOT
from api.feature_server_proxy.settings import FeatureProxySettings
from api.inbox.settings import InboxSettings
from api.model_serving.settings import ModelServingSettings
from api.user_data.settings import UserDataSettings

DOC = PROJECT_ROOT / "docs" / "operations.md"
SETTINGS = [ModelServingSettings, UserDataSettings, FeatureProxySettings, InboxSettings]


def documented_defaults() -> dict[str, str]:
    """Each key of the doc's tables, with its default cell as written."""
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*) \|", DOC.read_text(), re.MULTILINE)
    return {name: default.strip() for name, default in rows}


def as_env_value(value: object) -> str | None:
    """A default as ``.env`` would spell it; None when it has no value."""
    if value is None or isinstance(value, SecretStr):
        return None
    if isinstance(value, list):
        return ",".join(value) or None
    if isinstance(value, Path):
        return str(value.relative_to(PROJECT_ROOT) if value.is_absolute() else value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: s.__name__)
def test_every_setting_is_documented_with_its_default(settings: type[BaseSettings]) -> None:
    documented = documented_defaults()
    for name, field in settings.model_fields.items():
        key = name.upper()
        assert key in documented, f"{settings.__name__}: add {key} to docs/operations.md"
        expected = as_env_value(field.get_default(call_default_factory=True))
        cell = documented[key]
        if expected is None:
            assert not cell.startswith("`"), f"{key} has no default, the doc gives {cell}"
        else:
            assert cell == f"`{expected}`", f"{key}: the default is {expected}, the doc: {cell}"


def test_every_key_of_the_env_sample_is_documented() -> None:
    sample = (PROJECT_ROOT / ".env.sample").read_text()
    keys = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", sample, flags=re.MULTILINE))
    missing = keys - set(documented_defaults())
    assert not missing, f"add {sorted(missing)} to docs/operations.md"


def test_the_web_app_settings_are_documented_with_their_defaults() -> None:
    example = (PROJECT_ROOT / "client" / "sms_web_app" / ".env.example").read_text()
    values = dict(re.findall(r"^(VITE_[A-Z_]+)=(.*)$", example, flags=re.MULTILINE))
    assert values
    documented = documented_defaults()
    for key, value in values.items():
        assert documented.get(key) == f"`{value}`", f"{key}: .env.example says {value}"


def test_the_documented_service_commands_name_real_apps() -> None:
    text = DOC.read_text()
    apps = set(re.findall(r"uvicorn (api\.[\w.]+):app", text))
    assert apps == {
        "api.model_serving.model_serving_api",
        "api.user_data.user_api",
        "api.inbox.inbox_api",
        "api.feature_server_proxy.feature_server_proxy_api",
    }
    for module in apps:
        assert importlib.util.find_spec(module) is not None, module
    for script in set(re.findall(r"python (scripts/\w+\.py)", text)):
        assert (PROJECT_ROOT / script).is_file(), script
