"""Choose the seven cue words of the v1 features, reproducibly, from the training texts.

The story's first list (free, money, prize, win, won, winner, cash) describes prize-draw SMS
spam, but half of this corpus's spam is YouTube-comment spam ("check out my channel"), which it
misses. The choice here is made by measurement, on the training split only (the test split is
never looked at until the final report):

1. candidates: words in at least ``--min-count`` training texts that are more frequent in spam
   than in ham, ranked by chi² with the label; the top ``--candidates`` are kept;
2. greedy forward selection: starting from the two ratio features, add the candidate that most
   raises the cross-validated spam F1 of the v1 classifier, seven times (copies of a text stay
   in one fold).

Chi² alone picks near-synonyms (com, www, http all mark a link); the greedy step prefers a word
that adds information the chosen ones lack.

    python analysis/features1/select_cue_words.py [--dataset raw_data/raw_dataset.csv] [--write]

It prints the spam F1 on the test split of the story's list, the chi² top seven and the chosen
list, and with ``--write`` records the choice in ``cue_words.json``.
"""

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_selection import chi2
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score

from analysis import corpus
from analysis.atomic_files import atomic_output
from analysis.features1.classifier import build_classifier
from analysis.features1.feature1_extractor import (
    CUE_WORDS_FILE,
    NUM_CUE_WORDS,
    capital_ratio,
    non_alpha_ratio,
)
from analysis.paths import RAW_DATASET
from analysis.splits import split_frame, text_key
from analysis.text_cleaning import clean_text, words

STORY_CUE_WORDS = ("free", "money", "prize", "win", "won", "winner", "cash")
CV_FOLDS = 3
CV_SEED = 0


class _Texts:
    """Per-text facts computed once: the two ratio features and the set of words."""

    def __init__(self, texts: Sequence[str]) -> None:
        cleaned = [clean_text(text) for text in texts]
        self.word_sets = [set(words(text)) for text in cleaned]
        self.ratios = np.array([(capital_ratio(text), non_alpha_ratio(text)) for text in cleaned])

    def matrix(self, cue_words: Sequence[str]) -> np.ndarray:
        flags = [[word in present for word in cue_words] for present in self.word_sets]
        return np.column_stack([self.ratios, np.array(flags, dtype=float).reshape(len(flags), -1)])


def rank_candidates(texts: _Texts, is_spam: np.ndarray, min_count: int) -> list[tuple[str, float]]:
    """Spam-leaning words by decreasing chi² with the label."""
    counts = Counter(word for present in texts.word_sets for word in present)
    vocabulary = sorted(word for word, count in counts.items() if count >= min_count)
    presence = np.array(
        [[word in present for word in vocabulary] for present in texts.word_sets], dtype=float
    )
    scores, _ = chi2(presence, is_spam)
    leans_spam = presence[is_spam].mean(axis=0) > presence[~is_spam].mean(axis=0)
    ranked = sorted(
        (
            (word, float(score))
            for word, score, spammy in zip(vocabulary, scores, leans_spam, strict=True)
            if spammy
        ),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return ranked


def greedy_selection(
    texts: _Texts, is_spam: np.ndarray, candidates: Sequence[str], groups: Sequence[str]
) -> list[tuple[str, float]]:
    """Add, seven times, the candidate that most raises the cross-validated spam F1.

    ``groups`` holds each text's ``text_key``: copies of a text stay in one fold, as they stay
    on one side of the train/test split, so that no fold is scored on texts it trained on.
    """
    folds = list(
        StratifiedGroupKFold(CV_FOLDS, shuffle=True, random_state=CV_SEED).split(
            texts.ratios, is_spam, groups
        )
    )
    chosen: list[tuple[str, float]] = []
    for _ in range(NUM_CUE_WORDS):
        taken = [word for word, _ in chosen]
        best_word, best_score = "", -1.0
        for word in candidates:
            if word in taken:
                continue
            score = cross_val_score(
                build_classifier(), texts.matrix([*taken, word]), is_spam, cv=folds, scoring="f1"
            ).mean()
            if score > best_score:
                best_word, best_score = word, float(score)
        chosen.append((best_word, best_score))
    return chosen


def test_f1(
    train: _Texts, y_train: np.ndarray, test: _Texts, y_test: np.ndarray, cue_words: Sequence[str]
) -> float:
    """Spam F1 on the test split of the v1 classifier trained with ``cue_words``."""
    classifier = build_classifier().fit(train.matrix(cue_words), y_train)
    return float(f1_score(y_test, classifier.predict(test.matrix(cue_words))))


def select(frame: pd.DataFrame, min_count: int, pool_size: int) -> dict:
    """Run the whole analysis; return the record that ``--write`` stores."""
    train, test = split_frame(frame)
    y_train = (train["label"] == "spam").to_numpy()
    y_test = (test["label"] == "spam").to_numpy()
    if len(set(y_train)) < 2:
        raise ValueError("the training split needs both ham and spam")
    train_texts, test_texts = _Texts(train["text"].tolist()), _Texts(test["text"].tolist())
    ranked = rank_candidates(train_texts, y_train, min_count)
    if len(ranked) < NUM_CUE_WORDS:
        raise ValueError(f"only {len(ranked)} candidate words; lower --min-count")
    pool = [word for word, _ in ranked[:pool_size]]
    groups = [text_key(text) for text in train["text"]]
    chosen = greedy_selection(train_texts, y_train, pool, groups)
    cue_words = [word for word, _ in chosen]
    chi2_top = pool[:NUM_CUE_WORDS]
    return {
        "cue_words": cue_words,
        "method": (
            f"greedy forward selection by {CV_FOLDS}-fold cross-validated spam F1 of the v1 "
            f"classifier, over the {pool_size} spam-leaning words with the highest chi2 "
            f"(min count {min_count}), on the training split only, with copies of a text "
            "in one fold"
        ),
        "cross_validated_spam_f1_after_each_word": [round(score, 4) for _, score in chosen],
        "test_split_spam_f1": {
            "story_list": round(
                test_f1(train_texts, y_train, test_texts, y_test, STORY_CUE_WORDS), 4
            ),
            "chi2_top_7": round(test_f1(train_texts, y_train, test_texts, y_test, chi2_top), 4),
            "selected": round(test_f1(train_texts, y_train, test_texts, y_test, cue_words), 4),
        },
        "story_list": list(STORY_CUE_WORDS),
        "chi2_top_7": chi2_top,
        "rows": {"train": len(train), "test": len(test)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=RAW_DATASET)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--candidates", type=int, default=25)
    parser.add_argument(
        "--write", action="store_true", help=f"record the choice in {CUE_WORDS_FILE.name}"
    )
    parser.add_argument("--output", type=Path, default=CUE_WORDS_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        record = select(corpus.read_frame(args.dataset), args.min_count, args.candidates)
    except (OSError, corpus.CorpusError, ValueError) as error:
        print(f"select_cue_words: {error}", file=sys.stderr)
        return 2
    scores = record["test_split_spam_f1"]
    print(f"story list   {record['story_list']}: spam F1 {scores['story_list']:.3f}")
    print(f"chi2 top 7   {record['chi2_top_7']}: spam F1 {scores['chi2_top_7']:.3f}")
    print(f"selected     {record['cue_words']}: spam F1 {scores['selected']:.3f}")
    if args.write:
        with atomic_output(args.output) as partial:
            partial.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
