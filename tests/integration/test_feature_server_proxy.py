"""The feature-server proxy as a real uvicorn process, on both online stores and both sources.

Its answer must be exactly Feast's feature server's, whether it reads the online store itself
(``PROXY_SOURCE=online_store``, the default) or asks the feature server
(``PROXY_SOURCE=feature_server``), on SQLite and on Cassandra; and what it guards (the
allow-list, the entity cap, its error codes) must not depend on the source.
"""

from pathlib import Path

import httpx
import pandas as pd
import pytest

from scripts.local_services import feature_server, free_port, uvicorn_service
from tests.support.feature_store import SQLITE, OnlineStore, copy_store

pytestmark = pytest.mark.integration

PROXY_APP = "api.feature_server_proxy.feature_server_proxy_api:app"


@pytest.fixture(scope="module")
def repo(feature_repo: Path, online: OnlineStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stage-2021 copy of the store, materialized into the online store under test."""
    repo = copy_store(feature_repo, tmp_path_factory.mktemp("proxy"), 2021, online)
    online.cli(repo, "materialize", "2019-01-01T00:00:00", "2021-01-01T00:00:00")
    return repo


def proxy_env(repo: Path, online: OnlineStore, source: str, feature_server_url: str) -> dict:
    return {
        **online.env,
        "PROXY_SOURCE": source,
        "SMS_FEATURE_REPO": str(repo),
        "FEAST_FS_YAML_FILE_PATH": str(online.yaml(repo)),
        "FEATURE_SERVER_URL": feature_server_url,
        "LOG_LEVEL": "WARNING",
    }


@pytest.mark.parametrize("source", ["online_store", "feature_server"])
def test_the_proxy_serves_what_feast_serves_and_nothing_else(
    repo: Path, online: OnlineStore, source: str, tmp_path: Path
) -> None:
    offline = pd.read_parquet(repo.parent / "offline_data" / "sms_features2.parquet")
    ids = list(offline["sms_id"][:3])
    many = list(offline["sms_id"][:100])
    asks = [
        {
            "features": ["sms_features2:features", "sms_features1:cap_r"],
            "entities": {"sms_id": [*ids, "sms-never-seen"]},
        },
        {"features": ["sms_features2:features"], "entities": {"sms_id": many}},
    ]
    fs_yaml = online.yaml(repo)
    with feature_server(repo, online.env, tmp_path, fs_yaml=fs_yaml) as feast:
        env = proxy_env(repo, online, source, feast.url)
        with uvicorn_service(PROXY_APP, env, tmp_path) as proxy:
            for ask in asks:
                direct = httpx.post(f"{feast.url}/get-online-features", json=ask, timeout=30)
                through = httpx.post(f"{proxy.url}/get-online-features", json=ask, timeout=30)
                assert through.status_code == 200, through.text
                assert through.json() == direct.json()
            body = httpx.post(f"{proxy.url}/get-online-features", json=asks[0]).json()
            columns = dict(zip(body["metadata"]["feature_names"], body["results"], strict=True))
            expected = offline.set_index("sms_id").loc[ids, "features"].map(list).tolist()
            assert columns["features"]["values"][:3] == expected
            assert columns["features"]["statuses"][3] == "NOT_FOUND"

            # Feast would read the labels, and answers an unknown feature with a 500.
            for refused in ("sms_labels:label", "sms_features2:nope"):
                answer = httpx.post(
                    f"{proxy.url}/get-online-features",
                    json={"features": [refused], "entities": {"sms_id": ids}},
                )
                assert answer.status_code == 403
                assert answer.json()["detail"]["code"] == "feature_not_allowed"
            too_many = {"features": ["sms_features2:features"], "entities": {"sms_id": many * 2}}
            answer = httpx.post(f"{proxy.url}/get-online-features", json=too_many)
            assert answer.status_code == 422
            assert answer.json()["detail"]["code"] == "too_many_entities"
            ready = httpx.get(f"{proxy.url}/ready")
            assert ready.status_code == 200
            assert ready.json() == {"ready": True, "source": source, "status": "ok"}

            if source == "feature_server":
                feast.stop()
                down = httpx.post(f"{proxy.url}/get-online-features", json=asks[0], timeout=30)
                assert down.status_code == 503
                assert down.json()["detail"]["code"] == "feature_server_unavailable"
                assert httpx.get(f"{proxy.url}/ready").status_code == 503


def test_an_online_store_that_cannot_be_read_is_a_503(feature_repo: Path, tmp_path: Path) -> None:
    # The Cassandra yaml, pointed at a port where nothing listens: Feast connects at the first
    # read, so the proxy starts, says it is not ready, and answers reads with a 503.
    nowhere = OnlineStore(
        "cassandra",
        {
            "CASSANDRA_HOSTS": "127.0.0.1",
            "CASSANDRA_PORT": str(free_port()),
            "CASSANDRA_KEYSPACE": "sms_spam",
            "CASSANDRA_USERNAME": "",
            "CASSANDRA_PASSWORD": "",
        },
    )
    repo = copy_store(feature_repo, tmp_path / "store", 2021)  # the registry, applied on SQLite
    nowhere.yaml(repo).write_text(
        nowhere.yaml(repo).read_text().replace("registry_cassandra.db", "registry.db")
    )
    env = proxy_env(repo, nowhere, "online_store", "http://127.0.0.1:9")
    with uvicorn_service(PROXY_APP, env, tmp_path) as proxy:
        ready = httpx.get(f"{proxy.url}/ready", timeout=60)
        assert ready.status_code == 503
        assert ready.json()["ready"] is False
        answer = httpx.post(
            f"{proxy.url}/get-online-features",
            json={"features": ["sms_features2:features"], "entities": {"sms_id": ["sms20001"]}},
            timeout=60,
        )
        assert answer.status_code == 503
        assert answer.json()["detail"]["code"] == "online_store_unavailable"


def test_a_feature_the_registry_lacks_is_a_502_not_a_500(
    feature_repo: Path, tmp_path: Path
) -> None:
    # A misconfigured allow-list: Feast refuses the read, and the proxy says so cleanly.
    repo = copy_store(feature_repo, tmp_path / "store", 2021)
    env = {
        **proxy_env(repo, SQLITE, "online_store", "http://127.0.0.1:9"),
        "PROXY_ALLOWED_FEATURES": "sms_features2:features,sms_features2:missing",
    }
    with uvicorn_service(PROXY_APP, env, tmp_path) as proxy:
        answer = httpx.post(
            f"{proxy.url}/get-online-features",
            json={"features": ["sms_features2:missing"], "entities": {"sms_id": ["sms20001"]}},
        )
        assert answer.status_code == 502
        assert answer.json()["detail"]["code"] == "feature_store_error"
