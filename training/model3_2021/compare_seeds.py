"""Which network should v3 be? Every candidate over several seeds, on the same split.

    python -m training.model3_2021.compare_seeds [--dataset raw_data/raw_dataset.csv]
        [--seeds 3] [--only NAME ...]

Every row trains on the train split, stops early on the validation split and is scored on the
test split (``analysis/splits.py``: no text is on two sides), once per seed. It prints one line
per model and seed (spam F1, precision, recall), then the mean and the spread (best minus
worst) of each model, and whether v3 beats v2 by more than the spread between seeds.

The rows:

- model v1 and model v2 as their notebooks train them, and the story's original v3, v2's
  features read by a bidirectional LSTM;
- other networks over the same token ids, and model v3: five embedding bags, averaged;
- model v3 with balanced class weights, and with the decision threshold that gives the best
  spam F1 on the validation split (the same runs as v3, scored at that threshold);
- model v3 reading the nine v1 features beside the token ids, as a feature service joining
  ``sms_features1`` and ``sms_features2`` would serve them;
- two references that are not models of the feature store: a logistic regression on the bag of
  token ids (the v2 features, order ignored), and a linear model on character n-grams of the
  text, features the store does not have.

Like ``tune_model_2.py`` it reads the raw corpus with the offline sources' own code, so that it
takes minutes rather than many ``feast apply`` runs: about twelve on two cores. The v3 notebook
runs the v2 and v3 rows on the feature store's training set, and gets the same numbers.
"""

import argparse
import os
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from analysis import corpus
from analysis.features1 import Features1Extractor
from analysis.features2.tokenizer import PAD_ID, SIGNALS, SmsTokenizer
from analysis.paths import RAW_DATASET
from analysis.splits import TEST, VALIDATION, corpus_splits, split_frame, splits_of
from analysis.text_cleaning import clean_text
from training.evaluation import spam_metrics
from training.model1_2019 import model1
from training.model2_2020.model2 import Hyperparameters, TrainedModel, train_and_evaluate
from training.model3_2021.model3 import HYPERPARAMETERS, SEEDS
from training.token_networks import BIDIRECTIONAL_LSTM, CONVOLUTION, GRU

V2_NAME = "v2: LSTM"
V3_NAME = "v3: five embedding bags, averaged"


@dataclass(frozen=True)
class TokenCandidate:
    """A network over the v2 token ids, trained by model v2's code."""

    name: str
    hyperparameters: Hyperparameters
    extra_columns: tuple[str, ...] = ()


V2 = TokenCandidate(V2_NAME, Hyperparameters())
V3 = TokenCandidate(V3_NAME, HYPERPARAMETERS)
TOKEN_CANDIDATES = (
    V2,
    TokenCandidate(
        "the story's v3: bidirectional LSTM", replace(Hyperparameters(), network=BIDIRECTIONAL_LSTM)
    ),
    TokenCandidate("GRU", replace(Hyperparameters(), network=GRU)),
    TokenCandidate(
        "1-D convolution, 64 filters", replace(Hyperparameters(), network=CONVOLUTION, units=64)
    ),
    TokenCandidate("one embedding bag", replace(HYPERPARAMETERS, members=1)),
    V3,
    TokenCandidate("v3 with balanced class weights", replace(HYPERPARAMETERS, class_weights=True)),
    TokenCandidate(
        "v3 reading the v1 features too",
        HYPERPARAMETERS,
        extra_columns=tuple(Features1Extractor().feature_names),
    ),
)
THRESHOLD_NAME = "v3 with a threshold chosen on validation"
V1_NAME = "v1: boosted trees on the nine v1 features"
BAG_OF_IDS_NAME = "reference: logistic regression on the bag of token ids"
CHAR_NGRAMS_NAME = "reference: linear model on character n-grams (not in the store)"
ALL_NAMES = (
    V1_NAME,
    *(candidate.name for candidate in TOKEN_CANDIDATES),
    THRESHOLD_NAME,
    BAG_OF_IDS_NAME,
    CHAR_NGRAMS_NAME,
)


@dataclass(frozen=True)
class SeedRun:
    """The test-split scores of one model trained with one seed."""

    model: str
    seed: int
    metrics: dict[str, float]


@dataclass(frozen=True)
class Summary:
    model: str
    mean_f1: float
    spread: float
    mean_precision: float
    mean_recall: float


