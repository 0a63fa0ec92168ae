"""The feature-server proxy as a real uvicorn process in front of Feast's real feature server."""

from pathlib import Path

import httpx
import pandas as pd
import pytest

from scripts.local_services import feature_server, uvicorn_service

pytestmark = pytest.mark.integration

PROXY_APP = "api.feature_server_proxy.feature_server_proxy_api:app"


def test_the_proxy_serves_what_feast_serves_and_nothing_else(
    online_store: Path, tmp_path: Path
) -> None:
    offline = pd.read_parquet(online_store.parent / "offline_data" / "sms_features2.parquet")
    ids = list(offline["sms_id"][:3])
    ask = {
        "features": ["sms_features2:features", "sms_features1:cap_r"],
        "entities": {"sms_id": [*ids, "sms-never-seen"]},
    }
    with feature_server(online_store, {}, tmp_path) as feast:
        env = {"FEATURE_SERVER_URL": feast.url, "LOG_LEVEL": "WARNING"}
        with uvicorn_service(PROXY_APP, env, tmp_path) as proxy:
            direct = httpx.post(f"{feast.url}/get-online-features", json=ask, timeout=30)
            through = httpx.post(f"{proxy.url}/get-online-features", json=ask, timeout=30)
            assert through.status_code == 200, through.text
            assert through.json() == direct.json()
            body = through.json()
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
            assert httpx.get(f"{proxy.url}/ready").status_code == 200

            feast.stop()
            down = httpx.post(f"{proxy.url}/get-online-features", json=ask, timeout=30)
            assert down.status_code == 503
            assert down.json()["detail"]["code"] == "feature_server_unavailable"
            assert httpx.get(f"{proxy.url}/ready").status_code == 503
