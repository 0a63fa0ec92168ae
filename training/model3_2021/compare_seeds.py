"""Is the bidirectional LSTM better than v2's, or was it one lucky run? Several seeds each.

    python -m training.model3_2021.compare_seeds [--dataset raw_data/raw_dataset.csv] [--seeds 3]

Both models get the same tokenizer, split and training loop, and differ only in the LSTM's
direction and in the seed, so the spread across seeds shows the noise. Like
``tune_model_2.py`` it reads the raw corpus with the offline source's own code, to take minutes.
"""

import argparse
import statistics
import sys
from dataclasses import replace
from pathlib import Path

from analysis import corpus
from analysis.features2.tokenizer import SIGNALS, SmsTokenizer
from analysis.paths import RAW_DATASET
from analysis.splits import split_frame
from training.model2_2020.model2 import Hyperparameters, train_and_evaluate
from training.model2_2020.tune_model_2 import features_frame

CANDIDATES = {
    "v2: LSTM": Hyperparameters(),
    "v3: bidirectional LSTM": replace(Hyperparameters(), bidirectional=True),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=RAW_DATASET)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    raw = corpus.read_frame(args.dataset)
    tokenizer = SmsTokenizer(4000, 48, standardization=SIGNALS).fit(
        split_frame(raw)[0]["text"].tolist()
    )
    frame = features_frame(raw, tokenizer)
    seeds = [2021 + offset for offset in range(args.seeds)]
    print(f"| model | {' | '.join(f'seed {seed}' for seed in seeds)} | mean | spread |")
    print(f"|---|{'---|' * len(seeds)}---|---|")
    for name, hyperparameters in CANDIDATES.items():
        scores = [
            train_and_evaluate(frame, tokenizer, replace(hyperparameters, seed=seed)).metrics[
                "spam_f1"
            ]
            for seed in seeds
        ]
        cells = " | ".join(f"{score:.3f}" for score in scores)
        print(
            f"| {name} | {cells} | {statistics.mean(scores):.3f} "
            f"| {max(scores) - min(scores):.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
