"""How every spam model is scored: the same metrics for every version."""

from collections.abc import Sequence

from sklearn.metrics import accuracy_score, precision_recall_fscore_support

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