def train_over_seeds(
    frame: pd.DataFrame,
    tokenizer: SmsTokenizer,
    splits: pd.Series | None,
    candidate: TokenCandidate,
    seeds: Sequence[int],
    max_epochs: int | None = None,
) -> list[tuple[SeedRun, TrainedModel]]:
    """Train ``candidate`` once per seed on ``frame`` (v2 features and labels, and its extra
    columns); ``max_epochs`` caps the epochs (the tests use it)."""
    results = []
    for seed in seeds:
        hyperparameters = replace(candidate.hyperparameters, seed=seed)
        if max_epochs is not None:
            hyperparameters = replace(hyperparameters, max_epochs=max_epochs)
        trained = train_and_evaluate(
            frame, tokenizer, hyperparameters, splits, extra_columns=candidate.extra_columns
        )
        results.append((SeedRun(candidate.name, seed, trained.metrics), trained))
    return results


def summarise(runs: Sequence[SeedRun]) -> list[Summary]:
    """Mean scores and the spread of the spam F1 (best minus worst seed), per model, in the
    order the models first appear."""
    names = list(dict.fromkeys(run.model for run in runs))
    summaries = []
    for name in names:
        mine = [run.metrics for run in runs if run.model == name]
        f1 = [metrics["spam_f1"] for metrics in mine]
        summaries.append(
            Summary(
                model=name,
                mean_f1=statistics.mean(f1),
                spread=max(f1) - min(f1),
                mean_precision=statistics.mean(m["spam_precision"] for m in mine),
                mean_recall=statistics.mean(m["spam_recall"] for m in mine),
            )
        )
    return summaries


def runs_table(runs: Sequence[SeedRun]) -> str:
    """Markdown: one row per model and seed."""
    lines = ["| model | seed | spam F1 | precision | recall |", "|---|---|---|---|---|"]
    lines += [
        f"| {run.model} | {run.seed} | {run.metrics['spam_f1']:.3f} "
        f"| {run.metrics['spam_precision']:.3f} | {run.metrics['spam_recall']:.3f} |"
        for run in runs
    ]
    return "\n".join(lines)


