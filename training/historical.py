"""Point-in-time training sets from Feast."""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd
from feast import FeatureStore, FileSource

from analysis.offline_sources import ENTITY_KEY, EVENT_TIMESTAMP, SPLITS_FILE, read_splits_file


class RetrievalError(RuntimeError):
    """Historical retrieval did not return one row per requested entity."""


def entity_rows(sms_ids: Sequence[str], at: datetime) -> pd.DataFrame:
    """An entity DataFrame asking for every id as it was known at ``at``."""
    if at.tzinfo is None:
        raise ValueError("the time-freeze must be timezone-aware")
    return pd.DataFrame({ENTITY_KEY: list(sms_ids), EVENT_TIMESTAMP: pd.Timestamp(at)})


def retrieve_training_frame(
    store: FeatureStore, feature_service: str, sms_ids: Sequence[str], at: datetime
) -> pd.DataFrame:
    """The features and labels of ``sms_ids`` as of ``at``, one row per id, sorted by id.

    Feast's file offline store silently drops an entity row for which no feature row exists in
    the time window, and it does not keep the request order; both are checked here, so that a
    training set is never quietly smaller than asked for.
    """
    requested = entity_rows(sms_ids, at)
    if requested[ENTITY_KEY].duplicated().any():
        raise ValueError("the requested ids contain duplicates")
    frame = store.get_historical_features(
        entity_df=requested, features=store.get_feature_service(feature_service)
    ).to_df()
    if len(frame) != len(requested):
        missing = set(requested[ENTITY_KEY]) - set(frame[ENTITY_KEY])
        raise RetrievalError(
            f"{feature_service} at {at.isoformat()}: asked for {len(requested)} rows, "
            f"got {len(frame)}; {len(missing)} ids have no features in the time window "
            f"(first few: {sorted(missing)[:5]})"
        )
    missing_values = frame.drop(columns=[EVENT_TIMESTAMP]).isna().any(axis=1)
    if missing_values.any():
        raise RetrievalError(
            f"{feature_service} at {at.isoformat()}: {int(missing_values.sum())} rows "
            "have missing feature values"
        )
    return frame.sort_values(ENTITY_KEY, kind="stable").reset_index(drop=True)


def _labels_path(store: FeatureStore, labels_view: str) -> Path:
    source = store.get_feature_view(labels_view).batch_source
    if not isinstance(source, FileSource):
        raise TypeError(f"{labels_view} is not backed by a Parquet file source")
    return Path(FileSource.get_uri_for_file_path(store.repo_path, source.path))


def labelled_ids(store: FeatureStore, labels_view: str = "sms_labels") -> list[str]:
    """Every id that has a label in the offline store, read from the view's Parquet source."""
    ids = pd.read_parquet(_labels_path(store, labels_view), columns=[ENTITY_KEY])[ENTITY_KEY]
    return sorted(ids.unique().tolist())


def read_splits(store: FeatureStore, labels_view: str = "sms_labels") -> pd.Series:
    """The split of every labelled message (``sms_id`` → ``train``, ``validation`` or
    ``test``), as ``scripts/create_offline_sources_1.py`` recorded it beside the labels."""
    return read_splits_file(_labels_path(store, labels_view).with_name(SPLITS_FILE))


def feature_columns(frame: pd.DataFrame, label: str = "label") -> list[str]:
    """The feature columns of a retrieved frame, in the feature service's order."""
    return [name for name in frame.columns if name not in (ENTITY_KEY, EVENT_TIMESTAMP, label)]
