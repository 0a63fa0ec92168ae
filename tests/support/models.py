"""Model artifacts for tests, trained on the synthetic corpus in a few seconds."""

from pathlib import Path

import pandas as pd

from analysis import corpus
from analysis.features1 import Features1Extractor
from analysis.splits import corpus_splits
from training.model1_2019 import model1


def features1_frame(corpus_csv: Path) -> pd.DataFrame:
    """What historical retrieval of ``labeled_sms_1`` returns, computed directly."""
    frame = corpus.read_frame(corpus_csv)
    extractor = Features1Extractor()
    features = pd.DataFrame(extractor.vectors(frame["text"]), columns=extractor.feature_names)
    event_time = pd.Series(pd.Timestamp("2019-02-03", tz="UTC"), index=frame.index)
    return pd.concat(
        [frame[["sms_id"]], event_time.rename("event_timestamp"), features, frame[["label"]]],
        axis=1,
    )


def train_v1(corpus_csv: Path, models_dir: Path) -> Path:
    """Train model v1 on ``corpus_csv`` and save it as ``models_dir/model1_2019``."""
    frame = features1_frame(corpus_csv)
    splits = corpus_splits(corpus.read_frame(corpus_csv))
    trained = model1.train_and_evaluate(frame, list(Features1Extractor().feature_names), splits)
    folder = models_dir / "model1_2019"
    model1.save_model(trained, folder, list(Features1Extractor().cue_words))
    return folder


def train_v2(corpus_csv: Path, models_dir: Path, max_epochs: int = 12) -> Path:
    """Fit the tokenizer and train model v2 on ``corpus_csv``, saved under ``models_dir``."""
    from dataclasses import replace

    from analysis.features2.tokenizer import SmsTokenizer
    from analysis.splits import split_frame
    from training.model2_2020 import model2

    frame = corpus.read_frame(corpus_csv)
    training = split_frame(frame)[0]["text"].tolist()
    tokenizer = SmsTokenizer(max_num_words=500, max_seq_length=24).fit(training)
    tokenizer_file = tokenizer.save(models_dir / "model2_2020" / "tokenizer" / "tokenizer.json")
    features = frame.assign(
        event_timestamp=pd.Timestamp("2020-06-01", tz="UTC"),
        features=[tokenizer.encode(text) for text in frame["text"]],
    )[["sms_id", "event_timestamp", "features", "label"]]
    hyperparameters = replace(
        model2.Hyperparameters(), max_epochs=max_epochs, patience=max_epochs, batch_size=16
    )
    trained = model2.train_and_evaluate(features, tokenizer, hyperparameters, corpus_splits(frame))
    folder = models_dir / "model2_2020" / "classifier"
    model2.save_model(trained, tokenizer_file, folder)
    return folder


def train_v3(corpus_csv: Path, models_dir: Path, max_epochs: int = 6) -> Path:
    """Train model v3 on the v2 features of ``corpus_csv``, with the tokenizer ``train_v2`` saved
    in ``models_dir``; saved as ``models_dir/model3_2021/classifier``."""
    from dataclasses import replace

    from analysis.features2.tokenizer import SmsTokenizer
    from training.model2_2020 import model2
    from training.model3_2021 import model3

    tokenizer_file = models_dir / "model2_2020" / "tokenizer" / "tokenizer.json"
    tokenizer = SmsTokenizer.load(tokenizer_file)
    frame = corpus.read_frame(corpus_csv)
    features = frame.assign(
        event_timestamp=pd.Timestamp("2020-06-01", tz="UTC"),
        features=[tokenizer.encode(text) for text in frame["text"]],
    )[["sms_id", "event_timestamp", "features", "label"]]
    hyperparameters = replace(
        model3.HYPERPARAMETERS, max_epochs=max_epochs, patience=max_epochs, batch_size=16
    )
    trained = model2.train_and_evaluate(features, tokenizer, hyperparameters, corpus_splits(frame))
    folder = models_dir / "model3_2021" / "classifier"
    model2.save_model(trained, tokenizer_file, folder, model3.V3)
    return folder
