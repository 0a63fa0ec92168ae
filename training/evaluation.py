"""How every spam model is scored: the same metrics for every version."""

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

SPAM = "spam"


def spam_metrics(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, float]:
    """Accuracy, and precision, recall and F1 of the spam class."""
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=[SPAM], average=None, zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "spam_precision": float(precision[0]),
        "spam_recall": float(recall[0]),
        "spam_f1": float(f1[0]),
    }


def best_threshold(is_spam: np.ndarray, spam_probability: np.ndarray) -> float:
    """The decision threshold, on a grid of 0.05 to 0.95 by 0.01, with the best spam F1 on
    these rows; of equally good ones, the closest to 0.5."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = [f1_score(is_spam, spam_probability >= t, zero_division=0) for t in grid]
    return float(max(zip(scores, -abs(grid - 0.5), grid, strict=True))[2])
