"""The feature repo through the real Feast CLI and SDK, on the embedded default."""

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from feast import FeatureStore
from feast.repo_config import load_repo_config

from analysis import corpus, data_checks
from analysis.features1 import Features1Extractor
from analysis.features2.tokenizer import SmsTokenizer
from analysis.paths import FEATURE_REPO_DIR
from tests.support.feature_store import FEAST, copy_feature_repo, run
from training.historical import RetrievalError, labelled_ids, read_splits, retrieve_training_frame

pytestmark = pytest.mark.integration


def test_offline_sources_have_the_documented_schema(feature_repo: Path, corpus_csv: Path) -> None:
    offline = feature_repo.parent / "offline_data"
    features = pq.read_table(offline / "sms_features1.parquet")
    labels = pq.read_table(offline / "sms_labels.parquet")
    assert features.schema.field("event_timestamp").type.unit == "us"
    assert str(features.schema.field("event_timestamp").type.tz) == "UTC"
    assert features.column_names == [
        "sms_id",
        "event_timestamp",
        *Features1Extractor().feature_names,
    ]
    assert labels.column_names == ["sms_id", "event_timestamp", "label"]
    times = set(features.column("event_timestamp").to_pylist())
    assert times == {datetime(2019, 2, 3, tzinfo=UTC)}
    assert features.num_rows == labels.num_rows == len(corpus.read_messages(corpus_csv))
    # The stamp make reads: written with the v2 file, also when the script runs by hand.
    written = offline / ".sms_features2.written"
    assert written.stat().st_mtime >= (offline / "sms_features2.parquet").stat().st_mtime


def test_the_split_of_every_labelled_message_is_recorded(
    feature_repo: Path, corpus_csv: Path
) -> None:
    store = FeatureStore(repo_path=str(feature_repo))
    recorded = read_splits(store)
    assert sorted(recorded.index) == labelled_ids(store)
    assert data_checks.check_frame(corpus.read_frame(corpus_csv), recorded).failures == []


def test_apply_registers_the_objects_of_both_stages(feature_repo: Path) -> None:
    store = FeatureStore(repo_path=str(feature_repo))
    assert store.project == "sms_spam_store"
    assert [e.name for e in store.list_entities()] == ["sms"]
    assert store.get_entity("sms").join_key == "sms_id"
    views = {view.name: view for view in store.list_feature_views()}
    assert set(views) == {"sms_features1", "sms_labels", "sms_features2"}
    assert str(views["sms_features2"].features[0].dtype) == "Array(Int64)"
    assert [
        p.name for p in store.get_feature_service("labeled_sms_2").feature_view_projections
    ] == [
        "sms_features2",
        "sms_labels",
    ]
    assert [f.name for f in views["sms_features1"].features] == list(
        Features1Extractor().feature_names
    )
    assert all(f.description for view in views.values() for f in view.features)
    service = store.get_feature_service("labeled_sms_1")
    assert [p.name for p in service.feature_view_projections] == ["sms_features1", "sms_labels"]
    listed = run([str(FEAST), "-c", str(feature_repo), "feature-services", "list"])
    assert "labeled_sms_1" in listed.stdout


def test_historical_retrieval_returns_every_row_with_its_values(
    feature_repo: Path, corpus_csv: Path
) -> None:
    store = FeatureStore(repo_path=str(feature_repo))
    messages = {m.sms_id: m for m in corpus.read_messages(corpus_csv)}
    ids = labelled_ids(store)
    assert ids == sorted(messages)
    frame = retrieve_training_frame(store, "labeled_sms_1", ids, datetime(2019, 5, 5, tzinfo=UTC))
    assert len(frame) == len(messages)
    assert frame["sms_id"].tolist() == sorted(messages)
    extractor = Features1Extractor()
    for row in frame.sample(25, random_state=1).itertuples(index=False):
        message = messages[row.sms_id]
        assert row.label == message.label
        assert [getattr(row, name) for name in extractor.feature_names] == pytest.approx(
            extractor.vector(message.text)
        )


def test_retrieval_before_the_features_existed_is_refused(feature_repo: Path) -> None:
    # On 2019-01-05 no feature had been computed: Feast's file store would silently return
    # fewer rows, and the retrieval helper must say so instead.
    store = FeatureStore(repo_path=str(feature_repo))
    with pytest.raises(RetrievalError, match="asked for 3 rows, got 0"):
        retrieve_training_frame(
            store, "labeled_sms_1", labelled_ids(store)[:3], datetime(2019, 1, 5, tzinfo=UTC)
        )


