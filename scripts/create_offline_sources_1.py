"""Write the 2019 offline sources: ``sms_features1.parquet`` and ``sms_labels.parquet``.

The v1 features and the labels of every message in the raw corpus, with the event time
2019-02-03 00:00 UTC, the day the company first computed them. Beside them,
``sms_splits.parquet`` records the split of every labelled message (``analysis/splits.py``,
from its normalised text), which the training notebooks read.

    python scripts/create_offline_sources_1.py [--dataset CSV] [--output-dir DIR]
"""

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from analysis import corpus
from analysis.features1 import Features1Extractor
from analysis.features1.feature1_extractor import CUE_WORDS_METADATA
from analysis.offline_sources import (
    SPLITS_FILE,
    features_table,
    labels_table,
    splits_table,
    write_parquet,
)
from analysis.paths import OFFLINE_DATA_DIR, RAW_DATASET

EVENT_TIME_2019 = datetime(2019, 2, 3, tzinfo=UTC)

FEATURES1_SCHEMA = pa.schema(
    [("cap_r", pa.float64()), ("nal_r", pa.float64())]
    + [(f"cw_scores_{index}", pa.int64()) for index in range(7)]
)


def create_sources(dataset: Path, output_dir: Path) -> tuple[Path, Path, int]:
    """Write the features, the labels and the splits; return the paths of the first two and
    the number of messages."""
    frame = corpus.read_frame(dataset)
    extractor = Features1Extractor()
    features = features_table(frame, extractor, EVENT_TIME_2019, FEATURES1_SCHEMA)
    # The cue words these features were computed with travel with them: a model trained on
    # them records these, whatever cue_words.json says by then.
    features = features.replace_schema_metadata(
        {CUE_WORDS_METADATA: json.dumps(list(extractor.cue_words))}
    )
    features_path = write_parquet(features, output_dir / "sms_features1.parquet")
    labels_path = write_parquet(
        labels_table(frame, EVENT_TIME_2019), output_dir / "sms_labels.parquet"
    )
    write_parquet(splits_table(frame), output_dir / SPLITS_FILE)
    return features_path, labels_path, len(frame)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=RAW_DATASET)
    parser.add_argument("--output-dir", type=Path, default=OFFLINE_DATA_DIR)
    args = parser.parse_args(argv)
    if not args.dataset.is_file():
        print(
            f"create_offline_sources_1: {args.dataset} does not exist; "
            "run `python scripts/get_raw_data.py` first",
            file=sys.stderr,
        )
        return 2
    try:
        features_path, labels_path, rows = create_sources(args.dataset, args.output_dir)
    except corpus.CorpusError as error:
        print(f"create_offline_sources_1: {error}", file=sys.stderr)
        return 2
    print(f"wrote {rows} rows to {features_path} and {labels_path} (event time {EVENT_TIME_2019})")
    print(f"wrote the split of every message to {args.output_dir / SPLITS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
