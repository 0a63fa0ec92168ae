"""Turning the corpus into the Parquet files behind Feast's offline store.

Each story stage writes its features with one event time, the day they were computed. Historical
retrieval later asks "what did we know at date T?", so the event time decides which models could
have seen which features.
"""

from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.atomic_files import atomic_output
from analysis.feature_extractor import FeatureExtractor
from analysis.splits import SPLITS, corpus_splits

EVENT_TIMESTAMP = "event_timestamp"
ENTITY_KEY = "sms_id"
SPLIT = "split"
SPLITS_FILE = "sms_splits.parquet"
"""Beside the labels: the split of every labelled message. Not a feature source (Feast does not
read it); the training notebooks do, because the features carry no text to compute it from."""


def event_timestamps(at: datetime, rows: int) -> pa.Array:
    """``rows`` copies of ``at`` as a UTC timestamp column with microsecond precision."""
    if at.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    return pa.array([at] * rows, type=pa.timestamp("us", tz="UTC"))


def features_table(
    corpus: pd.DataFrame, extractor: FeatureExtractor, at: datetime, schema: pa.Schema
) -> pa.Table:
    """One row per message: its id, the event time and the extractor's features."""
    columns = {
        ENTITY_KEY: pa.array(corpus[ENTITY_KEY].tolist(), pa.string()),
        EVENT_TIMESTAMP: event_timestamps(at, len(corpus)),
    }
    named = [extractor.features(text) for text in corpus["text"]]
    for name in extractor.feature_names:
        columns[name] = pa.array([row[name] for row in named], schema.field(name).type)
    return pa.table(columns)


def labels_table(corpus: pd.DataFrame, at: datetime) -> pa.Table:
    """One row per message: its id, the event time and its label."""
    return pa.table(
        {
            ENTITY_KEY: pa.array(corpus[ENTITY_KEY].tolist(), pa.string()),
            EVENT_TIMESTAMP: event_timestamps(at, len(corpus)),
            "label": pa.array(corpus["label"].tolist(), pa.string()),
        }
    )


def splits_table(corpus: pd.DataFrame) -> pa.Table:
    """One row per message: its id and its split (``analysis.splits``), from its text."""
    splits = corpus_splits(corpus)
    return pa.table(
        {
            ENTITY_KEY: pa.array(splits.index.tolist(), pa.string()),
            SPLIT: pa.array(splits.tolist(), pa.string()),
        }
    )


def read_splits_file(path: Path) -> pd.Series:
    """The split file that ``splits_table`` describes, as ``sms_id`` → split name."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run scripts/create_offline_sources_1.py")
    table = pd.read_parquet(path, columns=[ENTITY_KEY, SPLIT])
    unknown = set(table[SPLIT]) - set(SPLITS)
    if unknown:
        raise ValueError(f"{path}: unknown split names {sorted(unknown)}; expected {SPLITS}")
    if table[ENTITY_KEY].duplicated().any():
        raise ValueError(f"{path}: an id is recorded twice")
    return table.set_index(ENTITY_KEY)[SPLIT]


def write_parquet(table: pa.Table, path: Path) -> Path:
    """Write ``table`` to ``path`` atomically."""
    with atomic_output(path) as partial:
        pq.write_table(table, partial)
    return path
