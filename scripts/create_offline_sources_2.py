"""Write the 2020 offline source ``sms_features2.parquet``: token ids of every message.

The event time is 2020-06-01 00:00 UTC, the day the company computed its new features; the
labels of ``sms_labels.parquet`` (2019) still apply. Run ``scripts/create_tokenizer_2.py`` first.

    python scripts/create_offline_sources_2.py [--dataset CSV] [--output-dir DIR] [--tokenizer JSON]
"""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from analysis import corpus
from analysis.features2 import Features2Extractor
from analysis.features2.feature2_extractor import TOKENIZER_FILE
from analysis.offline_sources import features_table, write_parquet
from analysis.paths import OFFLINE_DATA_DIR, RAW_DATASET

EVENT_TIME_2020 = datetime(2020, 6, 1, tzinfo=UTC)
# Written beside the Parquet file each time this script writes it. Pushes to smss2_push append to
# the file later, so its own date cannot tell make whether the models trained on it are current;
# this stamp's date can, whether the script ran from make or by hand as in the README.
WRITTEN_STAMP = ".sms_features2.written"
FEATURES2_SCHEMA = pa.schema([("features", pa.list_(pa.int64()))])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=RAW_DATASET)
    parser.add_argument("--output-dir", type=Path, default=OFFLINE_DATA_DIR)
    parser.add_argument("--tokenizer", type=Path, default=TOKENIZER_FILE)
    args = parser.parse_args(argv)
    try:
        extractor = Features2Extractor.from_file(args.tokenizer)
        frame = corpus.read_frame(args.dataset)
    except (FileNotFoundError, corpus.CorpusError) as error:
        print(f"create_offline_sources_2: {error}", file=sys.stderr)
        return 2
    table = features_table(frame, extractor, EVENT_TIME_2020, FEATURES2_SCHEMA)
    path = write_parquet(table, args.output_dir / "sms_features2.parquet")
    (args.output_dir / WRITTEN_STAMP).touch()
    print(f"wrote {len(frame)} rows to {path} (event time {EVENT_TIME_2020})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
