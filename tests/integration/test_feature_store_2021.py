"""Stage 2021 of the feature repo on every online store, through the real Feast CLI, SDK and
feature server: the online store filled by `feast materialize` at story dates, and new messages'
v2 features pushed through ``smss2_push``.

Each test runs on the embedded SQLite store and on Cassandra (the repo's own
``feature_store.cassandra.yaml``, on the session's real node, in a keyspace of its own).
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pandas as pd
import pytest
from feast import FeatureStore

from api.common.storage import cassandra
from api.common.timeuuid import new_timeuuid, timeuuid_datetime
from scripts.local_services import feature_server
from tests.support.cassandra_backend import CassandraTarget, config_from_env
from tests.support.feature_store import SQLITE, OnlineStore, copy_store

pytestmark = pytest.mark.integration

V1_FEATURE = "sms_features1:cap_r"
V2_FEATURE = "sms_features2:features"
PROJECT = "sms_spam_store"


@pytest.fixture(scope="module")
def repo_2021(
    feature_repo: Path, online: OnlineStore, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return copy_store(feature_repo, tmp_path_factory.mktemp("store2021"), 2021, online)


def cassandra_tables(online: OnlineStore) -> set[str]:
    """The tables Feast made in the test's keyspace, read straight from Cassandra."""
    config = config_from_env(dict(online.env))
    session = cassandra.connect(config)
    try:
        rows = session.execute(
            "SELECT table_name FROM system_schema.tables WHERE keyspace_name = %s",
            [config.keyspace],
        )
        return {row.table_name for row in rows}
    finally:
        cassandra.shutdown(session)


def _online(store: FeatureStore, ids: list[str]) -> dict[str, list]:
    return store.get_online_features(
        features=[V1_FEATURE, V2_FEATURE], entity_rows=[{"sms_id": sms_id} for sms_id in ids]
    ).to_dict()


@pytest.fixture
def fresh_online(online: OnlineStore, request: pytest.FixtureRequest) -> Iterator[OnlineStore]:
    """The same kind of online store as ``online``, but empty: on Cassandra, a new keyspace."""
    if online.name == "sqlite":
        yield online
        return
    cluster: CassandraTarget = request.getfixturevalue("cassandra_cluster")
    with cluster.keyspace("stages") as keyspace:
        yield OnlineStore("cassandra", cluster.env(keyspace))


def test_each_stage_applies_and_2019_rewinds(
    feature_repo: Path, fresh_online: OnlineStore, tmp_path: Path
) -> None:
    online = fresh_online
    # Only views served online get a table: the labels are read offline, for training.
    repo = copy_store(feature_repo, tmp_path, 2019, online)
    views = {"sms_features1", "sms_labels"}
    assert {v.name for v in online.sdk(repo).list_feature_views()} == views
    if online.name == "cassandra":
        assert cassandra_tables(online) == {f"{PROJECT}_sms_features1"}

    online.cli(repo, "apply", FEAST_STORE_STAGE="2020")
    store = online.sdk(repo)
    assert {v.name for v in store.list_feature_views()} == {*views, "sms_features2"}
    assert {s.name for s in store.list_feature_services()} == {"labeled_sms_1", "labeled_sms_2"}

    online.cli(repo, "apply", FEAST_STORE_STAGE="2021")
    store = online.sdk(repo)
    assert "smss2_push" in {source.name for source in store.list_data_sources()}
    if online.name == "cassandra":
        assert cassandra_tables(online) == {
            f"{PROJECT}_sms_features1",
            f"{PROJECT}_sms_features2",
        }

    # Going back to 2019 removes the later objects, and their table in the online store.
    online.cli(repo, "apply", FEAST_STORE_STAGE="2019")
    store = online.sdk(repo)
    assert {s.name for s in store.list_feature_services()} == {"labeled_sms_1"}
    assert "smss2_push" not in {source.name for source in store.list_data_sources()}
    if online.name == "cassandra":
        assert cassandra_tables(online) == {f"{PROJECT}_sms_features1"}


