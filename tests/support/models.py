"""Model artifacts for tests, trained on the synthetic corpus in a few seconds."""

from pathlib import Path

import pandas as pd

from analysis import corpus
from analysis.features1 import Features1Extractor
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
    trained = model1.train_and_evaluate(frame, list(Features1Extractor().feature_names))
    folder = models_dir / "model1_2019"
    model1.save_model(trained, folder)
    return folder
