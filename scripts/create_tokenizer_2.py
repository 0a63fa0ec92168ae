"""Fit the v2 tokenizer on the training texts and save it under models/model2_2020/tokenizer/.

    python scripts/create_tokenizer_2.py [--max-num-words 4000] [--max-seq-length 48]

Only the training split is read (analysis/splits.py), so the test split stays unseen. It prints
what the settings cover, the measurements behind the defaults:

- MAX_SEQ_LENGTH 48: 95% of the training texts have at most 43 tokens, so 48 keeps nearly every
  text whole while the LSTM runs over few padded steps;
- MAX_NUM_WORDS 4000: every token seen at least twice in the training texts fits (about 3,700 on
  the real corpus); a token seen once cannot be learned from anyway.
"""

import argparse
import statistics
import sys
from pathlib import Path

from analysis import corpus
from analysis.features2.feature2_extractor import TOKENIZER_FILE
from analysis.features2.tokenizer import OOV_ID, PAD_ID, SmsTokenizer
from analysis.paths import RAW_DATASET
from analysis.splits import split_frame

MAX_NUM_WORDS = 4000
MAX_SEQ_LENGTH = 48


def training_texts(dataset: Path) -> list[str]:
    """The texts of the training split: the only ones the tokenizer may learn from."""
    return split_frame(corpus.read_frame(dataset))[0]["text"].tolist()


def coverage_report(tokenizer: SmsTokenizer, texts: list[str]) -> str:
    lengths = [len(tokenizer.ids(text)) for text in texts]
    ids = [i for text in texts for i in tokenizer.ids(text)]
    whole = sum(length <= tokenizer.max_seq_length for length in lengths) / len(lengths)
    known = sum(i != OOV_ID for i in ids) / max(len(ids), 1)
    padded = [tokenizer.encode(text) for text in texts]
    padding = sum(i == PAD_ID for row in padded for i in row) / (
        len(padded) * tokenizer.max_seq_length
    )
    quantiles = statistics.quantiles(lengths, n=20)
    return (
        f"vocabulary: {len(tokenizer.vocabulary)} tokens (+ padding and unknown)\n"
        f"tokens per text: median {statistics.median(lengths):.0f}, 95th percentile "
        f"{quantiles[-1]:.0f}, max {max(lengths)}\n"
        f"texts kept whole at length {tokenizer.max_seq_length}: {whole:.1%}\n"
        f"token occurrences in the vocabulary: {known:.1%}\n"
        f"share of padding in the sequences: {padding:.1%}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=RAW_DATASET)
    parser.add_argument("--max-num-words", type=int, default=MAX_NUM_WORDS)
    parser.add_argument("--max-seq-length", type=int, default=MAX_SEQ_LENGTH)
    parser.add_argument("--output", type=Path, default=TOKENIZER_FILE)
    args = parser.parse_args(argv)
    if not args.dataset.is_file():
        print(
            f"create_tokenizer_2: {args.dataset} does not exist; run scripts/get_raw_data.py",
            file=sys.stderr,
        )
        return 2
    try:
        texts = training_texts(args.dataset)
    except corpus.CorpusError as error:
        print(f"create_tokenizer_2: {error}", file=sys.stderr)
        return 2
    tokenizer = SmsTokenizer(args.max_num_words, args.max_seq_length).fit(texts)
    tokenizer.save(args.output)
    print(coverage_report(tokenizer, texts))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