def test_stage_2021_feeds_the_v2_view_from_the_push_source(
    repo_2021: Path, online: OnlineStore
) -> None:
    store = online.sdk(repo_2021)
    view = store.get_feature_view("sms_features2")
    assert view.stream_source is not None
    assert view.stream_source.name == "smss2_push"
    assert view.batch_source.name == "sms_features2_source"
    assert "smss2_push" in {source.name for source in store.list_data_sources()}
    assert {s.name for s in store.list_feature_services()} == {"labeled_sms_1", "labeled_sms_2"}


def test_materialize_fills_the_online_store_as_of_each_story_date(
    repo_2021: Path, online: OnlineStore
) -> None:
    offline = repo_2021.parent / "offline_data"
    features1 = pd.read_parquet(offline / "sms_features1.parquet").set_index("sms_id")
    features2 = pd.read_parquet(offline / "sms_features2.parquet").set_index("sms_id")
    ids = list(features1.index)
    store = online.sdk(repo_2021)
    assert _online(store, ids[:5])["cap_r"] == [None] * 5

    # At the end of 2019 the v1 features exist (2019-02-03) and the v2 ones do not (2020-06-01).
    online.cli(repo_2021, "materialize", "2019-01-01T00:00:00", "2020-01-01T00:00:00")
    values = _online(store, ids)
    assert values["cap_r"] == features1.loc[ids, "cap_r"].tolist()
    assert values["features"] == [None] * len(ids)

    # Catching up to 2021 loads what happened since, here the v2 features.
    online.cli(repo_2021, "materialize-incremental", "2021-01-01T00:00:00")
    values = _online(store, ids)
    assert values["features"] == [list(features2.loc[i, "features"]) for i in ids]
    assert values["cap_r"] == features1.loc[ids, "cap_r"].tolist()


def test_a_pushed_message_is_online_at_once_and_offline_for_training(
    repo_2021: Path, online: OnlineStore, tmp_path: Path
) -> None:
    sms_id = str(new_timeuuid())
    sent_at = timeuuid_datetime(UUID(sms_id))
    ids = [0] * 44 + [17, 2, 9, 33]
    with (
        feature_server(repo_2021, online.env, tmp_path, fs_yaml=online.yaml(repo_2021)) as server,
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
        # 202: online now, offline within a second (the yaml's offline push batching).
        assert pushed.status_code == 202, pushed.text
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

    # The same row was appended to the Parquet source by the server's offline writer, at the
    # latest when the server stopped, so a training set drawn after the message arrived holds
    # it, and one drawn before does not (Feast's file store then drops the row).
    store = online.sdk(repo_2021)

    def historical(moment: datetime) -> pd.DataFrame:
        entities = pd.DataFrame({"sms_id": [sms_id], "event_timestamp": [moment]})
        return store.get_historical_features(entity_df=entities, features=[V2_FEATURE]).to_df()

    later = historical(datetime(2030, 1, 1, tzinfo=UTC))
    assert [list(value) for value in later["features"]] == [ids]
    assert historical(sent_at - timedelta(days=1)).empty


def test_historical_retrieval_does_not_depend_on_the_online_store(
    repo_2021: Path, online: OnlineStore, feature_repo: Path
) -> None:
    # Training reads the offline store only: the same frame whichever online store is set up.
    features = ["sms_features1:cap_r", "sms_features1:nal_r", V2_FEATURE, "sms_labels:label"]
    offline = pd.read_parquet(feature_repo.parent / "offline_data" / "sms_labels.parquet")
    entities = pd.DataFrame(
        {"sms_id": offline["sms_id"], "event_timestamp": datetime(2020, 7, 1, tzinfo=UTC)}
    )

    def frame(store: FeatureStore) -> pd.DataFrame:
        retrieved = store.get_historical_features(entity_df=entities, features=features).to_df()
        retrieved["features"] = retrieved["features"].map(list)
        return retrieved.sort_values("sms_id").reset_index(drop=True)

    here = frame(online.sdk(repo_2021))
    reference = frame(SQLITE.sdk(feature_repo))
    assert len(here) == len(offline)
    pd.testing.assert_frame_equal(here, reference)