def summary_table(summaries: Sequence[Summary]) -> str:
    """Markdown: one row per model, means over the seeds and the spread of the spam F1."""
    lines = [
        "| model | mean spam F1 | spread | mean precision | mean recall |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {s.model} | {s.mean_f1:.3f} | {s.spread:.3f} | {s.mean_precision:.3f} "
        f"| {s.mean_recall:.3f} |"
        for s in summaries
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Verdict:
    """Is v3 clearly better than v2?"""

    gain: float
    spread: float
    v3_mean_f1: float

    @property
    def clearly_better(self) -> bool:
        """A gain larger than either model's spread between seeds."""
        return self.gain > self.spread

    def sentence(self) -> str:
        answer = "yes" if self.clearly_better else "no"
        return (
            f"v3 minus v2: {self.gain:+.3f} mean spam F1; the larger spread between seeds: "
            f"{self.spread:.3f}; v3 clearly better: {answer} (v3 mean {self.v3_mean_f1:.3f})"
        )


def verdict(summaries: Sequence[Summary], v2: str = V2_NAME, v3: str = V3_NAME) -> Verdict:
    by_name = {s.model: s for s in summaries}
    return Verdict(
        gain=by_name[v3].mean_f1 - by_name[v2].mean_f1,
        spread=max(by_name[v2].spread, by_name[v3].spread),
        v3_mean_f1=by_name[v3].mean_f1,
    )


def comparison_record(runs: Sequence[SeedRun]) -> dict:
    """The comparison as the v3 model card keeps it."""
    summaries = summarise(runs)
    return {
        "runs": [{"model": run.model, "seed": run.seed, "metrics": run.metrics} for run in runs],
        "summary": [asdict(s) for s in summaries],
        "v3_minus_v2": asdict(verdict(summaries)),
    }


def corpus_frame(raw: pd.DataFrame, tokenizer: SmsTokenizer) -> pd.DataFrame:
    """What the feature store holds for each message, computed directly: the v1 features,
    the v2 token ids and the label, with the text kept for the references; sorted by id, as
    historical retrieval returns it."""
    extractor = Features1Extractor()
    v1 = pd.DataFrame(
        extractor.vectors(raw["text"]), columns=extractor.feature_names, index=raw.index
    )
    return (
        pd.concat([raw, v1], axis=1)
        .assign(features=[tokenizer.encode(text) for text in raw["text"]])
        .sort_values("sms_id", kind="stable")
        .reset_index(drop=True)
    )


def _linear_reference(
    frame: pd.DataFrame,
    splits: pd.Series,
    name: str,
    seed: int,
    documents: Callable[[pd.DataFrame], list[str]],
    vectorizer: CountVectorizer,
    classifier: LogisticRegression | LinearSVC,
) -> SeedRun:
    train, test = split_frame(frame, splits)
    model = classifier.set_params(random_state=seed)
    model.fit(vectorizer.fit_transform(documents(train)), train["label"])
    predicted = model.predict(vectorizer.transform(documents(test)))
    return SeedRun(name, seed, spam_metrics(test["label"].tolist(), list(predicted)))


def _token_documents(part: pd.DataFrame) -> list[str]:
    return [" ".join(str(i) for i in ids if i != PAD_ID) for ids in part["features"]]


def _text_documents(part: pd.DataFrame) -> list[str]:
    return [clean_text(text) for text in part["text"]]


def compare(
    raw: pd.DataFrame,
    seeds: Sequence[int],
    only: Sequence[str] = (),
    max_epochs: int | None = None,
) -> list[SeedRun]:
    """Every row named in ``only`` (all by default), trained once per seed on ``raw``;
    ``max_epochs`` caps the epochs of the networks."""
    wanted = set(only or ALL_NAMES)
    splits = corpus_splits(raw)
    tokenizer = SmsTokenizer(4000, 48, standardization=SIGNALS).fit(
        split_frame(raw, splits)[0]["text"].tolist()
    )
    frame = corpus_frame(raw, tokenizer)
    runs: list[SeedRun] = []

    def report(new: list[SeedRun]) -> None:
        for run in new:
            print(
                f"  {run.model}, seed {run.seed}: spam F1 {run.metrics['spam_f1']:.3f}",
                file=sys.stderr,
                flush=True,
            )
        runs.extend(new)

    if V1_NAME in wanted:
        names = list(Features1Extractor().feature_names)
        v1_frame = frame[["sms_id", *names, "label"]].assign(event_timestamp=pd.NaT)
        report(
            [
                SeedRun(
                    V1_NAME, seed, model1.train_and_evaluate(v1_frame, names, splits, seed).metrics
                )
                for seed in seeds
            ]
        )
    for candidate in TOKEN_CANDIDATES:
        with_threshold = candidate is V3 and THRESHOLD_NAME in wanted
        if candidate.name not in wanted and not with_threshold:
            continue
        results = train_over_seeds(frame, tokenizer, splits, candidate, seeds, max_epochs)
        if candidate.name in wanted:
            report([run for run, _ in results])
        if with_threshold:
            report(
                [
                    SeedRun(THRESHOLD_NAME, run.seed, trained.metrics_at_validation_threshold)
                    for run, trained in results
                ]
            )
    if BAG_OF_IDS_NAME in wanted:
        report(
            [
                _linear_reference(
                    frame,
                    splits,
                    BAG_OF_IDS_NAME,
                    seed,
                    _token_documents,
                    CountVectorizer(binary=True, token_pattern=r"\S+"),  # noqa: S106 (a regex)
                    LogisticRegression(C=1.0, max_iter=3000),
                )
                for seed in seeds
            ]
        )
    if CHAR_NGRAMS_NAME in wanted:
        report(
            [
                _linear_reference(
                    frame,
                    splits,
                    CHAR_NGRAMS_NAME,
                    seed,
                    _text_documents,
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(1, 5), sublinear_tf=True, min_df=2
                    ),
                    LinearSVC(C=1.0),
                )
                for seed in seeds
            ]
        )
    return runs


def describe_split(raw: pd.DataFrame) -> str:
    names = splits_of(raw, corpus_splits(raw))
    test = raw[names == TEST]
    return (
        f"{len(raw)} messages: {int((names != TEST).sum())} in the training split "
        f"({int((names == VALIDATION).sum())} of them for validation), {len(test)} in the "
        f"test split ({int((test['label'] == 'spam').sum())} spam)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=RAW_DATASET)
    parser.add_argument("--seeds", type=int, default=len(SEEDS))
    parser.add_argument(
        "--only", nargs="+", default=[], choices=ALL_NAMES, metavar="NAME", help="rows to run"
    )
    args = parser.parse_args(argv)
    raw = corpus.read_frame(args.dataset)
    seeds = [SEEDS[0] + offset for offset in range(args.seeds)]
    print(describe_split(raw), flush=True)
    # The same cap as the v3 notebook's: the story test of the README runs this command.
    max_epochs = int(os.environ["SMS_V3_MAX_EPOCHS"]) if "SMS_V3_MAX_EPOCHS" in os.environ else None
    runs = compare(raw, seeds, args.only, max_epochs)
    summaries = summarise(runs)
    print()
    print(runs_table(runs))
    print()
    print(summary_table(summaries))
    names = {s.model for s in summaries}
    if {V2_NAME, V3_NAME} <= names:
        print()
        print(verdict(summaries).sentence())
    return 0


if __name__ == "__main__":
    sys.exit(main())