def test_stage_2020_adds_to_2019_and_2019_rewinds(feature_repo: Path, tmp_path: Path) -> None:
    repo = copy_feature_repo(tmp_path)
    shutil.copytree(feature_repo.parent / "offline_data", tmp_path / "offline_data")
    run([str(FEAST), "-c", str(repo), "apply"], FEAST_STORE_STAGE="2019")
    store = FeatureStore(repo_path=str(repo))
    before = store.get_feature_view("sms_features1")
    assert {v.name for v in store.list_feature_views()} == {"sms_features1", "sms_labels"}
    run([str(FEAST), "-c", str(repo), "apply"], FEAST_STORE_STAGE="2020")
    store = FeatureStore(repo_path=str(repo))
    assert {v.name for v in store.list_feature_views()} == {
        "sms_features1",
        "sms_labels",
        "sms_features2",
    }
    assert store.get_feature_view("sms_features1") == before  # untouched by the new stage
    run([str(FEAST), "-c", str(repo), "apply"], FEAST_STORE_STAGE="2019")
    store = FeatureStore(repo_path=str(repo))
    assert {s.name for s in store.list_feature_services()} == {"labeled_sms_1"}


def test_historical_retrieval_of_token_ids(feature_repo: Path) -> None:
    store = FeatureStore(repo_path=str(feature_repo))
    tokenizer = SmsTokenizer.load(
        feature_repo.parent / "models" / "model2_2020" / "tokenizer" / "tokenizer.json"
    )
    ids = labelled_ids(store)
    frame = retrieve_training_frame(store, "labeled_sms_2", ids, datetime(2020, 7, 2, tzinfo=UTC))
    assert len(frame) == len(ids)
    assert list(frame.columns) == ["sms_id", "event_timestamp", "features", "label"]
    assert frame["features"].map(len).eq(tokenizer.max_seq_length).all()
    # Before 2020-06-01 the token ids did not exist yet.
    with pytest.raises(RetrievalError):
        retrieve_training_frame(store, "labeled_sms_2", ids[:2], datetime(2020, 5, 1, tzinfo=UTC))


def test_an_unknown_stage_is_refused(tmp_path: Path) -> None:
    repo = copy_feature_repo(tmp_path)
    result = subprocess.run(
        [str(FEAST), "-c", str(repo), "apply"],
        capture_output=True,
        text=True,
        env={"PATH": str(Path(sys.executable).parent), "FEAST_STORE_STAGE": "1999"},
    )
    assert result.returncode != 0
    assert "FEAST_STORE_STAGE='1999' is not a story stage" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("yaml_name", "env", "expected"),
    [
        (
            "feature_store.cassandra.yaml",
            {
                "CASSANDRA_HOSTS": "10.1.2.3,10.1.2.4",
                "CASSANDRA_PORT": "9042",
                "CASSANDRA_KEYSPACE": "sms_spam",
                "CASSANDRA_USERNAME": "",
                "CASSANDRA_PASSWORD": "",
            },
            {
                "hosts": ["10.1.2.3", "10.1.2.4"],
                "port": 9042,
                "keyspace": "sms_spam",
                "username": None,
                "secure_bundle_path": None,
            },
        ),
        (
            "feature_store.astra.yaml",
            {
                "ASTRA_DB_SECURE_BUNDLE_PATH": "/secrets/bundle.zip",
                "CASSANDRA_KEYSPACE": "sms_spam",
                "ASTRA_DB_APPLICATION_TOKEN": "AstraCS:not-a-real-token",
            },
            {
                "hosts": None,
                "secure_bundle_path": "/secrets/bundle.zip",
                "username": "token",
                "password": "AstraCS:not-a-real-token",
                "keyspace": "sms_spam",
            },
        ),
    ],
)
def test_cassandra_yamls_take_everything_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, yaml_name: str, env: dict, expected: dict
) -> None:
    # Configuration only: this machine has no Cassandra server, so nothing connects here.
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_repo_config(FEATURE_REPO_DIR, FEATURE_REPO_DIR / yaml_name)
    assert config.project == "sms_spam_store"
    assert config.online_store.type == "cassandra"
    for field, value in expected.items():
        assert getattr(config.online_store, field) == value
    assert config.offline_store.type == "file"


def test_historical_frame_is_a_dataframe_with_the_service_columns(feature_repo: Path) -> None:
    store = FeatureStore(repo_path=str(feature_repo))
    frame = retrieve_training_frame(
        store, "labeled_sms_1", labelled_ids(store)[:10], datetime(2019, 5, 5, tzinfo=UTC)
    )
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [
        "sms_id",
        "event_timestamp",
        *Features1Extractor().feature_names,
        "label",
    ]
