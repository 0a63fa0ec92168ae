"""Checks of the data itself, before any model sees it: schema, labels, the split.

    python -m analysis.data_checks [--dataset raw_data/raw_dataset.csv]
        [--splits offline_data/sms_splits.parquet]

It checks that the corpus has the ``sms_id,text,label`` schema with unique ids and the labels
``ham`` and ``spam``; that every split (``analysis/splits.py``) holds both labels; that no
normalised text is in two splits; and, given the recorded splits of the offline sources, that
they cover every message and agree with the texts. It prints the class balance of each split,
and exits with 1, naming every failed check, if any fails. `make features` runs it.
"""

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import corpus
from analysis.offline_sources import SPLITS_FILE, read_splits_file
from analysis.paths import OFFLINE_DATA_DIR, RAW_DATASET
from analysis.splits import SPLITS, corpus_splits, text_key


@dataclass
class DataReport:
    """What the checks found: failures (empty when all pass) and the class balance."""

    failures: list[str] = field(default_factory=list)
    balance: pd.DataFrame = field(default_factory=pd.DataFrame)
    shared_texts: int = 0

    @property
    def passed(self) -> bool:
        return not self.failures

    def balance_table(self) -> str:
        """Markdown: messages per split and label, and the share of spam."""
        lines = ["| split | ham | spam | spam share |", "|---|---|---|---|"]
        for split, row in self.balance.iterrows():
            total = row.sum()
            share = row.get("spam", 0) / total if total else 0.0
            lines.append(f"| {split} | {row.get('ham', 0)} | {row.get('spam', 0)} | {share:.1%} |")
        return "\n".join(lines)


def check_frame(frame: pd.DataFrame, recorded: pd.Series | None = None) -> DataReport:
    """Run every check on a corpus frame.

    ``recorded`` is ``sms_id`` → split as the offline sources hold it, which the training
    notebooks use: when given, the split checks apply to it, and it must agree with the split
    the texts give. Without it, they apply to the split the texts give.
    """
    report = DataReport()
    if tuple(frame.columns) != corpus.COLUMNS:
        report.failures.append(f"schema: columns {list(frame.columns)}, expected {corpus.COLUMNS}")
        return report
    for column in corpus.COLUMNS:
        if not frame[column].map(lambda value: isinstance(value, str)).all():
            report.failures.append(f"schema: {column} holds values that are not strings")
    if frame["sms_id"].duplicated().any():
        report.failures.append(f"schema: {int(frame['sms_id'].duplicated().sum())} duplicate ids")
    labels = set(frame["label"])
    if labels != set(corpus.LABELS):
        report.failures.append(f"labels: found {sorted(labels)}, expected {list(corpus.LABELS)}")
    if report.failures:
        return report

    computed = corpus_splits(frame)
    if recorded is None:
        names = frame["sms_id"].map(computed)
    else:
        missing_ids = sorted(set(frame["sms_id"]) - set(recorded.index))
        if missing_ids:
            report.failures.append(
                f"recorded split: {len(missing_ids)} messages have none "
                f"(first few: {missing_ids[:5]})"
            )
            return report
        names = frame["sms_id"].map(recorded)
        differ = int((names.to_numpy() != frame["sms_id"].map(computed).to_numpy()).sum())
        if differ:
            report.failures.append(
                f"recorded split: {differ} messages are recorded in another split than their "
                "text gives (re-run scripts/create_offline_sources_1.py)"
            )
    report.balance = (
        frame.groupby([names.rename("split"), "label"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=list(SPLITS), columns=list(corpus.LABELS), fill_value=0)
    )
    for split, row in report.balance.iterrows():
        missing = [label for label in corpus.LABELS if row[label] == 0]
        if missing:
            report.failures.append(f"balance: the {split} split has no {', '.join(missing)}")
    sides = frame.assign(split=names, key=frame["text"].map(text_key)).groupby("key")["split"]
    report.shared_texts = int((sides.nunique() > 1).sum())
    if report.shared_texts:
        report.failures.append(f"split: {report.shared_texts} normalised texts are in two splits")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=RAW_DATASET)
    parser.add_argument(
        "--splits",
        type=Path,
        default=None,
        help=f"recorded splits to check too, such as {OFFLINE_DATA_DIR.name}/{SPLITS_FILE}",
    )
    args = parser.parse_args(argv)
    try:
        frame = corpus.read_frame(args.dataset)
    except (OSError, corpus.CorpusError) as error:
        print(f"data_checks: {error}", file=sys.stderr)
        return 2
    try:
        recorded = read_splits_file(args.splits) if args.splits else None
    except (OSError, ValueError) as error:
        print(f"data_checks: {error}", file=sys.stderr)
        return 2
    report = check_frame(frame, recorded)
    print(f"{len(frame)} messages in {args.dataset}")
    if not report.balance.empty:
        print(report.balance_table())
    if recorded is not None:
        print(f"recorded splits checked: {args.splits}")
    if not report.passed:
        print("data checks failed:\n  " + "\n  ".join(report.failures), file=sys.stderr)
        return 1
    print("data checks passed: schema, labels, both labels in every split, no text in two splits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
