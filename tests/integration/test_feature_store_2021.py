"""Stage 2021 of the feature repo: the online store filled by `feast materialize` at story dates,
and new messages' v2 features pushed through ``smss2_push`` to Feast's real feature server."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pandas as pd
import pytest
from feast import FeatureStore

from api.common.timeuuid import new_timeuuid, timeuuid_datetime
from scripts.local_services import feature_server
from tests.support.feature_store import FEAST, copy_store, run

pytestmark = pytest.mark.integration

V1_FEATURE = "sms_features1:cap_r"
V2_FEATURE = "sms_features2:features"


@pytest.fixture(scope="module")
def repo_2021(feature_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_store(feature_repo, tmp_path_factory.mktemp("store2021"), 2021)


def _online(store: FeatureStore, ids: list[str]) -> dict[str, list]:
    return store.get_online_features(
        features=[V1_FEATURE, V2_FEATURE], entity_rows=[{"sms_id": sms_id} for sms_id in ids]
    ).to_dict()


def test_stage_2021_feeds_the_v2_view_from_the_push_source(
    repo_2021: Path, feature_repo: Path, tmp_path: Path
) -> None:
    store = FeatureStore(repo_path=str(repo_2021))
    view = store.get_feature_view("sms_features2")
    assert view.stream_source is not None
    assert view.stream_source.name == "smss2_push"
    assert view.batch_source.name == "sms_features2_source"
    assert "smss2_push" in {source.name for source in store.list_data_sources()}
    # The 2019 and 2020 objects are still there; going back to 2020 removes the push source.
    assert {s.name for s in store.list_feature_services()} == {"labeled_sms_1", "labeled_sms_2"}
    rewound = copy_store(feature_repo, tmp_path, 2021)
    run([str(FEAST), "-c", str(rewound), "apply"], FEAST_STORE_STAGE="2020")
    rewound_store = FeatureStore(repo_path=str(rewound))
    assert "smss2_push" not in {source.name for source in rewound_store.list_data_sources()}
    # Feast 0.67 treats a view's sources as configuration and updates only its metadata when
    # nothing else changed, so the rewound view still names smss2_push; nothing pushes to it.


def test_materialize_fills_the_online_store_as_of_each_story_date(repo_2021: Path) -> None:
    offline = repo_2021.parent / "offline_data"
    features1 = pd.read_parquet(offline / "sms_features1.parquet").set_index("sms_id")
    features2 = pd.read_parquet(offline / "sms_features2.parquet").set_index("sms_id")
    ids = list(features1.index[:5])
    store = FeatureStore(repo_path=str(repo_2021))
    assert _online(store, ids)["cap_r"] == [None] * len(ids)

    # At the end of 2019 the v1 features exist (2019-02-03) and the v2 ones do not (2020-06-01).
    run(
        [
            str(FEAST),
            "-c",
            str(repo_2021),
            "materialize",
            "2019-01-01T00:00:00",
            "2020-01-01T00:00:00",
        ]
    )
    online = _online(store, ids)
    assert online["cap_r"] == pytest.approx(features1.loc[ids, "cap_r"].tolist())
    assert online["features"] == [None] * len(ids)

    # Catching up to 2021 loads what happened since, here the v2 features.
    run([str(FEAST), "-c", str(repo_2021), "materialize-incremental", "2021-01-01T00:00:00"])
    online = _online(store, ids)
    assert online["features"] == [list(features2.loc[i, "features"]) for i in ids]


def test_a_pushed_message_is_online_at_once_and_offline_for_training(
    repo_2021: Path, tmp_path: Path
) -> None:
    sms_id = str(new_timeuuid())
    sent_at = timeuuid_datetime(UUID(sms_id))
    ids = [0] * 44 + [17, 2, 9, 33]
    with (
        feature_server(repo_2021, {}, tmp_path) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        pushed = client.post(
            "/push",
            json={
                "push_source_name": "smss2_push",
                "df": {
                    "sms_id": [sms_id],
                    "features": [ids],
                    "event_timestamp": [sent_at.isoformat()],
                },
                "to": "online_and_offline",
            },
        )
        assert pushed.status_code == 200, pushed.text
        answer = client.post(
            "/get-online-features",
            json={"features": [V2_FEATURE], "entities": {"sms_id": [sms_id, "sms-never-seen"]}},
        )
        assert answer.status_code == 200, answer.text
    body = answer.json()
    # Columns come in no promised order: find ours by name.
    columns = dict(zip(body["metadata"]["feature_names"], body["results"], strict=True))
    assert columns["sms_id"]["values"] == [sms_id, "sms-never-seen"]
    assert columns["features"]["values"][0] == ids
    assert columns["features"]["statuses"] == ["PRESENT", "NOT_FOUND"]

    # The same row was appended to the Parquet source, so a training set drawn after the message
    # arrived holds it, and one drawn before does not (Feast's file store then drops the row).
    store = FeatureStore(repo_path=str(repo_2021))

    def historical(moment: datetime) -> pd.DataFrame:
        entities = pd.DataFrame({"sms_id": [sms_id], "event_timestamp": [moment]})
        return store.get_historical_features(entity_df=entities, features=[V2_FEATURE]).to_df()

    later = historical(datetime(2030, 1, 1, tzinfo=UTC))
    assert [list(value) for value in later["features"]] == [ids]
    assert historical(sent_at - timedelta(days=1)).empty
