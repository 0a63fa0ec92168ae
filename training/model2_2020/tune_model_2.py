"""Measure the choices behind model v2, one change at a time, on the same split.

    python -m training.model2_2020.tune_model_2 [--dataset raw_data/raw_dataset.csv]

Each row fits a tokenizer on the training texts, trains the LSTM with early stopping (unless
the row says otherwise) and prints the spam F1 on the test split. It reads the raw corpus
directly, with the very code the feature store's offline source uses, to take minutes, not
many `feast apply` runs. Takes about five minutes on two cores.
"""

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis import corpus
from analysis.features2.tokenizer import SIGNALS, WORDS_ONLY, SmsTokenizer
from analysis.paths import RAW_DATASET
from analysis.splits import corpus_splits, split_frame
from training.model2_2020.model2 import Hyperparameters, train_and_evaluate
from training.token_networks import BIDIRECTIONAL_LSTM

CHOSEN = {"words": 4000, "length": 48, "standardization": SIGNALS}
BASE = Hyperparameters()

# (what changes, tokenizer settings, hyperparameters)
EXPERIMENTS: list[tuple[str, dict, Hyperparameters]] = [
    (
        "the story's settings: 180 words, length 30, 6 units, 3 epochs, plain words",
        {"words": 180, "length": 30, "standardization": WORDS_ONLY},
        replace(BASE, embedding_dim=6, units=6, max_epochs=3, patience=99),
    ),
    ("chosen: 4000 words, length 48, 32 units, signals", CHOSEN, BASE),
    ("plain words instead of signals", {**CHOSEN, "standardization": WORDS_ONLY}, BASE),
    ("vocabulary 2000", {**CHOSEN, "words": 2000}, BASE),
    ("length 32", {**CHOSEN, "length": 32}, BASE),
    ("length 64", {**CHOSEN, "length": 64}, BASE),
    ("64 units", CHOSEN, replace(BASE, embedding_dim=64, units=64)),
    ("dropout 0.1", CHOSEN, replace(BASE, dropout=0.1)),
    ("bidirectional LSTM", CHOSEN, replace(BASE, network=BIDIRECTIONAL_LSTM)),
    ("3 epochs, no early stopping", CHOSEN, replace(BASE, max_epochs=3, patience=99)),
]


def features_frame(raw: pd.DataFrame, tokenizer: SmsTokenizer) -> pd.DataFrame:
    return raw.assign(
        event_timestamp=pd.Timestamp("2020-06-01", tz="UTC"),
        features=[tokenizer.encode(text) for text in raw["text"]],
    )[["sms_id", "event_timestamp", "features", "label"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=RAW_DATASET)
    args = parser.parse_args(argv)
    raw = corpus.read_frame(args.dataset)
    splits = corpus_splits(raw)
    training_texts = split_frame(raw, splits)[0]["text"].tolist()
    print("| change | spam F1 | epochs | seconds |")
    print("|---|---|---|---|")
    for name, settings, hp in EXPERIMENTS:
        started = time.perf_counter()
        tokenizer = SmsTokenizer(
            settings["words"], settings["length"], standardization=settings["standardization"]
        ).fit(training_texts)
        trained = train_and_evaluate(features_frame(raw, tokenizer), tokenizer, hp, splits)
        seconds = time.perf_counter() - started
        print(
            f"| {name} | {trained.metrics['spam_f1']:.3f} | {trained.epochs_trained} "
            f"| {seconds:.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
